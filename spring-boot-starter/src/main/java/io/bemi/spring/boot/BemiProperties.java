package io.bemi.spring.boot;

import io.bemi.jdbc.BemiJdbc;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code bemi.*} settings of the Spring Boot starter (see docs/spring-boot.md).
 *
 * @param enabled whether the starter does anything at all
 * @param datasource how the application's DataSources are wrapped
 * @param web how HTTP requests set the context
 * @param async whether {@code @Async} and TaskExecutor work carries the caller's context
 * @param scheduling whether {@code @Scheduled} jobs write with their job name as context
 * @param health whether the Actuator health component {@code bemi} is registered
 */
@ConfigurationProperties(prefix = "bemi")
public record BemiProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue DataSource datasource,
    @DefaultValue Web web,
    @DefaultValue Async async,
    @DefaultValue Scheduling scheduling,
    @DefaultValue Health health) {

  /**
   * @param wrap wrap every DataSource bean so its writes carry the context (connections opened through a
   *     {@code jdbc:bemi:postgresql} URL are left as they are)
   * @param includeSql add the statement text to each message under {@code "SQL"} (the driver's
   *     {@code bemi.includeSql})
   * @param maxContextBytes a larger context is reduced to its identifying keys and a
   *     {@code _bemi_truncated} marker, never dropped (the driver's {@code bemi.maxContextBytes}); unset
   *     means the driver's default, 65536
   * @param contextFor {@code writes} or {@code all} (the driver's {@code bemi.contextFor}); unset means
   *     the driver's default, {@code writes}
   * @param options any other driver option, by its name without {@code bemi.} (e.g. {@code enabled: false})
   */
  public record DataSource(
      @DefaultValue("true") boolean wrap,
      @DefaultValue("false") boolean includeSql,
      Integer maxContextBytes,
      String contextFor,
      Map<String, String> options) {

    /** The driver options these settings stand for, as {@code io.bemi.jdbc.BemiJdbc#wrap} takes them. */
    public Properties driverOptions() {
      Map<String, String> all = new LinkedHashMap<>();
      if (options != null) {
        options.forEach((name, value) -> all.put(driverOptionName(name), value));
      }
      if (includeSql) {
        all.put("bemi.includeSql", "true"); // off is the driver's default: options.includeSql may still turn it on
      }
      if (maxContextBytes != null) {
        all.put("bemi.maxContextBytes", maxContextBytes.toString());
      }
      if (contextFor != null) {
        all.put("bemi.contextFor", contextFor);
      }
      Properties properties = new Properties();
      properties.putAll(all);
      return properties;
    }

    /**
     * The driver's name of an {@code options} key as Spring hands it over: {@code maxContextBytes},
     * {@code max-context-bytes} or, from the environment variable
     * {@code BEMI_DATASOURCE_OPTIONS_MAXCONTEXTBYTES}, {@code maxcontextbytes}. An unknown key is
     * kept as it is, for the driver to refuse by name.
     */
    static String driverOptionName(String key) {
      String bare = key.replace("-", "").replace("_", "");
      for (String name : BemiJdbc.optionNames()) {
        if (name.substring("bemi.".length()).equalsIgnoreCase(bare)) {
          return name;
        }
      }
      return "bemi." + key;
    }
  }

  /**
   * @param enabled register the request filter (method, endpoint, user, requestId) and, with Spring MVC,
   *     record the route template ({@code /orders/{id}}) as {@code endpoint}
   * @param filterOrder the filter's order; the default runs it after Spring Security's filter chain so
   *     the user is known
   * @param routeTemplate record Spring MVC's matched route template instead of the raw path
   */
  public record Web(
      @DefaultValue("true") boolean enabled,
      @DefaultValue("0") int filterOrder,
      @DefaultValue("true") boolean routeTemplate) {}

  /** @param enabled decorate the auto-configured TaskExecutor so tasks run with their submitter's context */
  public record Async(@DefaultValue("true") boolean enabled) {}

  /** @param enabled give each {@code @Scheduled} run the context {@code {"job": "com.example.Jobs.nightly"}} */
  public record Scheduling(@DefaultValue("true") boolean enabled) {}

  /** @param enabled register the {@code bemi} health component (UP when the database writes logical WAL) */
  public record Health(@DefaultValue("true") boolean enabled) {}
}

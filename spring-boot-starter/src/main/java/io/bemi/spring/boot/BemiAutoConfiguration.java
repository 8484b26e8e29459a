package io.bemi.spring.boot;

import io.bemi.Bemi;
import io.bemi.jdbc.BemiJdbc;
import jakarta.servlet.http.HttpServletRequest;
import java.util.function.Function;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.task.TaskDecorator;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.util.ClassUtils;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Bemi for a Spring Boot 3.5 or 4.0 application (see docs/spring-boot.md). Each part has its own
 * switch under {@code bemi.*} and its own condition, so an application without MVC, Security,
 * Actuator or Micrometer gets the rest.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration", // Boot 3
    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration"}) // Boot 4
@ConditionalOnClass(Bemi.class)
@ConditionalOnBemiSwitch("bemi.enabled")
@EnableConfigurationProperties(BemiProperties.class)
public class BemiAutoConfiguration {

  private static final String SPRING_SECURITY = "org.springframework.security.core.context.SecurityContextHolder";

  @Bean
  static BemiCounts bemiCounts() {
    return new BemiCounts();
  }

  /** Static and bound straight from the environment: a post-processor is created before the properties bean. */
  @Bean
  @ConditionalOnClass(name = "org.springframework.jdbc.datasource.DelegatingDataSource")
  @ConditionalOnBemiSwitch("bemi.datasource.wrap")
  static BemiDataSourceWrapper bemiDataSourceWrapper(Environment environment, ObjectProvider<BemiCounts> counts) {
    BemiProperties properties = Binder.get(environment).bindOrCreate("bemi", BemiProperties.class);
    java.util.Properties options = properties.datasource().driverOptions();
    try {
      BemiJdbc.checkOptions(options); // a bad setting stops start-up, not the first checkout
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("bemi.datasource: " + e.getMessage()
          + " (bemi.datasource.include-sql, max-context-bytes, context-for or options.*; docs/spring-boot.md)", e);
    }
    // the counts are looked up at the first wrap: resolving them here would create that bean before
    // the post-processors are registered
    return new BemiDataSourceWrapper(options, () -> counts.getObject().connectionsWrapped.increment());
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(name = "io.bemi.servlet.BemiContextFilter")
  @ConditionalOnBemiSwitch("bemi.web.enabled")
  static class Web {

    @Bean
    FilterRegistrationBean<BemiRequestContextFilter> bemiContextFilter(BemiProperties properties, BemiCounts counts) {
      Function<HttpServletRequest, String> users = ClassUtils.isPresent(SPRING_SECURITY, Web.class.getClassLoader())
          ? new SpringSecurityUsers()
          : request -> null; // the filter already takes the servlet container's remote user
      FilterRegistrationBean<BemiRequestContextFilter> registration =
          new FilterRegistrationBean<>(new BemiRequestContextFilter(users, counts));
      registration.setName("bemiContextFilter");
      registration.setOrder(properties.web().filterOrder());
      return registration;
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.web.servlet.config.annotation.WebMvcConfigurer")
    @ConditionalOnBemiSwitch("bemi.web.route-template")
    static class RouteTemplate {

      @Bean
      WebMvcConfigurer bemiRouteTemplate() {
        return new WebMvcConfigurer() {
          @Override
          public void addInterceptors(InterceptorRegistry registry) {
            registry.addInterceptor(new RouteTemplateInterceptor());
          }
        };
      }
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnBemiSwitch("bemi.async.enabled")
  static class Async {

    /** Boot's TaskExecutor applies a single TaskDecorator bean; an application with its own decorator composes {@code Bemi::wrap} into it. */
    @Bean
    @ConditionalOnMissingBean(TaskDecorator.class)
    TaskDecorator bemiTaskDecorator(BemiCounts counts) {
      return task -> {
        // Boot applies the decorator to its scheduler too: a task submitted without a context (a
        // @Scheduled run) carries nothing and is not counted as carried
        boolean carries = !Bemi.getContext().isEmpty();
        Runnable carried = Bemi.wrap(task);
        return () -> {
          if (carries) {
            counts.asyncContexts.increment();
          }
          carried.run();
        };
      };
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnBemiSwitch("bemi.scheduling.enabled")
  static class Scheduling {

    /** Consulted only by {@code @EnableScheduling}'s processor, so harmless without it (no bean condition: Boot 4 evaluates it before that processor is defined). */
    @Bean
    JobNamingConfigurer bemiJobNaming(ObjectProvider<TaskScheduler> schedulers, BemiCounts counts) {
      return new JobNamingConfigurer(schedulers, counts);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
  static class Meters {

    @Bean
    BemiMeters bemiMeters(BemiCounts counts) {
      return new BemiMeters(counts);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.health.AbstractHealthIndicator")
  @ConditionalOnBemiSwitch("bemi.health.enabled")
  @ConditionalOnSingleCandidate(DataSource.class)
  static class Boot3Health {

    @Bean
    @ConditionalOnMissingBean(name = "bemiHealthIndicator")
    BemiHealthIndicator bemiHealthIndicator(DataSource dataSource, BemiCounts counts) {
      return new BemiHealthIndicator(dataSource, counts);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.AbstractHealthIndicator")
  @ConditionalOnBemiSwitch("bemi.health.enabled")
  @ConditionalOnSingleCandidate(DataSource.class)
  static class Boot4Health {

    @Bean
    @ConditionalOnMissingBean(name = "bemiHealthIndicator")
    BemiHealthContributor bemiHealthIndicator(DataSource dataSource, BemiCounts counts) {
      return new BemiHealthContributor(dataSource, counts);
    }
  }
}

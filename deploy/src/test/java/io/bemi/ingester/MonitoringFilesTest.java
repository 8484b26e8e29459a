package io.bemi.ingester;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.bemi.history.Operation;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard and the Prometheus alert rules name only metrics the ingester publishes (in the
 * ingester's package: the per-table counter is registered on first use).
 */
class MonitoringFilesTest {

  private static final Path MONITORING = Path.of("monitoring");
  private static final Pattern METRIC = Pattern.compile("\\bbemi_[a-z_]+");
  private static final String QUARANTINE = "bemi_ingester_quarantined_total";

  /** The Prometheus series names the ingester publishes, with every table-level and quantile series present. */
  private static Set<String> publishedSeries() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    IngesterMetrics metrics = new IngesterMetrics(registry);
    metrics.changesStoredCounter("public", "orders", Operation.CREATE).increment();
    metrics.commitToStored().record(10, TimeUnit.MILLISECONDS);
    Set<String> names = new TreeSet<>();
    for (String line : registry.scrape().split("\n")) {
      if (!line.startsWith("#") && !line.isBlank()) {
        names.add(line.split("[{ ]", 2)[0]);
      }
    }
    return names;
  }

  private static Set<String> referencedMetrics(String file) throws IOException {
    Set<String> names = new TreeSet<>();
    Matcher matcher = METRIC.matcher(Files.readString(MONITORING.resolve(file)));
    while (matcher.find()) {
      names.add(matcher.group());
    }
    return names;
  }

  @Test
  void the_alert_rules_name_only_metrics_the_ingester_publishes() throws IOException {
    Set<String> published = publishedSeries();

    assertThat(referencedMetrics("alerts.yml")).isNotEmpty()
        .allSatisfy(name -> assertThat(published.contains(name)).as(name + " is published").isTrue());
  }

  @Test
  void the_grafana_dashboard_names_only_metrics_the_ingester_publishes() throws IOException {
    Set<String> published = publishedSeries();

    assertThat(referencedMetrics("grafana-dashboard.json")).isNotEmpty()
        .allSatisfy(name -> assertThat(published.contains(name)).as(name + " is published").isTrue());
  }

  @Test
  void the_alert_rules_cover_lag_retained_wal_ingester_down_and_quarantine() throws IOException {
    JsonNode rules = new YAMLMapper().readTree(MONITORING.resolve("alerts.yml").toFile()).path("groups").get(0).path("rules");
    Set<String> expressions = new TreeSet<>();
    rules.forEach(rule -> {
      assertThat(rule.path("alert").asText()).as("every rule has a name").isNotBlank();
      assertThat(rule.path("annotations").path("summary").asText()).as("every rule has a summary").isNotBlank();
      expressions.add(rule.path("expr").asText());
    });

    assertThat(String.join("\n", expressions))
        .contains("bemi_ingester_lag_seconds", "bemi_ingester_retained_wal_bytes", "up{job=\"bemi-ingester\"}", QUARANTINE);
  }

  @Test
  void the_grafana_dashboard_is_importable_json_with_a_prometheus_datasource() throws IOException {
    JsonNode dashboard = new ObjectMapper().readTree(MONITORING.resolve("grafana-dashboard.json").toFile());

    assertThat(dashboard.path("uid").asText()).isEqualTo("bemi-ingestion");
    assertThat(dashboard.path("panels")).isNotEmpty().allSatisfy(panel -> {
      assertThat(panel.path("targets")).isNotEmpty();
      assertThat(panel.path("datasource").path("type").asText()).isEqualTo("prometheus");
    });
  }
}

package io.bemi.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * docker-compose, Kubernetes and systemd files parse and point at the ports, paths and settings the
 * programs really use (kubeconform is not available here: a YAML parse and structural assertions instead).
 */
class DeployFilesTest {

  private static final YAMLMapper YAML = new YAMLMapper();

  private static JsonNode yaml(String path) throws IOException {
    return YAML.readTree(Path.of(path).toFile());
  }

  private static Map<String, JsonNode> kubernetes(String file) throws IOException {
    Map<String, JsonNode> byKindAndName = new TreeMap<>();
    try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(Path.of("kubernetes", file).toFile())) {
      while (documents.hasNext()) {
        JsonNode document = documents.next();
        assertThat(document.path("apiVersion").asText()).as("apiVersion in " + file).isNotBlank();
        byKindAndName.put(document.path("kind").asText() + "/" + document.path("metadata").path("name").asText(), document);
      }
    }
    return byKindAndName;
  }

  private static JsonNode container(JsonNode deployment) {
    return deployment.path("spec").path("template").path("spec").path("containers").get(0);
  }

  private static Map<String, String> env(JsonNode container) {
    Map<String, String> env = new TreeMap<>();
    container.path("env").forEach(e -> env.put(e.path("name").asText(),
        e.has("value") ? e.path("value").asText() : "secret:" + e.path("valueFrom").path("secretKeyRef").path("key").asText()));
    return env;
  }

  @Test
  void compose_runs_postgres_with_logical_wal_the_ingester_the_dashboard_and_prometheus() throws IOException {
    JsonNode services = yaml("compose/docker-compose.yml").path("services");

    assertThat(services.fieldNames()).toIterable().contains("postgres", "ingester-setup", "ingester", "dashboard", "prometheus");
    assertThat(services.path("postgres").path("command").toString()).contains("wal_level=logical");
    assertThat(services.path("ingester").path("environment").path("BEMI_HTTP_PORT").asText()).isEqualTo("9464");
    assertThat(services.path("ingester").path("healthcheck").path("test").toString()).contains("http://127.0.0.1:9464/health/live");
    assertThat(services.path("dashboard").path("environment").path("BEMI_DASHBOARD_PORT").asText()).isEqualTo("7070");
    assertThat(services.path("dashboard").path("environment").path("BEMI_DASHBOARD_INGESTER_METRICS_URL").asText())
        .isEqualTo("http://ingester:9464/metrics");
    assertThat(services.path("dashboard").path("healthcheck").path("test").toString()).contains("http://127.0.0.1:7070/health");
    assertThat(services.path("prometheus").path("volumes").toString()).contains("../monitoring/alerts.yml");
  }

  @Test
  void prometheus_scrapes_the_ingester_and_dashboard_metrics_endpoints_and_loads_the_alert_rules() throws IOException {
    JsonNode prometheus = yaml("compose/prometheus.yml");
    List<String> targets = new ArrayList<>();
    prometheus.path("scrape_configs").forEach(job -> {
      assertThat(job.path("metrics_path").asText()).isEqualTo("/metrics");
      job.path("static_configs").forEach(c -> c.path("targets").forEach(t -> targets.add(t.asText())));
    });

    assertThat(targets).containsExactlyInAnyOrder("ingester:9464", "dashboard:7070");
    assertThat(prometheus.path("rule_files").toString()).contains("bemi-alerts.yml");
  }

  @Test
  void the_ingester_deployment_probes_live_and_ready_on_its_http_port_with_urls_from_the_secret() throws IOException {
    JsonNode deployment = kubernetes("ingester.yaml").get("Deployment/bemi-ingester");
    JsonNode ingester = container(deployment);

    assertThat(deployment.path("spec").path("replicas").asInt()).as("one ingester per slot").isEqualTo(1);
    assertThat(deployment.path("spec").path("strategy").path("type").asText()).isEqualTo("Recreate");
    assertThat(ingester.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/health/live");
    assertThat(ingester.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/health/ready");
    assertThat(ingester.path("ports").get(0).path("containerPort").asInt()).isEqualTo(9464);
    assertThat(env(ingester)).containsEntry("BEMI_HTTP_PORT", "9464").containsEntry("BEMI_HTTP_HOST", "0.0.0.0")
        .containsEntry("BEMI_SOURCE_URL", "secret:source-url");
    assertThat(deployment.path("spec").path("template").path("spec").path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
  }

  @Test
  void a_daily_cron_job_compacts_the_closed_months_one_at_a_time_with_the_url_from_the_secret() throws IOException {
    JsonNode cronJob = kubernetes("ingester.yaml").get("CronJob/bemi-compact");
    JsonNode pod = cronJob.path("spec").path("jobTemplate").path("spec").path("template").path("spec");
    JsonNode compact = pod.path("containers").get(0);

    assertThat(cronJob.path("spec").path("concurrencyPolicy").asText()).isEqualTo("Forbid");
    assertThat(compact.path("args").get(0).asText()).isEqualTo("compact");
    assertThat(compact.path("image").asText()).isEqualTo(container(kubernetes("ingester.yaml")
        .get("Deployment/bemi-ingester")).path("image").asText());
    assertThat(env(compact)).containsEntry("BEMI_SOURCE_URL", "secret:source-url").containsEntry("BEMI_COMPACT_CLOSED_FOR", "7d");
    assertThat(pod.path("restartPolicy").asText()).isEqualTo("Never");
    assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
  }

  @Test
  void the_dashboard_deployment_and_service_use_port_7070_and_health_with_the_token_from_the_secret() throws IOException {
    Map<String, JsonNode> documents = kubernetes("dashboard.yaml");
    JsonNode dashboard = container(documents.get("Deployment/bemi-dashboard"));

    assertThat(dashboard.path("ports").get(0).path("containerPort").asInt()).isEqualTo(7070);
    assertThat(dashboard.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/health");
    assertThat(dashboard.path("livenessProbe").path("tcpSocket").path("port").asText()).isEqualTo("http");
    assertThat(env(dashboard).get("BEMI_DASHBOARD_ALLOWED_HOSTS")).startsWith("bemi-dashboard,");
    assertThat(env(dashboard)).containsEntry("BEMI_DASHBOARD_PORT", "7070").containsEntry("BEMI_DASHBOARD_BIND", "0.0.0.0")
        .containsEntry("BEMI_DASHBOARD_TOKEN", "secret:dashboard-token")
        .containsEntry("BEMI_DASHBOARD_DATABASE_URL", "secret:dashboard-database-url");
    assertThat(documents.get("Service/bemi-dashboard").path("spec").path("ports").get(0).path("targetPort").asText()).isEqualTo("http");
  }

  @Test
  void the_secret_holds_every_key_the_deployments_read() throws IOException {
    JsonNode secret = kubernetes("secret.yaml").get("Secret/bemi");

    assertThat(secret.path("stringData").fieldNames()).toIterable()
        .containsExactlyInAnyOrder("source-url", "dashboard-database-url", "dashboard-token");
  }

  @Test
  void the_systemd_units_run_the_jars_as_an_unprivileged_user_and_do_not_restart_on_configuration_errors() throws IOException {
    for (String unit : List.of("bemi-ingester.service", "bemi-dashboard.service")) {
      String text = Files.readString(Path.of("systemd", unit));

      assertThat(text).as(unit).contains("[Unit]", "[Service]", "[Install]", "User=bemi", "RestartPreventExitStatus=2",
          "NoNewPrivileges=true", "ExecStart=/usr/bin/java");
    }
    // the settings come from the .env file, which may name a properties file: a unit that named one itself
    // would stop (exit code 2) every setup that keeps its settings in the .env file only
    for (String unit : List.of("bemi-ingester.service", "bemi-dashboard.service", "bemi-compact.service")) {
      assertThat(Files.readString(Path.of("systemd", unit))).as(unit).containsPattern("EnvironmentFile=-/etc/bemi/\\w+\\.env")
          .doesNotContain("Environment=BEMI_CONFIG", "Environment=BEMI_DASHBOARD_CONFIG");
    }
    // the port is a default the .env file can override: on the command line it would beat the .env and the file
    assertThat(Files.readString(Path.of("systemd", "bemi-ingester.service"))).contains("Environment=BEMI_HTTP_PORT=9464")
        .doesNotContain("--http-port");
    assertThat(Files.readString(Path.of("systemd", "bemi-compact.service")))
        .contains("Type=oneshot", "User=bemi", "EnvironmentFile=-/etc/bemi/ingester.env", "bemi-ingester.jar compact");
    assertThat(Files.readString(Path.of("systemd", "bemi-compact.timer"))).contains("[Timer]", "OnCalendar=", "[Install]");
  }
}

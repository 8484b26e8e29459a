package io.bemi.ingester.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.ingester.IngesterMetrics;
import io.bemi.ingester.leader.Lease;
import io.bemi.ingester.leader.Role;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What /health/ready, /health/leader and /metrics say for a standby, a misconfiguration and an outage. */
class HealthRolesTest {

  private static final Lease OTHER_LEADS = new Lease(7, "host-b:42:abcd", Instant.parse("2026-12-01T10:00:00Z"),
      Instant.parse("2026-12-01T10:05:00Z"), Instant.parse("2026-12-01T10:05:06Z"));

  private static HttpResponse<String> get(HttpEndpoints http, String path) throws Exception {
    return HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aStandbyIsReadyButNotTheLeaderAndSaysWhoLeads() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    IngesterMetrics metrics = new IngesterMetrics(registry);
    metrics.leadership().standingBy(OTHER_LEADS);
    try (HttpEndpoints http = HttpEndpoints.start("127.0.0.1", 0, metrics, registry, 60)) {
      HttpResponse<String> ready = get(http, "/health/ready");
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(ready.body()).contains("\"role\":\"standby\"", "\"holder\":\"host-b:42:abcd\"",
          "\"since\":\"2026-12-01T10:00:00Z\"", "\"epoch\":7");
      assertThat(get(http, "/health/leader").statusCode()).isEqualTo(503);
      assertThat(get(http, "/metrics").body())
          .contains("bemi_ingester_leader{holder=\"" + metrics.leadership().holder() + "\"} 0.0")
          .contains("bemi_ingester_role{role=\"standby\"} 1.0")
          .contains("bemi_ingester_lease_epoch 7.0")
          .contains("bemi_ingester_leader_since_seconds 1.7961192E9");
    }
  }

  @Test
  void aMisconfigurationIsNotReadyAndNamesTheFix() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    IngesterMetrics metrics = new IngesterMetrics(registry);
    metrics.leadership().failing(Role.MISCONFIGURED, "Misconfigured (SQLSTATE 28P01): password authentication "
        + "failed for user \"bemi\"; fix: check the user and password");
    try (HttpEndpoints http = HttpEndpoints.start("127.0.0.1", 0, metrics, registry, 60)) {
      HttpResponse<String> ready = get(http, "/health/ready");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).contains("\"role\":\"misconfigured\"", "failed for user \\\"bemi\\\"; fix:");
      assertThat(get(http, "/metrics").body()).contains("bemi_ingester_role{role=\"misconfigured\"} 1.0")
          .contains("bemi_ingester_role{role=\"outage\"} 0.0");
    }
  }
}

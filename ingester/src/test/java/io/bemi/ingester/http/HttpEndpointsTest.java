package io.bemi.ingester.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.ingester.IngesterMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class HttpEndpointsTest {

  private static HttpResponse<String> get(HttpEndpoints http, String path) throws Exception {
    return HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthIsUnavailableUntilTheIngesterStreams() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (HttpEndpoints http = HttpEndpoints.start("127.0.0.1", 0, new IngesterMetrics(registry), registry, 60)) {
      HttpResponse<String> health = get(http, "/health");
      assertThat(health.statusCode()).isEqualTo(503);
      assertThat(health.body()).contains("\"status\":\"DOWN\"");
    }
  }

  @Test
  void livenessAnswersWhileReadinessWaitsForStreaming() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (HttpEndpoints http = HttpEndpoints.start("127.0.0.1", 0, new IngesterMetrics(registry), registry, 60)) {
      assertThat(get(http, "/health/live").statusCode()).isEqualTo(200);
      HttpResponse<String> ready = get(http, "/health/ready");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(ready.body()).contains("\"streaming\":false", "\"lagSeconds\":null");
      assertThat(get(http, "/health/other").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void metricsAreServedInPrometheusFormat() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (HttpEndpoints http = HttpEndpoints.start("127.0.0.1", 0, new IngesterMetrics(registry), registry, 60)) {
      HttpResponse<String> metrics = get(http, "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body())
          .contains("bemi_ingester_changes_stored_total 0.0")
          .contains("bemi_ingester_context_malformed_total")
          .contains("bemi_ingester_commit_to_stored_seconds")
          .contains("jvm_memory_used_bytes")
          .contains("jvm_gc_");
    }
  }
}

package io.bemi.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The demo wires the dashboard's ingestion-health panel to its own ingester. */
class BemiCommandLinesTest {

  @Test
  void the_ingester_serves_metrics_on_the_port_the_dashboard_reads_them_from() {
    int port = 45678;

    assertThat(BemiCommandLines.ingesterRun("jdbc:postgresql://localhost/shop", port)).containsSequence("--http-port", "45678");
    assertThat(BemiCommandLines.dashboard("jdbc:postgresql://localhost/shop", "127.0.0.1", 7070, null, BemiCommandLines.ingesterMetricsUrl(port)))
        .containsSequence("--ingester-metrics-url", "http://127.0.0.1:45678/metrics");
  }
}

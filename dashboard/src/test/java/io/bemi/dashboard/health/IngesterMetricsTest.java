package io.bemi.dashboard.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class IngesterMetricsTest {

  @Test
  void keepsOnlyBemiSamplesWithTheirLabels() {
    List<IngesterMetrics.Sample> samples = IngesterMetrics.parse("""
        # HELP bemi_ingester_lag_seconds lag
        # TYPE bemi_ingester_lag_seconds gauge
        bemi_ingester_lag_seconds{slot="bemi",db="shop"} 1.5
        process_cpu_usage 0.3
        bemi_changes_stored_total 42 1714560000000
        bemi_lag_bytes NaN
        """);
    assertThat(samples).extracting(IngesterMetrics.Sample::name)
        .containsExactly("bemi_ingester_lag_seconds", "bemi_changes_stored_total", "bemi_lag_bytes");
    assertThat(samples.get(0).labels()).isEqualTo("slot=\"bemi\",db=\"shop\"");
    assertThat(samples.get(0).value()).isEqualTo(1.5);
    assertThat(samples.get(1).value()).isEqualTo(42);
  }

  @Test
  void garbageLinesAreSkipped() {
    assertThat(IngesterMetrics.parse("bemi_x{broken 1\nbemi_y notanumber\nbemi_z\n")).isEmpty();
  }

  @Test
  void anUnreachableEndpointIsReportedNotThrown() {
    IngesterMetrics.Snapshot s = new IngesterMetrics("http://127.0.0.1:9/metrics").read();
    assertThat(s.samples()).isEmpty();
    assertThat(s.problem()).startsWith("unreachable");
  }
}

package io.bemi.dashboard.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class IngesterMetricsReaderTest {

  @Test
  void keepsOnlyBemiSamplesWithTheirLabels() {
    List<IngesterMetricsReader.Sample> samples = IngesterMetricsReader.parse("""
        # HELP bemi_ingester_lag_seconds lag
        # TYPE bemi_ingester_lag_seconds gauge
        bemi_ingester_lag_seconds{slot="bemi",db="shop"} 1.5
        process_cpu_usage 0.3
        bemi_changes_stored_total 42 1714560000000
        bemi_lag_bytes NaN
        """);
    assertThat(samples).extracting(IngesterMetricsReader.Sample::name)
        .containsExactly("bemi_ingester_lag_seconds", "bemi_changes_stored_total", "bemi_lag_bytes");
    assertThat(samples.get(0).labels()).isEqualTo("slot=\"bemi\",db=\"shop\"");
    assertThat(samples.get(0).value()).isEqualTo(1.5);
    assertThat(samples.get(1).value()).isEqualTo(42);
  }

  @Test
  void theHealthPanelShowsWhoLeadsAndTheCurrentRoleBesideTheLag() {
    List<IngesterMetricsReader.Sample> samples = IngesterMetricsReader.parse("""
        bemi_ingester_leader{holder="web-1:4242:9a1f3c2e"} 1.0
        bemi_ingester_leader_since_seconds 1.7961192E9
        bemi_ingester_lease_epoch 3.0
        bemi_ingester_role{role="leader"} 1.0
        bemi_ingester_role{role="standby"} 0.0
        bemi_ingester_lag_seconds 0.4
        bemi_ingester_changes_stored_total 42
        """);
    IngesterMetricsReader.Snapshot snapshot = new IngesterMetricsReader.Snapshot("http://ingester/metrics", samples, null);
    assertThat(snapshot.leadership()).extracting(s -> s.name() + "{" + s.labels() + "}")
        .containsExactly("bemi_ingester_leader{holder=\"web-1:4242:9a1f3c2e\"}", "bemi_ingester_leader_since_seconds{}",
            "bemi_ingester_lease_epoch{}", "bemi_ingester_role{role=\"leader\"}");
    assertThat(snapshot.lag()).extracting(IngesterMetricsReader.Sample::name).containsExactly("bemi_ingester_lag_seconds");
  }

  @Test
  void setupChecksAboveZeroAreProblemsWithWhatToDo() {
    List<IngesterMetricsReader.Sample> samples = IngesterMetricsReader.parse("""
        bemi_ingester_untracked_tables 0.0
        bemi_ingester_tables_without_full_identity 3.0
        """);
    IngesterMetricsReader.Snapshot snapshot = new IngesterMetricsReader.Snapshot("http://ingester/metrics", samples, null);
    assertThat(snapshot.setupChecks()).hasSize(2);
    assertThat(snapshot.setupProblems()).singleElement().asString()
        .startsWith("3 tracked table(s) or partition(s) lack REPLICA IDENTITY FULL").contains("bemi-ingester status");
    assertThat(new IngesterMetricsReader.Snapshot("u", IngesterMetricsReader.parse(
        "bemi_ingester_untracked_tables NaN\n"), null).setupProblems()).as("no record of setup's options").isEmpty();
  }

  @Test
  void garbageLinesAreSkipped() {
    assertThat(IngesterMetricsReader.parse("bemi_x{broken 1\nbemi_y notanumber\nbemi_z\n")).isEmpty();
  }

  @Test
  void anUnreachableEndpointIsReportedNotThrown() {
    IngesterMetricsReader.Snapshot s = new IngesterMetricsReader("http://127.0.0.1:9/metrics").read();
    assertThat(s.samples()).isEmpty();
    assertThat(s.problem()).startsWith("unreachable");
  }
}

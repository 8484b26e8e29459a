package io.bemi.demo;

import java.util.ArrayList;
import java.util.List;

/**
 * The command lines the demo gives the ingester and the dashboard jars: the one place that knows
 * their options (documented in docs/ingester.md and docs/dashboard.md).
 */
final class BemiCommandLines {

  /** The slot and publication names are the ingester's defaults; the demo does not override them. */
  private BemiCommandLines() {}

  /** Creates the publication, the slot and the destination schema, and snapshots the existing rows. */
  static List<String> ingesterSetup(String sourceUrl) {
    return List.of("setup", "--source-url", sourceUrl, "--snapshot");
  }

  /**
   * Streams changes into {@code bemi.changes} of the same database until stopped, serving /metrics on
   * 127.0.0.1:{@code metricsPort} for the dashboard's ingestion-health panel.
   */
  static List<String> ingesterRun(String sourceUrl, int metricsPort) {
    return List.of("run", "--source-url", sourceUrl, "--http-port", Integer.toString(metricsPort));
  }

  /** Where the dashboard reads the ingester's meters: the port given to {@link #ingesterRun}. */
  static String ingesterMetricsUrl(int metricsPort) {
    return "http://127.0.0.1:" + metricsPort + "/metrics";
  }

  /**
   * The dashboard on the shop database: it reads {@code bemi.changes} there, and may run reverts
   * there too ({@code --source-url}). Without a token it makes one and prints a sign-in URL
   * holding it.
   */
  static List<String> dashboard(String databaseUrl, String bind, int port, String token, String ingesterMetricsUrl) {
    List<String> args = new ArrayList<>(List.of(
        "--database-url", databaseUrl,
        "--source-url", databaseUrl,
        "--ingester-metrics-url", ingesterMetricsUrl,
        "--bind", bind,
        "--port", Integer.toString(port)));
    if (token != null) {
      args.addAll(List.of("--token", token));
    }
    return args;
  }
}

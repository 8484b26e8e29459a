package io.bemi.dashboard.health;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the ingester's Prometheus endpoint and keeps the {@code bemi_*} samples. Absence is
 * normal (not configured, ingester down): the result then says why instead of failing the page.
 */
public final class IngesterMetricsReader {

  /** One sample: {@code name{labels} value}. */
  public record Sample(String name, String labels, double value) {
    /** Lag-like samples are shown first: {@code *lag*}, and the ingester's commit-to-stored timer. */
    public boolean isLag() {
      return name.contains("lag") || name.startsWith("bemi_ingester_commit_to_stored");
    }

    /**
     * Who leads the slot (standby ingesters): {@code bemi_ingester_leader{holder}} (1 on the leader),
     * when it took over, the lease epoch, and the role this ingester has now ({@code bemi_ingester_role}
     * at 1: leader, standby, outage, misconfigured…).
     */
    public boolean isLeadership() {
      return name.equals("bemi_ingester_leader") || name.equals("bemi_ingester_leader_since_seconds")
          || name.equals("bemi_ingester_lease_epoch") || (name.equals("bemi_ingester_role") && value == 1);
    }

    /** The ingester's check of the source against setup's options (docs/ingester.md, "Tables created after setup"). */
    public boolean isSetupCheck() {
      return name.equals(UNTRACKED) || name.equals(WITHOUT_FULL_IDENTITY);
    }
  }

  private static final String UNTRACKED = "bemi_ingester_untracked_tables";
  private static final String WITHOUT_FULL_IDENTITY = "bemi_ingester_tables_without_full_identity";

  /** What the endpoint said: samples, or the reason there are none. */
  public record Snapshot(String url, List<Sample> samples, String problem) {
    public boolean configured() {
      return url != null;
    }

    public List<Sample> lag() {
      return samples.stream().filter(Sample::isLag).toList();
    }

    public List<Sample> leadership() {
      return samples.stream().filter(Sample::isLeadership).toList();
    }

    public List<Sample> setupChecks() {
      return samples.stream().filter(Sample::isSetupCheck).toList();
    }

    /** What the ingester found missing since setup, one sentence each with what to do (none: nothing). */
    public List<String> setupProblems() {
      List<String> problems = new ArrayList<>();
      for (Sample s : setupChecks()) {
        if (s.value() > 0) {
          problems.add((long) s.value() + (s.name().equals(UNTRACKED)
              ? " table(s) created since setup are not tracked: none of their changes is captured."
              : " tracked table(s) or partition(s) lack REPLICA IDENTITY FULL: their old rows carry only the key.")
              + " `bemi-ingester status` names them; run `bemi-ingester setup` again with the options it was given.");
        }
      }
      return problems;
    }
  }

  private final URI url;
  private final HttpClient http;

  /** {@code url} may be null: ingestion health is then not shown. */
  public IngesterMetricsReader(String url) {
    this.url = url == null || url.isBlank() ? null : URI.create(url);
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  }

  public Snapshot read() {
    if (url == null) {
      return new Snapshot(null, List.of(), "not configured (start the dashboard with --ingester-metrics-url)");
    }
    try {
      HttpResponse<String> response = http.send(
          HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(2)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return new Snapshot(url.toString(), List.of(), "answered HTTP " + response.statusCode());
      }
      return new Snapshot(url.toString(), parse(response.body()), null);
    } catch (IOException e) {
      return new Snapshot(url.toString(), List.of(), "unreachable: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Snapshot(url.toString(), List.of(), "interrupted");
    }
  }

  /**
   * Prometheus text exposition format: {@code # HELP}/{@code # TYPE} comments, then
   * {@code metric_name{label="v",…} value [timestamp]} per line.
   */
  static List<Sample> parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#") || !l.startsWith("bemi_")) {
        continue;
      }
      parseLine(l).ifPresent(samples::add);
    }
    return samples;
  }

  private static Optional<Sample> parseLine(String line) {
    int brace = line.indexOf('{');
    int space;
    String name;
    String labels = "";
    if (brace >= 0 && brace < line.indexOf(' ')) {
      int close = line.lastIndexOf('}');
      if (close < brace) {
        return Optional.empty();
      }
      name = line.substring(0, brace);
      labels = line.substring(brace + 1, close);
      space = close + 1;
    } else {
      space = line.indexOf(' ');
      if (space < 0) {
        return Optional.empty();
      }
      name = line.substring(0, space);
    }
    String[] rest = line.substring(space).strip().split("\\s+");
    try {
      return Optional.of(new Sample(name, labels, Double.parseDouble(rest[0])));
    } catch (NumberFormatException e) {
      return Optional.empty(); // "+Inf"/"NaN" parse; anything else is not a sample we can show
    }
  }
}

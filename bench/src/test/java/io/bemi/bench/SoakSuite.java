package io.bemi.bench;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Soak: the fault suite's ledger workload at a steady rate (plus a bulk transaction every minute)
 * through the ingester's fat jar, on a source and a separate destination server, for
 * {@code -Dsoak.minutes} (30; 2 with {@code -Dbench.short=true}). Every few seconds it samples the
 * ingester process's memory (RSS from /proc, heap after the latest GC from its GC log: nothing is
 * forced), its lag (the slot's unconfirmed WAL bytes; commit-to-stored p50/p99 of the changes stored
 * in the interval) and throughput. At the end: the ledger check, and a verdict per figure: flat when
 * the median of the last third is within a stated tolerance of the median of the middle third (the
 * first third is warm-up). Exit code 1 when the ledger fails or a figure is not flat. Writes
 * {@code bench-soak-memory.png}, {@code bench-soak-lag.png} and {@code bench/target/soak-samples.csv}.
 *
 * <pre>./mvnw -q -o -pl bench test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.bemi.bench.SoakSuite [-Dbench.short=true] [-Dsoak.minutes=30] [-Dsoak.rate=100]</pre>
 */
public final class SoakSuite {

  private static final String SLOT = "bench_soak";
  /** A G1 or serial/parallel pause line of {@code -Xlog:gc}: "... Pause Young (Normal) (...) 61M->12M(384M) 3.2ms". */
  private static final Pattern GC_PAUSE = Pattern.compile("Pause .*?(\\d+)([KMG])->(\\d+)([KMG])\\(\\d+[KMG]\\)");

  /**
   * A fixed heap touched at start: RSS then shows what grows outside the heap (metaspace, threads,
   * buffers, native memory), and the heap after each GC shows the live set. 128 MB rather than the
   * other scenarios' 384 MB, so a growing live set shows sooner and collections are frequent enough
   * to sample even in the 2-minute run.
   */
  private static final String[] HEAP_OPTIONS = {"-Xms128m", "-Xmx128m", "-XX:+AlwaysPreTouch"};

  private SoakSuite() {}

  /** One sample; lag and throughput are over the interval since the previous sample. */
  record Sample(double minutes, double rssMb, double heapAfterGcMb, int collections, double slotLagKb,
      double commitToStoredP50Ms, double commitToStoredP99Ms, double writtenPerSecond, double storedPerSecond) {}

  /** Flat when {@code last <= middle * factor + slack}. */
  record Bound(String figure, ToDoubleFunction<Sample> value, double factor, double slack) {}

  record Verdict(Bound bound, double middle, double last, double slopePerHour) {
    boolean flat() {
      return last <= middle * bound.factor() + bound.slack();
    }
  }

  static final List<Bound> BOUNDS = List.of(
      new Bound("RSS MB", Sample::rssMb, 1.10, 16),
      new Bound("heap after GC MB", Sample::heapAfterGcMb, 1.10, 16),
      new Bound("slot lag kB", Sample::slotLagKb, 1.5, 1024),
      new Bound("commit-to-stored p99 ms", Sample::commitToStoredP99Ms, 1.5, 250));

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.log.io.zonky", "off");
    boolean quick = Boolean.getBoolean("bench.short");
    double minutes = Double.parseDouble(System.getProperty("soak.minutes", quick ? "2" : "30"));
    int rate = Integer.getInteger("soak.rate", 100);
    int sampleSeconds = Integer.getInteger("soak.sampleSeconds", quick ? 2 : 5);
    int bulkSeconds = quick ? 30 : 60;
    int bulkRows = 5_000;
    List<Sample> samples = new ArrayList<>();
    FaultSuite.Outcome ledgerOutcome;
    try (PgServer source = PgServer.create("source"); PgServer destination = PgServer.create("destination");
         IngesterProcess ingester = FaultSuite.prepare(source, destination, "soak", source.port())
             .withJvmOptions(HEAP_OPTIONS)) {
      System.out.printf("soak: %.0f min, ingester JVM %s, %d transactions/s (1-3 inserts, 1/3 with an update under a second "
          + "context, 1/10 with a delete) + a %,d-row transaction every %d s; sample every %d s; ingester %s%n",
          minutes, String.join(" ", HEAP_OPTIONS), rate, bulkRows, bulkSeconds, sampleSeconds, IngesterProcess.JAR);
      ingester.start();
      Ledger ledger = new Ledger();
      try (LedgerWriter writer = new LedgerWriter(source, "s_soak", ledger, rate);
           Connection sourceConnection = source.connect("s_soak");
           Connection destinationConnection = destination.connect("d_soak")) {
        System.out.printf("%7s %8s %10s %5s %10s %9s %9s %10s %10s%n", "minute", "RSS MB", "heap MB", "GCs",
            "slot kB", "p50 ms", "p99 ms", "written/s", "stored/s");
        long start = System.nanoTime();
        long end = start + (long) (minutes * 60e9);
        long nextBulk = start + bulkSeconds * 1_000_000_000L;
        long previousChanges = 0;
        long previousNanos = start;
        Timestamp windowEnd = firstWindowStart(destinationConnection);
        while (System.nanoTime() < end) {
          Thread.sleep(sampleSeconds * 1000L);
          long now = System.nanoTime();
          if (now >= nextBulk) {
            writer.requestBulk(bulkRows);
            nextBulk += bulkSeconds * 1_000_000_000L;
          }
          if (!ingester.isAlive()) {
            throw new IllegalStateException("the ingester stopped (exit " + ingester.exitCode() + "); see "
                + ingester.log());
          }
          double seconds = (now - previousNanos) / 1e9;
          long changes = ledger.changes();
          Stored stored = stored(destinationConnection, windowEnd);
          windowEnd = stored.windowEnd();
          double[] heap = heapAfterGc(ingester.gcLog().toPath());
          Sample sample = new Sample((now - start) / 60e9, rssKb(ingester.pid()) / 1024.0, heap[0], (int) heap[1],
              slotLagBytes(sourceConnection) / 1024.0, stored.p50Ms(), stored.p99Ms(),
              (changes - previousChanges) / seconds, stored.changes() / seconds);
          samples.add(sample);
          System.out.printf("%7.2f %8.1f %10.1f %5d %10.1f %9.1f %9.1f %,10.0f %,10.0f%n", sample.minutes(),
              sample.rssMb(), sample.heapAfterGcMb(), sample.collections(), sample.slotLagKb(),
              sample.commitToStoredP50Ms(), sample.commitToStoredP99Ms(), sample.writtenPerSecond(),
              sample.storedPerSecond());
          previousChanges = changes;
          previousNanos = now;
        }
      }
      ledgerOutcome = FaultSuite.finish("soak", ingester, ledger, destination, "");
    }

    writeCsv(samples);
    charts(samples);
    System.out.println();
    System.out.println("== soak verdict (median of the last third vs the middle third; the first third is warm-up) ==");
    System.out.printf("%-25s %14s %14s %16s  %s%n", "figure", "middle third", "last third", "slope per hour*",
        "flat when last <= middle x factor + slack");
    boolean flat = true;
    for (Bound bound : BOUNDS) {
      Verdict v = verdict(samples, bound);
      flat &= v.flat();
      System.out.printf("%-25s %,14.1f %,14.1f %,16.1f  %s (x %.2f + %,.0f)%n", bound.figure(), v.middle(), v.last(),
          v.slopePerHour(), v.flat() ? "FLAT" : "NOT FLAT", bound.factor(), bound.slack());
    }
    System.out.println("* least-squares slope over the last two thirds, for information");
    System.out.printf("throughput: written %,.0f changes/s, stored %,.0f changes/s (medians over the run)%n",
        median(samples, 0, samples.size(), Sample::writtenPerSecond),
        median(samples, 0, samples.size(), Sample::storedPerSecond));
    System.out.println((ledgerOutcome.passed() ? "PASS" : "FAIL") + " ledger: " + ledgerOutcome.detail());
    boolean passed = flat && ledgerOutcome.passed();
    System.out.println(passed ? "SOAK PASSED" : "SOAK FAILED");
    System.exit(passed ? 0 : 1);
  }

  static Verdict verdict(List<Sample> samples, Bound bound) {
    int n = samples.size();
    double middle = median(samples, n / 3, 2 * n / 3, bound.value());
    double last = median(samples, 2 * n / 3, n, bound.value());
    return new Verdict(bound, middle, last, slopePerHour(samples.subList(n / 3, n), bound.value()));
  }

  /** The median of the figure over samples [from, to), ignoring intervals without a value (NaN). */
  static double median(List<Sample> samples, int from, int to, ToDoubleFunction<Sample> value) {
    double[] values = samples.subList(from, to).stream().mapToDouble(value).filter(v -> !Double.isNaN(v)).sorted()
        .toArray();
    if (values.length == 0) {
      return Double.NaN;
    }
    int mid = values.length / 2;
    return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
  }

  static double slopePerHour(List<Sample> samples, ToDoubleFunction<Sample> value) {
    double n = 0;
    double sx = 0;
    double sy = 0;
    double sxx = 0;
    double sxy = 0;
    for (Sample s : samples) {
      double y = value.applyAsDouble(s);
      if (Double.isNaN(y)) {
        continue;
      }
      n++;
      sx += s.minutes();
      sy += y;
      sxx += s.minutes() * s.minutes();
      sxy += s.minutes() * y;
    }
    double denominator = n * sxx - sx * sx;
    return denominator == 0 ? Double.NaN : 60 * (n * sxy - sx * sy) / denominator;
  }

  /** Resident set size of a process, from /proc/[pid]/status (Linux). */
  private static long rssKb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/" + pid + "/status");
  }

  /** {heap after the latest collection in MB (NaN before the first), number of collections} from the GC log. */
  private static double[] heapAfterGc(Path gcLog) throws IOException {
    double after = Double.NaN;
    int collections = 0;
    for (String line : Files.readAllLines(gcLog)) {
      Matcher m = GC_PAUSE.matcher(line);
      if (m.find()) {
        collections++;
        after = megabytes(Long.parseLong(m.group(3)), m.group(4));
      }
    }
    return new double[] {after, collections};
  }

  private static double megabytes(long amount, String unit) {
    return switch (unit) {
      case "K" -> amount / 1024.0;
      case "G" -> amount * 1024.0;
      default -> amount;
    };
  }

  /** WAL the slot holds that the ingester has not confirmed (stored) yet. */
  private static long slotLagBytes(Connection source) throws SQLException {
    try (Statement s = source.createStatement();
         ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn() - confirmed_flush_lsn FROM pg_replication_slots "
             + "WHERE slot_name = '" + SLOT + "'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Where the first window of {@link #stored} starts: the destination's clock, less the same 2 s margin. */
  private static Timestamp firstWindowStart(Connection destination) throws SQLException {
    try (Statement s = destination.createStatement(); ResultSet rs = s.executeQuery("SELECT now() - interval '2 s'")) {
      rs.next();
      return rs.getTimestamp(1);
    }
  }

  record Stored(Timestamp windowEnd, long changes, double p50Ms, double p99Ms) {}

  /**
   * Changes stored in (from, now - 2 s]: their count and commit-to-stored percentiles ({@code created_at},
   * the storing transaction's start, minus the source commit time). The 2 s margin lets a batch that
   * started in the window commit before it is counted, so each change is counted in exactly one window.
   */
  private static Stored stored(Connection destination, Timestamp from) throws SQLException {
    try (PreparedStatement p = destination.prepareStatement("""
        SELECT w.until, count(c.id),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.created_at - c.committed_at)),
               percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM c.created_at - c.committed_at))
        FROM (SELECT now() - interval '2 s' AS until) w
        LEFT JOIN bemi.changes c ON c.committed_at > ?::timestamptz - interval '10 min'
          AND c.created_at > ? AND c.created_at <= w.until
        GROUP BY w.until""")) {
      p.setTimestamp(1, from);
      p.setTimestamp(2, from);
      try (ResultSet rs = p.executeQuery()) {
        rs.next();
        double p50 = rs.getDouble(3);
        boolean none = rs.wasNull();
        double p99 = rs.getDouble(4);
        return new Stored(rs.getTimestamp(1), rs.getLong(2), none ? Double.NaN : p50 * 1000,
            none ? Double.NaN : p99 * 1000);
      }
    }
  }

  private static void writeCsv(List<Sample> samples) throws IOException {
    File csv = IngesterProcess.output("soak-samples.csv");
    try (PrintWriter out = new PrintWriter(csv, java.nio.charset.StandardCharsets.UTF_8)) {
      out.println("minute,rss_mb,heap_after_gc_mb,gcs,slot_lag_kb,commit_to_stored_p50_ms,commit_to_stored_p99_ms,"
          + "written_per_s,stored_per_s");
      for (Sample s : samples) {
        out.printf(java.util.Locale.ROOT, "%.3f,%.1f,%.1f,%d,%.1f,%.1f,%.1f,%.0f,%.0f%n", s.minutes(), s.rssMb(),
            s.heapAfterGcMb(), s.collections(), s.slotLagKb(), s.commitToStoredP50Ms(), s.commitToStoredP99Ms(),
            s.writtenPerSecond(), s.storedPerSecond());
      }
    }
    System.out.println("wrote " + csv.getPath());
  }

  private static void charts(List<Sample> samples) throws IOException {
    Charts.lines("bench-soak-memory.png", "Soak: ingester memory over time", "minutes", "MB",
        List.of(series("RSS", samples, Sample::rssMb), series("heap after GC", samples, Sample::heapAfterGcMb)),
        false);
    Charts.lines("bench-soak-lag.png", "Soak: ingester lag over time (log scale)", "minutes", "ms · kB",
        List.of(series("commit-to-stored p50 (ms)", samples, Sample::commitToStoredP50Ms),
            series("commit-to-stored p99 (ms)", samples, Sample::commitToStoredP99Ms),
            series("slot lag (kB unconfirmed WAL)", samples, Sample::slotLagKb)), true);
  }

  private static Charts.Series series(String name, List<Sample> samples, ToDoubleFunction<Sample> value) {
    List<double[]> points = new ArrayList<>();
    for (Sample s : samples) {
      double y = value.applyAsDouble(s);
      if (!Double.isNaN(y)) {
        points.add(new double[] {s.minutes(), y});
      }
    }
    return new Charts.Series(name, points);
  }
}

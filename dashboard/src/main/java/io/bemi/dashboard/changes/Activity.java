package io.bemi.dashboard.changes;

import io.bemi.history.Operation;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Changes over time by table and by operation, and the most frequent context values, for one
 * time window ending now, of every source or of one. The counts come from the per-minute rollup
 * bemi.activity (kept as changes are stored), so a window costs at most one row per minute ×
 * table × operation, never a scan of its changes; buckets are sums of its minutes by
 * {@code date_bin} (PostgreSQL 14+).
 */
public final class Activity {

  /** A window the Activity page offers, with the bucket width its charts use. */
  public enum Window {
    HOUR("1h", Duration.ofHours(1), Duration.ofMinutes(2)),
    DAY("24h", Duration.ofDays(1), Duration.ofHours(1)),
    WEEK("7d", Duration.ofDays(7), Duration.ofHours(6)),
    MONTH("30d", Duration.ofDays(30), Duration.ofDays(1));

    public final String label;
    public final Duration length;
    public final Duration bucket;

    Window(String label, Duration length, Duration bucket) {
      this.label = label;
      this.length = length;
      this.bucket = bucket;
    }

    public static Window parse(String text) {
      if (text == null || text.isBlank()) {
        return DAY;
      }
      for (Window w : values()) {
        if (w.label.equals(text.trim())) {
          return w;
        }
      }
      throw new BadRequestException("window '" + text + "' is not offered; use 1h, 24h, 7d or 30d");
    }
  }

  public record Count(Instant bucket, String table, Operation operation, long changes) {}

  public record ContextValue(String key, String value, long changes) {}

  /** {@code source} null: every source. Buckets oldest first; series keyed by table / operation hold one count per bucket. */
  public record Report(
      Window window,
      String source,
      Instant from,
      Instant to,
      List<Instant> buckets,
      Map<String, long[]> byTable,
      Map<Operation, long[]> byOperation,
      long total,
      List<ContextValue> topContext) {}

  public static final int CONTEXT_SAMPLE = 5_000;

  private final ChangeRepository repository;

  public Activity(ChangeRepository repository) {
    this.repository = repository;
  }

  /** {@code source}: only the changes from that source; null: every source. */
  public Report report(Window window, String source, Instant now) {
    long bucketSeconds = window.bucket.toSeconds();
    Instant to = Instant.ofEpochSecond((now.getEpochSecond() / bucketSeconds + 1) * bucketSeconds);
    Instant from = to.minus(window.length);
    List<Count> counts = repository.aggregate(
        "SELECT date_bin(?::interval, bucket, TIMESTAMPTZ '2000-01-01 00:00:00+00'),"
            + " schema || '.' || \"table\", operation, sum(changes)::bigint"
            + " FROM {activity} WHERE bucket >= ? AND bucket < ?" + ofSource(source) + " GROUP BY 1, 2, 3",
        params(source, bucketSeconds + " seconds", ChangeRepository.utc(from), ChangeRepository.utc(to)),
        rs -> new Count(rs.getTimestamp(1).toInstant(), rs.getString(2), Operation.valueOf(rs.getString(3)), rs.getLong(4)));
    List<Instant> buckets = new ArrayList<>();
    for (Instant b = from; b.isBefore(to); b = b.plusSeconds(bucketSeconds)) {
      buckets.add(b);
    }
    Map<String, long[]> byTable = new TreeMap<>();
    Map<Operation, long[]> byOperation = new LinkedHashMap<>();
    for (Operation op : Operation.values()) {
      byOperation.put(op, new long[buckets.size()]);
    }
    long total = 0;
    for (Count c : counts) {
      int i = (int) (ChronoUnit.SECONDS.between(from, c.bucket()) / bucketSeconds);
      if (i < 0 || i >= buckets.size()) {
        continue;
      }
      byTable.computeIfAbsent(c.table(), t -> new long[buckets.size()])[i] += c.changes();
      byOperation.get(c.operation())[i] += c.changes();
      total += c.changes();
    }
    byOperation.values().removeIf(series -> Arrays.stream(series).sum() == 0);
    return new Report(window, source, from, to, List.copyOf(buckets), byTable, byOperation, total, topContext(from, to, source));
  }

  /**
   * The five most frequent scalar values of the five most used context keys, among the newest
   * {@value #CONTEXT_SAMPLE} changes of the window (bounded cost however busy the window was).
   */
  private List<ContextValue> topContext(Instant from, Instant to, String source) {
    return repository.aggregate(
        "WITH pairs AS ("
            + "  SELECT e.key, e.value #>> '{}' AS value, count(*) AS n"
            + "  FROM (SELECT context FROM {changes} WHERE committed_at >= ? AND committed_at < ?" + ofSource(source)
            + "        ORDER BY committed_at DESC LIMIT " + CONTEXT_SAMPLE + ") recent, jsonb_each(recent.context) e"
            + "  WHERE jsonb_typeof(e.value) IN ('string', 'number', 'boolean')"
            + "  GROUP BY 1, 2),"
            + " keys AS (SELECT key, sum(n) AS total FROM pairs GROUP BY key ORDER BY total DESC, key LIMIT 5),"
            + " ranked AS (SELECT p.*, k.total, row_number() OVER (PARTITION BY p.key ORDER BY p.n DESC, p.value) AS r"
            + "  FROM pairs p JOIN keys k USING (key))"
            + " SELECT key, value, n FROM ranked WHERE r <= 5 ORDER BY total DESC, key, n DESC, value",
        params(source, ChangeRepository.utc(from), ChangeRepository.utc(to)),
        rs -> new ContextValue(rs.getString(1), rs.getString(2), rs.getLong(3)));
  }

  private static String ofSource(String source) {
    return source == null ? "" : " AND source = ?";
  }

  /** {@code params}, then {@code source} when the query is of one source (see ofSource). */
  private static List<Object> params(String source, Object... params) {
    List<Object> all = new ArrayList<>(Arrays.asList(params));
    if (source != null) {
      all.add(source);
    }
    return all;
  }
}

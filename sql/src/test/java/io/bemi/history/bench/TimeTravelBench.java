package io.bemi.history.bench;

import io.bemi.sql.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * Times the time-travel functions over a large generated trail (not a unit test).
 *
 * <pre>
 * ./mvnw -q -o -pl sql test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.bemi.history.bench.TimeTravelBench [-Dexec.args=10000000]
 * </pre>
 *
 * <p>Several sizes ({@code -Dexec.args=10000000,30000000}) grow one trail and time the queries at
 * each: the first size is generated as below, each next one adds changes of the ten other tables
 * (a growth curve in one run).
 *
 * <p>The trail (default 1,000,000 changes; pass 10000000 for the 10M) is generated inside
 * PostgreSQL with one INSERT ... SELECT generate_series: 5 changes per transaction, one commit every
 * 10 ms of fake time, each transaction with context {"requestId": "req-N", "userId": N % 1000}.
 * Table public.accounts gets 500,000 of them spread evenly over the whole trail: 100,000 rows, each
 * created once and updated four times. The rest go to ten other tables, about 20 changes per key.
 * A hot row, public.warehouse 1, gets 25,000 changes spread over the same span (its history is
 * timed whole and by pages of 1,000). The indexes are those of the migrations, built after the
 * load; bemi.activity is counted after it too (the trigger is off during the load).
 *
 * <p>Last, restores public.accounts to the instant 10,000 of its changes ago (restore_counts,
 * restore_table_sql, then the statement run on a source table built from the trail);
 * {@code -Dbench.restoreOnly=true} skips the query timings.
 *
 * <p>{@code -Dbench.dataDir=/some/dir} keeps the database there, and the sizes it was grown
 * through: a later run that asks for those sizes first reuses that trail (the 10M trail takes half
 * an hour to build on a busy machine) and grows it through the sizes that follow; it times the
 * queries at the reused trail's size and at each new one. The migrations still run, so changed
 * functions are re-created. {@code -Dbench.csv=FILE} appends {@code size,"query",median ms,p95 ms}
 * per query and size, which {@code io.bemi.bench.GrowthChart} draws.
 *
 * <p>Prints, per query: median and p95 over repeated runs with different keys/instants (and the
 * runs in order when there are 10 or fewer, so a slow first run on a cold cache shows), the
 * target from the issue, the ratio to a baseline measured in the same run (a lookup of one change
 * by its id), and the plans of one run with EXPLAIN ANALYZE/BUFFERS detail, including the plans of
 * the statements inside the SQL functions (auto_explain with nested statements).
 */
public final class TimeTravelBench {

  private static final int ACCOUNT_ROWS = 100_000;
  private static final int ACCOUNT_CHANGES = 5 * ACCOUNT_ROWS;
  private static final int HOT_ROW_CHANGES = 25_000;
  private static final int HISTORY_PAGE = 1_000;

  /** The trail size being timed, for {@code -Dbench.csv}. */
  private static long timedSize;

  private TimeTravelBench() {}

  public static void main(String[] args) throws Exception {
    long[] sizes = Arrays.stream((args.length > 0 ? args[0] : "1000000").replace("_", "").split(","))
        .mapToLong(Long::parseLong).toArray();
    long first = sizes[0];
    if (first < 2L * ACCOUNT_CHANGES) {
      throw new IllegalArgumentException("Need at least " + 2 * ACCOUNT_CHANGES + " changes");
    }
    String dataDir = System.getProperty("bench.dataDir");
    EmbeddedPostgres.Builder builder = server();
    Path generated = null;
    if (dataDir != null) {
      builder.setDataDirectory(Path.of(dataDir)).setCleanDataDirectory(false);
      generated = Path.of(dataDir, "bemi-bench-trail");
    }
    List<Long> built = generated != null && Files.exists(generated) ? sizesIn(Files.readString(generated)) : List.of();
    if (built.size() > sizes.length || !built.equals(Arrays.stream(sizes).limit(built.size()).boxed().toList())) {
      throw new IllegalArgumentException("The trail in " + dataDir + " was grown through the sizes " + built
          + ": ask for those first (more may follow), or give another -Dbench.dataDir");
    }
    try (EmbeddedPostgres pg = builder.start()) {
      Migrations.migrate(pg.getPostgresDatabase(), "bemi");
      try (Connection c = pg.getPostgresDatabase().getConnection()) {
        long from = 0;
        for (int i = 0; i < sizes.length; i++) {
          long size = sizes[i];
          boolean reused = i < built.size();
          if (!reused) {
            generate(c, from, size, first);
            if (generated != null) { // a later run grows the trail on from here
              Files.writeString(generated, Arrays.toString(Arrays.copyOf(sizes, i + 1)));
            }
          }
          from = size;
          if (reused && i < built.size() - 1) {
            System.out.printf("%n######## %,d changes: the reused trail holds %,d already, not timed at this size%n", size,
                built.get(built.size() - 1));
          } else if (!Boolean.getBoolean("bench.restoreOnly")) {
            System.out.printf("%n######## %,d changes (load average %s)%n", size, loadAverage());
            timedSize = size;
            run(c, size, first);
          }
        }
        restore(c, first);
      }
    }
  }

  /** The server the trail is generated and timed on (TableAsOfColdBench starts it on a kept trail too). */
  static EmbeddedPostgres.Builder server() {
    return EmbeddedPostgres.builder()
        .setPGStartupWait(Duration.ofSeconds(60))
        .setServerConfig("shared_buffers", "256MB")
        .setServerConfig("max_wal_size", "4GB")
        .setServerConfig("synchronous_commit", "off")
        .setServerConfig("TimeZone", "UTC");
  }

  private static List<Long> sizesIn(String recorded) {
    String list = recorded.trim().replaceAll("[\\[\\] ]", "");
    return list.isEmpty() ? List.of() : Arrays.stream(list.split(",")).map(Long::valueOf).toList();
  }

  /** The machine's load average (/proc/loadavg), printed beside figures measured on a shared machine. */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  /**
   * Changes {@code from} (inclusive) to {@code to} (exclusive) of the trail; public.accounts and
   * the hot row get theirs in the first {@code first} changes, later ones go to the ten other
   * tables (a trail that grows around the records the queries look up).
   */
  private static void generate(Connection c, long from, long to, long first) throws SQLException {
    long started = System.nanoTime();
    List<String> indexes = new ArrayList<>();
    try (Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'bemi'"
          + " AND tablename = 'changes' AND indexname NOT IN ('changes_pkey', 'changes_commit_change_key')")) {
        while (rs.next()) {
          indexes.add(rs.getString(2).replace(" ON ONLY ", " ON ")); // a partitioned index: build it on every partition
          s.getConnection().createStatement().execute("DROP INDEX bemi." + rs.getString(1));
        }
      }
      // The activity counts of a load this size are one GROUP BY after it, as the migration does.
      s.execute("ALTER TABLE bemi.changes DISABLE TRIGGER changes_count_activity");
      long stride = first / ACCOUNT_CHANGES;
      long otherKeys = Math.max(1, (to - from - (from == 0 ? ACCOUNT_CHANGES : 0)) / 20);
      // g: global change number = commit order. Every stride-th change belongs to public.accounts.
      s.execute("INSERT INTO bemi.changes (id, primary_key, before, after, context, database, schema, \"table\", operation,"
          + " committed_at, queued_at, created_at, transaction_id, position, commit_lsn, change_index)"
          + " SELECT gen_random_uuid(), k::text,"
          + "   CASE WHEN op = 'UPDATE' THEN jsonb_build_object('id', k, 'balance', v - 1, 'name', 'name ' || k) ELSE '{}' END,"
          + "   jsonb_build_object('id', k, 'balance', v, 'name', 'name ' || k),"
          + "   jsonb_build_object('requestId', 'req-' || (g / 5), 'userId', (g / 5) % 1000),"
          + "   'bench', 'public', tbl, op, t, t, t, 1000 + g / 5, g, (g / 5) * 100, (g % 5)::int"
          + " FROM (SELECT g,"
          + "         CASE WHEN g % " + stride + " = 0 AND g / " + stride + " < " + ACCOUNT_CHANGES
          + "              THEN 'accounts' ELSE 'table_' || (g % 10) END AS tbl,"
          + "         CASE WHEN g % " + stride + " = 0 AND g / " + stride + " < " + ACCOUNT_CHANGES
          + "              THEN (g / " + stride + ") % " + ACCOUNT_ROWS + " ELSE (g * 7919) % " + otherKeys + " END AS k,"
          + "         CASE WHEN g % " + stride + " = 0 AND g / " + stride + " < " + ACCOUNT_ROWS
          + "              THEN 'CREATE' ELSE 'UPDATE' END AS op,"
          + "         g % 100003 AS v," // prime: every version of an accounts row differs
          + "         " + instantOf("g") + " AS t"
          + "       FROM generate_series(" + from + "::bigint, " + (to - 1) + ") g) x");
      if (from == 0) {
        // The hot row: public.warehouse 1, updated by a transaction of its own every first/HOT_ROW_CHANGES changes.
        s.execute("INSERT INTO bemi.changes (primary_key, after, context, database, schema, \"table\", operation,"
            + " committed_at, queued_at, transaction_id, position, commit_lsn, change_index)"
            + " SELECT '1', jsonb_build_object('id', 1, 'ytd', i), '{}', 'bench', 'public', 'warehouse',"
            + "   CASE WHEN i = 0 THEN 'CREATE' ELSE 'UPDATE' END, t, t, 1, g, (g / 5) * 100 + 50, 0"
            + " FROM (SELECT i, g, " + instantOf("g") + " AS t"
            + "       FROM generate_series(0, " + (HOT_ROW_CHANGES - 1) + ") i,"
            + "            LATERAL (SELECT i * " + first / HOT_ROW_CHANGES + " AS g) x) y");
      }
      s.execute("INSERT INTO bemi.activity (bucket, source, schema, \"table\", operation, changes)"
          + " SELECT date_bin('1 minute', committed_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), source, schema, \"table\","
          + " operation, count(*) FROM bemi.changes WHERE position >= " + from + " GROUP BY 1, 2, 3, 4, 5"
          + " ON CONFLICT (bucket, source, schema, \"table\", operation) DO UPDATE SET changes = bemi.activity.changes + excluded.changes");
      s.execute("ALTER TABLE bemi.changes ENABLE TRIGGER changes_count_activity");
      long loaded = System.nanoTime();
      for (String index : indexes) {
        s.execute(index);
      }
      s.execute("VACUUM ANALYZE bemi.changes");
      System.out.printf("generated changes %,d to %,d in %.1f s, indexes and analyze %.1f s; table %s, indexes %s%n", from, to,
          (loaded - started) / 1e9, (System.nanoTime() - loaded) / 1e9,
          value(c, "SELECT pg_size_pretty(sum(pg_table_size(relid))) FROM pg_partition_tree('bemi.changes')"),
          value(c, "SELECT pg_size_pretty(sum(pg_indexes_size(relid))) FROM pg_partition_tree('bemi.changes')"));
    }
  }

  /** The commit time of change {@code g}: 5 changes per transaction, one commit every 10 ms. */
  private static String instantOf(String g) {
    return "timestamptz '2024-01-01' + (" + g + " / 5) * interval '10 ms'";
  }

  private interface Binder {
    void bind(PreparedStatement ps, Random random) throws SQLException;
  }

  private static void run(Connection c, long changes, long first) throws SQLException {
    Timestamp end = new Timestamp(Timestamp.valueOf("2024-01-01 00:00:00").getTime() + (changes / 5) * 10);
    Timestamp start = Timestamp.valueOf("2024-01-01 00:00:00");
    long otherKeys = Math.max(1, (first - ACCOUNT_CHANGES) / 20);
    long hotStride = first / HOT_ROW_CHANGES;

    double baseline = time(c, "lookup of one change by id (baseline)",
        "SELECT * FROM bemi.changes WHERE id = (SELECT id FROM bemi.changes WHERE commit_lsn = ? AND change_index = 0)",
        (ps, r) -> ps.setLong(1, (long) r.nextInt((int) (changes / 5)) * 100), 300, 0, 0);
    time(c, "record history (public.accounts, 5 changes)",
        "SELECT * FROM bemi.record_history('public.accounts', ?)",
        (ps, r) -> ps.setString(1, Integer.toString(r.nextInt(ACCOUNT_ROWS))), 300, 10, baseline);
    time(c, "record history (public.table_3, ~20 changes)",
        "SELECT * FROM bemi.record_history('public.table_3', ?)",
        (ps, r) -> ps.setString(1, Long.toString(pickKeyOfTable3(r, otherKeys))), 300, 10, baseline);
    time(c, "Bemi's documented record query on public.changes (public.accounts, 5 changes)",
        "SELECT * FROM public.changes WHERE \"table\" = 'accounts' AND primary_key = ? ORDER BY committed_at DESC",
        (ps, r) -> ps.setString(1, Integer.toString(r.nextInt(ACCOUNT_ROWS))), 20, 10, baseline);
    time(c, "hot row history, unpaged (public.warehouse 1, " + HOT_ROW_CHANGES + " changes)",
        "SELECT * FROM bemi.record_history('public.warehouse', '1')", (ps, r) -> { }, 5, 0, baseline);
    time(c, "hot row history, first page of " + HISTORY_PAGE,
        "SELECT * FROM bemi.record_history('public.warehouse', '1', " + HISTORY_PAGE + ")", (ps, r) -> { }, 100, 0, baseline);
    time(c, "hot row history, a page of " + HISTORY_PAGE + " after a random cursor",
        "SELECT * FROM bemi.record_history('public.warehouse', '1', " + HISTORY_PAGE + ", ?, 0)",
        (ps, r) -> ps.setLong(1, (r.nextInt(HOT_ROW_CHANGES - HISTORY_PAGE) * hotStride / 5) * 100 + 50), 100, 0, baseline);
    String activity = "SELECT date_bin('3600 seconds'::interval, bucket, TIMESTAMPTZ '2000-01-01 00:00:00+00'),"
        + " schema || '.' || \"table\", operation, sum(changes)::bigint FROM bemi.activity"
        + " WHERE bucket >= ? AND bucket < ? GROUP BY 1, 2, 3";
    Binder lastDay = (ps, r) -> {
      ps.setTimestamp(1, new Timestamp(end.getTime() - 86_400_000L));
      ps.setTimestamp(2, end);
    };
    time(c, "activity of the last 24 hours from bemi.activity (the dashboard's query)", activity, lastDay, 50, 200, baseline);
    time(c, "activity of the last 24 hours scanning bemi.changes (before the rollup)",
        activity.replace("bucket, TIMESTAMPTZ", "committed_at, TIMESTAMPTZ").replace("sum(changes)::bigint", "count(*)")
            .replace("bemi.activity", "bemi.changes").replace("WHERE bucket >= ? AND bucket < ?", "WHERE committed_at >= ? AND committed_at < ?"),
        lastDay, 3, 0, baseline);
    time(c, "record as of a random instant (public.accounts)",
        "SELECT bemi.record_as_of('public.accounts', ?, ?)",
        (ps, r) -> {
          ps.setString(1, Integer.toString(r.nextInt(ACCOUNT_ROWS)));
          ps.setTimestamp(2, new Timestamp(start.getTime() + (long) (r.nextDouble() * (end.getTime() - start.getTime()))));
        }, 300, 10, baseline);
    time(c, "context lookup {requestId} (5 changes)",
        "SELECT * FROM bemi.context_changes(jsonb_build_object('requestId', ?::text))",
        (ps, r) -> ps.setString(1, "req-" + r.nextInt((int) (changes / 5))), 300, 50, baseline);
    time(c, "table as of the end (public.accounts, 100,000 rows)",
        "SELECT count(*), sum(length(\"row\"::text)) FROM bemi.table_as_of('public.accounts', ?)",
        (ps, r) -> ps.setTimestamp(1, end), 5, 2000, baseline);
    time(c, "table as of the middle (public.accounts)",
        "SELECT count(*), sum(length(\"row\"::text)) FROM bemi.table_as_of('public.accounts', ?)",
        (ps, r) -> ps.setTimestamp(1, new Timestamp((start.getTime() + end.getTime()) / 2)), 5, 2000, baseline);
  }

  /**
   * Restore public.accounts (100,000 rows) to the instant 10,000 of its changes ago: the source
   * table is created from the trail's newest state, then the dry run, the statement's generation
   * and its execution are timed once each, and the table is checked against table_as_of.
   */
  private static void restore(Connection c, long changes) throws SQLException {
    long stride = changes / ACCOUNT_CHANGES;
    long g = (ACCOUNT_CHANGES - 10_000L) * stride; // the change 10,000 accounts changes before the last
    Timestamp at = new Timestamp(Timestamp.valueOf("2024-01-01 00:00:00").getTime() + (g / 5) * 10 - 1);
    try (Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS public.accounts"); // a reused trail's (bench.dataDir) earlier run
      s.execute("CREATE TABLE public.accounts (id int PRIMARY KEY, balance int, name text)");
      s.execute("INSERT INTO public.accounts SELECT r.* FROM bemi.table_as_of('public.accounts', 'infinity') t,"
          + " jsonb_populate_record(NULL::public.accounts, t.\"row\") r");
      s.execute("VACUUM ANALYZE public.accounts");
    }
    System.out.printf("%n== restore public.accounts (100,000 rows) to %s, 10,000 of its changes ago%n", at);
    long t0 = System.nanoTime();
    String counts = value(c, "SELECT string_agg(format('%s: %s inserts, %s updates, %s deletes', table_name, inserts, updates,"
        + " deletes), '; ') FROM bemi.restore_counts(ARRAY['public.accounts'], '" + at + "+00')");
    long t1 = System.nanoTime();
    String sql = value(c, "SELECT bemi.restore_table_sql('public.accounts', '" + at + "+00')");
    long t2 = System.nanoTime();
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
    c.commit();
    c.setAutoCommit(autoCommit);
    long t3 = System.nanoTime();
    String differing = value(c, "SELECT count(*) FROM (SELECT to_jsonb(a) FROM public.accounts a EXCEPT"
        + " SELECT \"row\" FROM bemi.table_as_of('public.accounts', '" + at + "+00')) d");
    System.out.printf("   dry run (restore_counts) %.2f s: %s%n", (t1 - t0) / 1e9, counts);
    System.out.printf("   statement (restore_table_sql) %.2f s, %,d characters%n", (t2 - t1) / 1e9, sql.length());
    System.out.printf("   executed on the source %.2f s; rows differing from table_as_of afterwards: %s%n", (t3 - t2) / 1e9, differing);
    System.out.printf("   total %.2f s%n", (t3 - t0) / 1e9);
    System.out.printf("   load average (1, 5, 15 min) %s%n", loadAverage());
  }

  /** A key that table_3 has: keys of change g are (g * 7919) % otherKeys with g % 10 = 3. */
  private static long pickKeyOfTable3(Random r, long otherKeys) {
    long g = r.nextInt((int) Math.min(Integer.MAX_VALUE, otherKeys * 20 / 10)) * 10L + 3;
    return (g * 7919) % otherKeys;
  }

  private static double time(Connection c, String name, String sql, Binder binder, int runs, double targetMs,
      double baselineMs) throws SQLException {
    Random random = new Random(42);
    double[] ms = new double[runs];
    long rows = 0;
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < runs; i++) {
        binder.bind(ps, random);
        long t0 = System.nanoTime();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rows++;
          }
        }
        ms[i] = (System.nanoTime() - t0) / 1e6;
      }
    }
    String inOrder = runs <= 10 // a few slow queries: show whether the first, cold run is the slow one
        ? Arrays.stream(ms).mapToObj(m -> String.format(Locale.ROOT, "%.0f", m))
            .collect(Collectors.joining(", ", "; runs in order: ", " ms"))
        : "";
    Arrays.sort(ms);
    double median = ms[runs / 2];
    double p95 = ms[Math.min(runs - 1, (int) Math.ceil(runs * 0.95) - 1)];
    String csv = System.getProperty("bench.csv");
    if (csv != null) { // one line per query and size, for a growth chart
      try {
        Files.writeString(Path.of(csv), String.format(Locale.ROOT, "%d,\"%s\",%.3f,%.3f%n", timedSize, name,
            median, p95), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    System.out.printf("%n== %s: median %.2f ms, p95 %.2f ms over %d runs (%.1f rows/run)%s%s%s%n", name, median, p95, runs,
        (double) rows / runs,
        targetMs > 0 ? String.format(", target < %.0f ms: %s", targetMs, p95 < targetMs ? "met" : "NOT MET") : "",
        baselineMs > 0 ? String.format(", %.1fx the baseline", median / baselineMs) : "", inOrder);
    // The plans, nested ones included (the functions' own statements): auto_explain logs them and
    // client_min_messages = log sends the log lines to this session as warnings.
    try (Statement s = c.createStatement()) {
      s.execute("LOAD 'auto_explain'");
      s.execute("SET auto_explain.log_min_duration = 0");
      s.execute("SET auto_explain.log_analyze = on");
      s.execute("SET auto_explain.log_buffers = on");
      s.execute("SET auto_explain.log_timing = on");
      s.execute("SET auto_explain.log_nested_statements = on");
      s.execute("SET client_min_messages = log");
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        binder.bind(ps, new Random(7));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            // drain
          }
        }
        for (java.sql.SQLWarning w = ps.getWarnings(); w != null; w = w.getNextWarning()) {
          System.out.println("   " + w.getMessage().replace("\n", "\n   "));
        }
      } finally {
        s.execute("RESET client_min_messages");
        s.execute("SET auto_explain.log_min_duration = -1");
      }
    }
    return median;
  }

  private static String value(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}

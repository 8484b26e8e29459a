package io.bemi.history.bench;

import static io.bemi.history.bench.CompactionBench.value;

import io.bemi.sql.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.Comparator;

/**
 * What taking the tables' states ({@code refresh_compacted_states}, R__5) costs as a trail grows
 * month by month (not a unit test): a synthetic trail of MONTHS closed months of CHANGES changes each
 * (four tables of 100,000 keys: the first month creates them, the rest update them, one change in
 * 997 a DELETE), every month but the last compacted and the states taken; then the last month
 * compacted and the states extended with it; then every state made stale and taken again from
 * every compacted change (its rows kept and compared: only those that differ are written), and
 * taken from nothing (the rows deleted first: the baseline), in the same run, each checked identical
 * to the extended states; then the cost of one late change.
 *
 * <pre>
 * ./mvnw -q -o -pl sql test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.bemi.history.bench.StateRefreshBench [-Dexec.args="MONTHS CHANGES"]
 * </pre>
 *
 * <p>Defaults: 6 months of 1,000,000 changes (about 3 GB of disk in a temporary directory, deleted
 * at the end). {@code -Dbench.keysPerMonth=N} (default 100,000: all) makes each month after the
 * first update N keys of each table, a different range each month. {@code -Dbench.explain=true}
 * prints the plan and time of each statement inside the refresh that takes over a second.
 */
public final class StateRefreshBench {

  private static final String STATES_MD5 = "SELECT md5(string_agg(\"table\" || ' ' || primary_key || ' ' || commit_lsn"
      + " || '/' || change_index || ' ' || \"row\"::text, ';' ORDER BY \"table\", primary_key)) FROM bemi.compacted_states";

  /** How many keys of each table a month updates (after the first 100,000 changes of a table create them all). */
  private static final int KEYS_PER_MONTH = Integer.getInteger("bench.keysPerMonth", 100_000);

  private StateRefreshBench() {}

  public static void main(String[] args) throws Exception {
    int months = args.length > 0 ? Integer.parseInt(args[0]) : 6;
    long changes = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000;
    Path dataDir = Files.createTempDirectory("bemi-state-refresh");
    try (EmbeddedPostgres pg = TimeTravelBench.server().setDataDirectory(dataDir).setCleanDataDirectory(true).start();
         Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      Migrations.migrate(pg.getPostgresDatabase(), "bemi");
      s.execute("SET maintenance_work_mem = '1GB'");
      long started = System.nanoTime();
      for (int m = 0; m < months; m++) {
        writeMonth(s, months, m, changes);
      }
      s.execute("ANALYZE bemi.changes");
      System.out.printf("trail: %d closed months of %,d changes (4 tables of 100,000 keys, %,d of them updated a month),"
          + " written in %,d ms, %s; load average %s%n", months, changes, KEYS_PER_MONTH, millisSince(started),
          value(s, "SELECT pg_size_pretty(sum(pg_total_relation_size(relid))) FROM pg_partition_tree('bemi.changes')"),
          TimeTravelBench.loadAverage());

      String last = value(s, "SELECT 'changes_' || to_char(date_trunc('month', now()) - interval '1 month', 'YYYY_MM')");
      long compactStarted = System.nanoTime();
      s.execute("SELECT bemi.compact_partition(p) FROM bemi.partitions_to_compact(now()) p WHERE p <> '" + last + "'");
      System.out.printf("compacted the first %d months in %,d ms%n", months - 1, millisSince(compactStarted));
      refresh(s, "the states at the end of month " + (months - 1) + ", none before");

      compactStarted = System.nanoTime();
      s.execute("SELECT bemi.compact_partition('" + last + "')");
      System.out.printf("compacted month %d (%s) in %,d ms%n", months, last, millisSince(compactStarted));
      long extended = refresh(s, "extended with month " + months);
      String extendedMd5 = value(s, STATES_MD5);

      s.execute("DELETE FROM bemi.compacted_state_tables");
      long again = refresh(s, "all stale, taken again from all " + months + " months (their rows compared)");
      String againMd5 = value(s, STATES_MD5);
      s.execute("DELETE FROM bemi.compacted_state_tables");
      s.execute("DELETE FROM bemi.compacted_states");
      s.execute("VACUUM bemi.compacted_states");
      long full = refresh(s, "taken from nothing from all " + months + " months (the baseline)");
      String fullMd5 = value(s, STATES_MD5);
      System.out.printf("extended / taken from nothing: %.2f; taken again / taken from nothing: %.2f;"
          + " states identical: %s (%s rows, %s)%n", (double) extended / full, (double) again / full,
          extendedMd5.equals(fullMd5) && againMd5.equals(fullMd5),
          value(s, "SELECT sum(rows) FROM bemi.compacted_state_tables"),
          value(s, "SELECT pg_size_pretty(pg_total_relation_size('bemi.compacted_states'))"));
      if (!extendedMd5.equals(fullMd5) || !againMd5.equals(fullMd5)) {
        throw new AssertionError("the states extended (" + extendedMd5 + ") or taken again (" + againMd5
            + ") differ from those taken from nothing (" + fullMd5 + ")");
      }

      s.execute("INSERT INTO bemi.changes (primary_key, after, database, schema, \"table\", operation, committed_at,"
          + " queued_at, transaction_id, position, commit_lsn, change_index)"
          + " SELECT 'late', '{\"id\": \"late\"}', database, schema, \"table\", 'CREATE', committed_at, queued_at,"
          + " transaction_id, position, commit_lsn, 1000"
          + " FROM bemi.changes WHERE \"table\" = 't0' ORDER BY committed_at LIMIT 1");
      System.out.printf("one late change stored into month 1: %s of 4 tables' states still current%n",
          value(s, "SELECT count(*) FROM bemi.compacted_state_tables"));
      long late = refresh(s, "after the late change");
      System.out.printf("after a late change / taken from nothing: %.2f%n", (double) late / full);
    } finally {
      deleteTree(dataDir);
    }
  }

  /** Deletes a benchmark's temporary data directory, if it is still there. */
  static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Month {@code m} of {@code months}, the last ending where this month begins, in a partition of its own. */
  static void writeMonth(Statement s, int months, int m, long changes) throws SQLException {
    String from = "date_trunc('month', now()) - interval '" + (months - m) + " months'";
    String partition = value(s, "SELECT 'changes_' || to_char(" + from + ", 'YYYY_MM')");
    if (m == 0) {
      s.execute("ALTER TABLE bemi.changes DETACH PARTITION bemi.changes_history");
      s.execute("DO $$ BEGIN EXECUTE format('ALTER TABLE bemi.changes ATTACH PARTITION bemi.changes_history"
          + " FOR VALUES FROM (MINVALUE) TO (%L)', " + from + "); END $$");
    }
    s.execute("DO $$ BEGIN EXECUTE format('CREATE TABLE bemi.%I PARTITION OF bemi.changes FOR VALUES FROM (%L) TO (%L)', '"
        + partition + "', " + from + ", " + from + " + interval '1 month'); END $$");
    long first = m * changes;
    s.execute("INSERT INTO bemi." + partition + " (primary_key, after, database, schema, \"table\", operation, committed_at,"
        + " queued_at, transaction_id, position, commit_lsn, change_index)"
        + " SELECT x.k::text, CASE WHEN x.op = 'DELETE' THEN '{}' ELSE jsonb_build_object('id', x.k, 'balance', x.g,"
        + "   'email', 'user' || x.k || '@example.com', 'note', md5(x.g::text)) END,"
        + " 'bench', 'public', 't' || (x.g % 4), x.op, x.at, x.at, x.g / 10, x.g * 100, (x.g / 10) * 1000 + 999, x.g % 10"
        + " FROM (SELECT g, CASE WHEN g / 4 < 100000 THEN ((g / 4) * 7919) % 100000"
        + "                      ELSE (((g / 4) * 7919) % " + KEYS_PER_MONTH + " + " + m + " * " + KEYS_PER_MONTH + ") % 100000 END AS k,"
        + "              " + from + " + (g - " + first + ") * (interval '27 days' / " + changes + ") AS at,"
        + "              CASE WHEN g / 4 < 100000 THEN 'CREATE' WHEN g % 997 = 0 THEN 'DELETE' ELSE 'UPDATE' END AS op"
        + "         FROM generate_series(" + first + "::bigint, " + (first + changes - 1) + ") g) x");
  }

  /** Runs refresh_compacted_states, prints what it did and how long it took; returns the milliseconds. */
  private static long refresh(Statement s, String what) throws SQLException {
    if (Boolean.getBoolean("bench.explain")) {
      // the plans of the statements inside taking over a second, with their times, as LOG messages
      s.execute("LOAD 'auto_explain'");
      s.execute("SET auto_explain.log_min_duration = 1000");
      s.execute("SET auto_explain.log_analyze = on");
      s.execute("SET auto_explain.log_nested_statements = on");
    }
    s.execute(Boolean.getBoolean("bench.explain") ? "SET client_min_messages = log" : "SET client_min_messages = notice");
    s.clearWarnings();
    long started = System.nanoTime();
    String done = value(s, "SELECT format('%s extended, %s taken from all their changes; %s rows inserted, updated or deleted',"
        + " extended, taken, rows_written) FROM bemi.refresh_compacted_states()");
    long millis = millisSince(started);
    for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
      if (w.getMessage().startsWith("duration:")) {
        System.out.println(w.getMessage());
      }
    }
    s.execute("SET client_min_messages = notice");
    s.execute("VACUUM (ANALYZE) bemi.compacted_states");
    System.out.printf("refresh_compacted_states(), %s: %s, in %,d ms; %s rows in all%n", what, done, millis,
        value(s, "SELECT sum(rows) FROM bemi.compacted_state_tables"));
    return millis;
  }

  private static long millisSince(long started) {
    return (System.nanoTime() - started) / 1_000_000;
  }
}

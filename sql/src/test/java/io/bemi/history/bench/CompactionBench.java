package io.bemi.history.bench;

import io.bemi.sql.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A closed partition rewritten in record order ({@code compact_partition}), then each table's state
 * at its end taken ({@code refresh_compacted_states}), measured as a user meets them (not a unit
 * test): the first {@code table_as_of} of a 100,000-row table on a cold cache before the rewrite,
 * after it, and after the states, on the same trail in one run, with the cost of each step and a
 * check that the answer is the same row for row. A copy compacted by an earlier run starts at the
 * states.
 *
 * <pre>
 * ./mvnw -q -o -pl sql test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.bemi.history.bench.CompactionBench -Dexec.args="DATA_DIR [ROUNDS]"
 * </pre>
 *
 * <p>DATA_DIR is a copy of a trail kept by {@code TimeTravelBench -Dbench.dataDir=…} (its changes
 * all lie in {@code changes_history}, which this rewrites: use a copy). Each cold run follows a
 * server stop, a dropped page cache and a start, as in {@link TableAsOfColdBench}.
 */
public final class CompactionBench {

  /** What is timed: the same read as {@link TableAsOfColdBench}'s. */
  private static final String READ = "SELECT count(*), sum(length(\"row\"::text))"
      + " FROM bemi.table_as_of('public.accounts', 'infinity')";
  /** What is compared before and after: every row. */
  private static final String ANSWER = "SELECT count(*), md5(string_agg(primary_key || \"row\"::text, ',' ORDER BY primary_key))"
      + " FROM bemi.table_as_of('public.accounts', 'infinity')";

  private CompactionBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      throw new IllegalArgumentException("usage: CompactionBench DATA_DIR [ROUNDS]: a copy of a trail kept by "
          + "TimeTravelBench -Dbench.dataDir=…");
    }
    Path dataDir = Path.of(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    String answerBefore;
    boolean compactedAlready;
    try (EmbeddedPostgres pg = TableAsOfColdBench.start(dataDir); Connection c = pg.getPostgresDatabase().getConnection();
         Statement s = c.createStatement()) {
      Migrations.migrate(pg.getPostgresDatabase(), "bemi");
      System.out.printf("trail of %s changes in %s, %s; load average %s%n", value(s, "SELECT count(*) FROM bemi.changes"),
          dataDir, value(s, "SELECT pg_size_pretty(pg_total_relation_size('bemi.changes_history'))"),
          TimeTravelBench.loadAverage());
      compactedAlready = value(s, "SELECT count(*) FROM bemi.compacted_partitions").equals("1");
      s.execute("DELETE FROM bemi.compacted_state_tables");
      answerBefore = value(s, ANSWER);
    }
    if (compactedAlready) {
      System.out.println(dataDir + " is compacted already: measuring the states only");
      states(dataDir, rounds, answerBefore, coldRuns(dataDir, rounds, "after compaction"));
      return;
    }
    List<Long> before = coldRuns(dataDir, rounds, "before compaction");

    try (EmbeddedPostgres pg = TableAsOfColdBench.start(dataDir); Connection c = pg.getPostgresDatabase().getConnection();
         Statement s = c.createStatement()) {
      s.execute("SET maintenance_work_mem = '1GB'");
      long started = System.nanoTime();
      String rows = value(s, "SELECT bemi.compact_partition('changes_history')");
      long compacted = System.nanoTime();
      s.execute("VACUUM (ANALYZE) bemi.changes_history");
      long vacuumed = System.nanoTime();
      System.out.printf("compact_partition('changes_history'): %s rows in %,d ms, then VACUUM (ANALYZE) %,d ms; now %s%n",
          rows, (compacted - started) / 1_000_000, (vacuumed - compacted) / 1_000_000,
          value(s, "SELECT pg_size_pretty(pg_total_relation_size('bemi.changes_history'))"));
      compareAnswer(s, answerBefore, "after compaction");
    }
    List<Long> after = coldRuns(dataDir, rounds, "after compaction");
    printMedians("before", before, "after", after);
    states(dataDir, rounds, answerBefore, after);
  }

  /** Takes the states, checks the answer and measures the cold runs against {@code compacted}'s. */
  private static void states(Path dataDir, int rounds, String answerBefore, List<Long> compacted) throws Exception {
    try (EmbeddedPostgres pg = TableAsOfColdBench.start(dataDir); Connection c = pg.getPostgresDatabase().getConnection();
         Statement s = c.createStatement()) {
      long started = System.nanoTime();
      String tables = value(s, "SELECT extended + taken FROM bemi.refresh_compacted_states()");
      long taken = System.nanoTime();
      s.execute("VACUUM (ANALYZE) bemi.compacted_states");
      System.out.printf("refresh_compacted_states(): %s tables, %s rows in %,d ms, then VACUUM (ANALYZE) %,d ms; %s%n",
          tables, value(s, "SELECT sum(rows) FROM bemi.compacted_state_tables"), (taken - started) / 1_000_000,
          (System.nanoTime() - taken) / 1_000_000,
          value(s, "SELECT pg_size_pretty(pg_total_relation_size('bemi.compacted_states'))"));
      compareAnswer(s, answerBefore, "from the states");
    }
    printMedians("compacted", compacted, "from the states", coldRuns(dataDir, rounds, "after the states"));
  }

  private static void compareAnswer(Statement s, String answerBefore, String label) throws SQLException {
    String answer = value(s, ANSWER);
    System.out.printf("answer before %s, %s %s: %s%n", answerBefore, label, answer,
        answerBefore.equals(answer) ? "the same" : "DIFFERENT");
  }

  private static void printMedians(String label, List<Long> cold, String thenLabel, List<Long> thenCold) {
    long median = TableAsOfColdBench.median(cold);
    long thenMedian = TableAsOfColdBench.median(thenCold);
    System.out.printf("cold first run, median of %d: %s %,d ms, %s %,d ms: %.2fx%n",
        cold.size(), label, median, thenLabel, thenMedian, (double) thenMedian / median);
  }

  /** Cold first runs of table_as_of (each followed by two warm ones, printed); returns the cold times. */
  private static List<Long> coldRuns(Path dataDir, int rounds, String label) throws Exception {
    List<Long> cold = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      boolean dropped = TableAsOfColdBench.dropPageCache();
      try (EmbeddedPostgres pg = TableAsOfColdBench.start(dataDir); Connection c = pg.getPostgresDatabase().getConnection();
           Statement s = c.createStatement()) {
        StringBuilder line = new StringBuilder(String.format("%s, round %d %s:", label, round,
            dropped ? "(page cache dropped)" : "(restart only: cannot drop the page cache)"));
        for (int run = 0; run < 3; run++) {
          long started = System.nanoTime();
          value(s, READ);
          long ms = (System.nanoTime() - started) / 1_000_000;
          line.append(String.format(" %,d ms", ms));
          if (run == 0) {
            cold.add(ms);
          }
        }
        System.out.println(line);
      }
    }
    return cold;
  }

  /** The first row's columns, separated by spaces. */
  static String value(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      StringBuilder row = new StringBuilder(String.valueOf(rs.getObject(1)));
      for (int i = 2; i <= rs.getMetaData().getColumnCount(); i++) {
        row.append(' ').append(rs.getObject(i));
      }
      return row.toString();
    }
  }
}

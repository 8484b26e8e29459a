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
 * A closed partition rewritten in record order ({@code compact_partition}), measured as a user
 * meets it (not a unit test): the first {@code table_as_of} of a 100,000-row table on a cold cache
 * before and after the rewrite of the same trail, in one run, with the rewrite's own cost and a
 * check that the answer is the same row for row.
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
    try (EmbeddedPostgres pg = TableAsOfColdBench.start(dataDir); Connection c = pg.getPostgresDatabase().getConnection();
         Statement s = c.createStatement()) {
      Migrations.migrate(pg.getPostgresDatabase(), "bemi");
      System.out.printf("trail of %s changes in %s, %s; load average %s%n", value(s, "SELECT count(*) FROM bemi.changes"),
          dataDir, value(s, "SELECT pg_size_pretty(pg_total_relation_size('bemi.changes_history'))"),
          TimeTravelBench.loadAverage());
      if (value(s, "SELECT count(*) FROM bemi.compacted_partitions").equals("1")) {
        throw new IllegalStateException(dataDir + " is compacted already: run on a fresh copy of the trail");
      }
      answerBefore = value(s, ANSWER);
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
      String answerAfter = value(s, ANSWER);
      System.out.printf("answer before %s, after %s: %s%n", answerBefore, answerAfter,
          answerBefore.equals(answerAfter) ? "the same" : "DIFFERENT");
    }
    List<Long> after = coldRuns(dataDir, rounds, "after compaction");

    long medianBefore = TableAsOfColdBench.median(before);
    long medianAfter = TableAsOfColdBench.median(after);
    System.out.printf("cold first run, median of %d: before %,d ms, after %,d ms: %.2fx%n",
        rounds, medianBefore, medianAfter, (double) medianAfter / medianBefore);
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

  private static String value(Statement s, String sql) throws SQLException {
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

package io.bemi.history.bench;

import static io.bemi.history.bench.CompactionBench.value;

import io.bemi.sql.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The dashboard's newest-first pages of changes inside an old month, before and after the month is
 * rewritten in record order by {@code compact_partition} (not a unit test): its rows are then no
 * longer in commit order on disk, so a page reads scattered rows. On StateRefreshBench's synthetic
 * trail (MONTHS closed months of CHANGES changes), each round stops the server, drops the page cache
 * (needs root; otherwise the runs are only restart-cold and it says so), starts it and walks PAGES
 * pages of 50 with the dashboard's query and cursor ({@code ChangeRepository.page}) inside the first
 * month: all tables from two thirds into it, then one table from a third into it (rows the first walk
 * did not read); then the whole history ({@code record_history}) of RECORDS records of table t1 and
 * each record as of a third into the month ({@code record_as_of}), after one untimed call of each for
 * a record of another table. Every month is compacted (as
 * {@code compact} leaves a trail of closed months); the answers are compared row for row before and
 * after. With {@code -Dbench.keysPerMonth=1000} each month's updates go to 1,000 keys per table (about
 * 150 changes per record in its month: long histories); by default to all 100,000 (1 to 3 a month).
 *
 * <pre>
 * ./mvnw -q -o -pl sql test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.bemi.history.bench.CompactedPagesBench [-Dexec.args="MONTHS CHANGES ROUNDS PAGES RECORDS"]
 * </pre>
 *
 * <p>Defaults: 3 months of 1,000,000 changes, 3 rounds, 10 pages, 20 records (about 1.5 GB in a temporary
 * directory, deleted at the end).
 */
public final class CompactedPagesBench {

  /** The dashboard's page: newest first from a cursor (exclusive), 50 rows and one to tell if there are more. */
  private static final String PAGE = "SELECT c.* FROM bemi.changes c WHERE %s committed_at <= ?::timestamptz"
      + " AND (committed_at, commit_lsn, change_index) < (?::timestamptz, ?, ?)"
      + " ORDER BY committed_at DESC, commit_lsn DESC, change_index DESC LIMIT 51";

  private CompactedPagesBench() {}

  public static void main(String[] args) throws Exception {
    int months = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    long changes = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int pages = args.length > 3 ? Integer.parseInt(args[3]) : 10;
    int records = args.length > 4 ? Integer.parseInt(args[4]) : 20;
    Path dataDir = Files.createTempDirectory("bemi-compacted-pages");
    try {
      String instant;
      String instantOfTable;
      String month;
      List<String> monthsToCompact = new ArrayList<>();
      List<String> keys = new ArrayList<>();
      // kept between the restarts below (a clean data directory is deleted when its server stops)
      try (EmbeddedPostgres pg = TableAsOfColdBench.start(dataDir); Connection c = pg.getPostgresDatabase().getConnection();
           Statement s = c.createStatement()) {
        Migrations.migrate(pg.getPostgresDatabase(), "bemi");
        for (int m = 0; m < months; m++) {
          StateRefreshBench.writeMonth(s, months, m, changes);
        }
        s.execute("VACUUM (ANALYZE) bemi.changes");
        String start = "date_trunc('month', now()) - interval '" + months + " months'";   // the first month's
        month = value(s, "SELECT 'changes_' || to_char(" + start + ", 'YYYY_MM')");
        for (int m = 0; m < months; m++) {
          monthsToCompact.add(value(s, "SELECT 'changes_' || to_char(" + start + " + interval '" + m + " months', 'YYYY_MM')"));
        }
        // keys the first month updates (StateRefreshBench.writeMonth: 0 to keysPerMonth - 1), spread over them
        int hot = Math.min(Integer.getInteger("bench.keysPerMonth", 100_000), 100_000);
        for (int i = 0; i < records; i++) {
          keys.add(Long.toString((long) i * hot / records + 1));
        }
        // two thirds and a third into the first month's 27 days of changes
        instant = value(s, "SELECT (" + start + " + interval '18 days')::text");
        instantOfTable = value(s, "SELECT (" + start + " + interval '9 days')::text");
        System.out.printf("trail: %d closed months of %,d changes, %s; pages from %s and %s (in %s); load average %s%n",
            months, changes, value(s, "SELECT pg_size_pretty(sum(pg_total_relation_size(relid)))"
                + " FROM pg_partition_tree('bemi.changes')"), instant, instantOfTable, month, TimeTravelBench.loadAverage());
      }
      List<String> before = new ArrayList<>();
      List<long[]> beforeTimes = rounds(dataDir, rounds, pages, instant, instantOfTable, keys, "before compaction", before);

      try (EmbeddedPostgres pg = TableAsOfColdBench.start(dataDir); Connection c = pg.getPostgresDatabase().getConnection();
           Statement s = c.createStatement()) {
        s.execute("SET maintenance_work_mem = '1GB'");
        for (String compacted : monthsToCompact) {
          long started = System.nanoTime();
          s.execute("SELECT bemi.compact_partition('" + compacted + "')");
          s.execute("VACUUM (ANALYZE) bemi." + compacted);
          System.out.printf("compacted %s in %,d ms%n", compacted, (System.nanoTime() - started) / 1_000_000);
        }
      }
      List<String> after = new ArrayList<>();
      List<long[]> afterTimes = rounds(dataDir, rounds, pages, instant, instantOfTable, keys, "after compaction", after);
      if (!before.equals(after)) {
        throw new AssertionError("the pages, histories or records as of differ after compaction");
      }
      String[] what = {"all tables, first page", "all tables, " + pages + " pages", "table t1, first page",
          "table t1, " + pages + " pages", keys.size() + " records' histories", keys.size() + " records as of"};
      System.out.printf("the same %d pages of each query, %d histories (%s changes) and records as of before and after,"
          + " row for row%n", pages, keys.size(), before.get(2).lines().count());
      for (int i = 0; i < what.length; i++) {
        long b = medianOf(beforeTimes, i);
        long a = medianOf(afterTimes, i);
        System.out.printf("cold, median of %d: %-26s before %,6.1f ms, after %,6.1f ms: %.3fx%n", rounds, what[i],
            b / 1e6, a / 1e6, (double) a / b);
      }
    } finally {
      StateRefreshBench.deleteTree(dataDir);
    }
  }

  /**
   * Each round on a cold server: the pages of all tables, then of one table, then the records'
   * histories and the records as of {@code instantOfTable}; returns per round the nanoseconds of
   * {first page, all pages} of each walk, of all histories and of all records as of, and adds each
   * query's answers to {@code answers}.
   */
  private static List<long[]> rounds(Path dataDir, int rounds, int pages, String instant, String instantOfTable,
      List<String> keys, String label, List<String> answers) throws Exception {
    List<long[]> times = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      boolean dropped = TableAsOfColdBench.dropPageCache();
      try (EmbeddedPostgres pg = TableAsOfColdBench.start(dataDir); Connection c = pg.getPostgresDatabase().getConnection()) {
        long[] t = new long[6];
        StringBuilder all = new StringBuilder();
        StringBuilder one = new StringBuilder();
        StringBuilder histories = new StringBuilder();
        StringBuilder asOf = new StringBuilder();
        walk(c, "", instant, pages, t, 0, all);
        walk(c, "\"table\" = 't1' AND", instantOfTable, pages, t, 2, one);
        t[4] = each(c, "SELECT c.* FROM bemi.record_history(?, ?) c", keys, null, histories);
        t[5] = each(c, "SELECT bemi.record_as_of(?, ?, ?::timestamptz)", keys, instantOfTable, asOf);
        System.out.printf("%s, round %d %s: all tables %.1f ms (first page %.1f), table t1 %.1f ms (first page %.1f),"
            + " %d histories %.1f ms, as of %.1f ms%n",
            label, round, dropped ? "(page cache dropped)" : "(restart only: cannot drop the page cache)",
            t[1] / 1e6, t[0] / 1e6, t[3] / 1e6, t[2] / 1e6, keys.size(), t[4] / 1e6, t[5] / 1e6);
        times.add(t);
        if (round == 1) {
          answers.add(all.toString());
          answers.add(one.toString());
          answers.add(histories.toString());
          answers.add(asOf.toString());
        }
      }
    }
    return times;
  }

  /** Walks {@code pages} pages from {@code instant} as the dashboard does; times the first and all. */
  private static void walk(Connection c, String filter, String instant, int pages, long[] times, int slot,
      StringBuilder rows) throws SQLException {
    String at = instant;
    long lsn = Long.MAX_VALUE;
    int index = Integer.MAX_VALUE;
    long started = System.nanoTime();
    try (PreparedStatement ps = c.prepareStatement(String.format(PAGE, filter))) {
      for (int page = 0; page < pages; page++) {
        ps.setString(1, at);
        ps.setString(2, at);
        ps.setLong(3, lsn);
        ps.setInt(4, index);
        int read = 0;
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next() && read < 50) {
            appendRow(rs, rows);
            at = rs.getString("committed_at");
            lsn = rs.getLong("commit_lsn");
            index = rs.getInt("change_index");
            read++;
          }
        }
        if (page == 0) {
          times[slot] = System.nanoTime() - started;
        }
      }
    }
    times[slot + 1] = System.nanoTime() - started;
  }

  /**
   * Runs {@code sql} (parameters: table, key, and {@code at} when not null) for each key of table
   * t1; returns the nanoseconds of all. A first, untimed call for a record of table t3 plans the
   * function and reads the catalog and the indexes' upper pages, as a server that has answered
   * before holds them.
   */
  private static long each(Connection c, String sql, List<String> keys, String at, StringBuilder rows) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, "t3", keys.get(0), at);
      ps.executeQuery().close();
      long started = System.nanoTime();
      for (String key : keys) {
        bind(ps, "t1", key, at);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            appendRow(rs, rows);
          }
        }
      }
      return System.nanoTime() - started;
    }
  }

  private static void bind(PreparedStatement ps, String table, String key, String at) throws SQLException {
    ps.setString(1, table);
    ps.setString(2, key);
    if (at != null) {
      ps.setString(3, at);
    }
  }

  private static void appendRow(ResultSet rs, StringBuilder rows) throws SQLException {
    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
      rows.append(rs.getString(i)).append('|');
    }
    rows.append('\n');
  }

  private static long medianOf(List<long[]> times, int slot) {
    List<Long> values = new ArrayList<>();
    for (long[] t : times) {
      values.add(t[slot]);
    }
    return TableAsOfColdBench.median(values);
  }
}

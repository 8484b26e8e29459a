package io.bemi.ingester.bench;

import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.store.RangeSummarizer;
import io.bemi.sql.Migrations;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;

/**
 * A lookup of the newest transaction by xid ({@code changes_transaction_idx}, BRIN) right after a
 * burst of writes, before and after {@link RangeSummarizer} summarizes the ranges autovacuum has
 * not (not a unit test).
 *
 * <pre>./mvnw -q -o -pl ingester test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.bemi.ingester.bench.RangeSummaryBench [-Dbench.changes=3000000]</pre>
 *
 * <p>The changes are written as the ingester stores them, in transactions of 10,000 into the
 * current month's partition, with autovacuum and autosummarize on (the server's defaults); the
 * lookups start as soon as the last commit returns, after an {@code ANALYZE} (the planner's statistics,
 * which autovacuum gathers without summarizing).
 */
public final class RangeSummaryBench {

  private RangeSummaryBench() {}

  public static void main(String[] args) throws Exception {
    int changes = Integer.getInteger("bench.changes", 3_000_000);
    try (BenchPostgres pg = BenchPostgres.start("ranges")) {
      PostgresUrl url = PostgresUrl.parse(pg.uri());
      Migrations.migrate(url.dataSource(), "bemi");
      long started = System.nanoTime();
      try (Connection c = pg.connect(); Statement s = c.createStatement()) {
        for (int from = 0; from < changes; from += 10_000) {
          s.execute("INSERT INTO bemi.changes (primary_key, after, context, database, schema, \"table\", operation,"
              + " committed_at, queued_at, transaction_id, position, commit_lsn, change_index)"
              + " SELECT i::text, jsonb_build_object('id', i, 'name', 'customer ' || i, 'balance', i % 1000),"
              + " jsonb_build_object('userId', i % 1000), 'app', 'public', 'accounts', 'UPDATE', now(), now(),"
              + " 1000 + i / 5, i, 1000 + (i / 5) * 10, i % 5"
              + " FROM generate_series(" + from + ", " + (Math.min(from + 10_000, changes) - 1) + ") i");
        }
        long newestXid = 1000 + (changes - 1) / 5;
        System.out.printf("%,d changes written in %.1f s; partition %s, %,d pages%n", changes,
            (System.nanoTime() - started) / 1e9, value(s, "SELECT tableoid::regclass FROM bemi.changes LIMIT 1"),
            Long.parseLong(value(s, "SELECT sum(pg_relation_size(tableoid))::bigint / 8192 FROM"
                + " (SELECT DISTINCT tableoid FROM bemi.changes) p")));
        s.execute("ANALYZE bemi.changes"); // the planner's statistics, as autovacuum gathers them (it does not summarize)
        String lookup = "SELECT count(*) FROM bemi.changes WHERE transaction_id = " + newestXid;
        double before = median(s, lookup);
        System.out.printf("newest transaction by xid, as autovacuum left the ranges: median %.1f ms%n", before);
        System.out.println("   " + heapBlocks(s, lookup));
        try (RangeSummarizer summarizer = RangeSummarizer.start(url, "bemi", Duration.ofHours(1))) {
          long t = System.nanoTime();
          int summarized = summarizer.summarizeNow();
          System.out.printf("summarize_new_ranges(): %,d ranges in %.0f ms%n", summarized, (System.nanoTime() - t) / 1e6);
        }
        double after = median(s, lookup);
        System.out.printf("newest transaction by xid, summarized: median %.2f ms (%.4fx before)%n", after, after / before);
        System.out.println("   " + heapBlocks(s, lookup));
      }
    }
  }

  private static String value(Statement s, String sql) throws Exception {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static double median(Statement s, String sql) throws Exception {
    double[] ms = new double[7];
    for (int i = 0; i < ms.length; i++) {
      long t = System.nanoTime();
      value(s, sql);
      ms[i] = (System.nanoTime() - t) / 1e6;
    }
    Arrays.sort(ms);
    return ms[ms.length / 2];
  }

  private static String heapBlocks(Statement s, String sql) throws Exception {
    StringBuilder found = new StringBuilder();
    try (ResultSet rs = s.executeQuery("EXPLAIN (ANALYZE, COSTS OFF) " + sql)) {
      while (rs.next()) {
        String line = rs.getString(1).trim();
        if (line.startsWith("Heap Blocks") || line.contains("Scan on") || line.startsWith("Execution Time")) {
          found.append(line).append("; ");
        }
      }
    }
    return found.toString();
  }
}

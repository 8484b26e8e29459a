package io.bemi.ingester.bench;

import io.bemi.ingester.PostgresUrl;
import io.bemi.sql.BemiSql;
import io.bemi.sql.Migrations;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;

/**
 * What the storage layout of {@code changes} costs the write path: the same synthetic changes
 * (OLTP-like rows, half with a context) are inserted into the unpartitioned table of V60 with its
 * six indexes, into the partitioned table of V70, and into V70 variants each without one index.
 * Rounds alternate between the layouts; prints the median time per layout, its ratio to V60 and
 * the index sizes, so the figures of one run compare on a shared machine.
 *
 * <pre>./mvnw -q -o -pl ingester test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.bemi.ingester.bench.LayoutBenchmark [-Dbench.rows=300000] [-Dbench.rounds=3]</pre>
 */
public final class LayoutBenchmark {

  private LayoutBenchmark() {}

  private static final String COLUMNS = "primary_key, before, after, context, database, schema, \"table\", operation,"
      + " committed_at, queued_at, transaction_id, position, commit_lsn, change_index";

  public static void main(String[] args) throws Exception {
    int rows = Integer.getInteger("bench.rows", 300_000);
    int rounds = Integer.getInteger("bench.rounds", 3);
    try (BenchPostgres pg = BenchPostgres.start("layout")) {
      Flyway.configure().dataSource(pg.postgres.getJdbcUrl("postgres", pg.database), "postgres", "postgres")
          .locations(BemiSql.MIGRATIONS_LOCATION).schemas("v60").defaultSchema("v60").createSchemas(true)
          .table("flyway_schema_history").target("60").load().migrate();
      // layout name -> index dropped from the V70 layout (null: none)
      Map<String, String> variants = new LinkedHashMap<>();
      variants.put("v70", null);
      variants.put("v70_no_gin", "changes_context_idx");
      variants.put("v70_no_time", "changes_committed_at_idx");
      variants.put("v70_no_table_time", "changes_table_time_idx");
      variants.put("v70_no_pkey", "changes_pkey");
      for (Map.Entry<String, String> variant : variants.entrySet()) {
        Migrations.migrate(PostgresUrl.parse(pg.uri()).dataSource(), variant.getKey());
        if (variant.getValue() != null) {
          pg.execute(variant.getValue().endsWith("_pkey")
              ? "ALTER TABLE " + variant.getKey() + ".changes DROP CONSTRAINT " + variant.getValue()
              : "DROP INDEX " + variant.getKey() + "." + variant.getValue());
        }
      }
      pg.execute("CREATE UNLOGGED TABLE bench_rows AS SELECT i::text AS primary_key,"
          + " CASE WHEN i % 3 = 1 THEN jsonb_build_object('id', i, 'balance', i % 977, 'note', 'account ' || i,"
          + "   'updated_at', now()) ELSE '{}'::jsonb END AS before,"
          + " jsonb_build_object('id', i, 'balance', i % 977 + 1, 'note', 'account ' || i, 'updated_at', now()) AS after,"
          + " CASE WHEN i % 2 = 0 THEN jsonb_build_object('user_id', i % 1000, 'endpoint', 'POST /transfer',"
          + "   'request_id', md5(i::text)) ELSE '{}'::jsonb END AS context,"
          + " 'app'::text AS database, 'public'::text AS schema, CASE WHEN i % 2 = 0 THEN 'accounts' ELSE 'history' END"
          + "   AS \"table\", CASE WHEN i % 3 = 1 THEN 'UPDATE' ELSE 'CREATE' END AS operation,"
          // spread over this month and the next two: three partitions of the V70 layout
          + " now() + i * (interval '60 days' / " + rows + ") AS committed_at, now() AS queued_at,"
          + " 1000 + i / 2 AS transaction_id, 100000 + i::bigint * 100 AS position,"
          + " 100000 + (i / 2)::bigint * 200 AS commit_lsn, i % 2 AS change_index"
          + " FROM generate_series(1, " + rows + ") i",
          "VACUUM ANALYZE bench_rows");
      List<String> layouts = new ArrayList<>(List.of("v60"));
      layouts.addAll(variants.keySet());
      Map<String, double[]> seconds = new LinkedHashMap<>();
      layouts.forEach(l -> seconds.put(l, new double[rounds]));
      for (int round = 0; round < rounds; round++) {
        for (String layout : layouts) {
          pg.execute("TRUNCATE " + layout + ".changes", "CHECKPOINT");
          long t0 = System.nanoTime();
          pg.execute("INSERT INTO " + layout + ".changes (" + COLUMNS + ") SELECT " + COLUMNS + " FROM bench_rows");
          seconds.get(layout)[round] = (System.nanoTime() - t0) / 1e9;
        }
      }
      System.out.printf("%,d changes per insert, %d alternating rounds, load average %s%n", rows, rounds,
          loadAverage());
      double base = median(seconds.get("v60"));
      System.out.printf("%-18s %9s %12s %9s  %s%n", "layout", "median s", "changes/s", "vs v60", "index sizes (MB)");
      for (String layout : layouts) {
        double m = median(seconds.get(layout));
        System.out.printf("%-18s %9.2f %,12.0f %9.2f  %s%n", layout, m, rows / m, base / m, indexSizes(pg, layout));
      }
      pg.execute("ANALYZE v70.changes");
      explain(pg, "record history", "SELECT * FROM v70.changes WHERE schema = 'public' AND \"table\" = 'accounts'"
          + " AND primary_key = '4242' ORDER BY commit_lsn, change_index");
      explain(pg, "record as of (its last change before an instant)", "SELECT after FROM v70.changes"
          + " WHERE schema = 'public' AND \"table\" = 'accounts' AND primary_key = '4242' AND committed_at <= now()"
          + " + interval '45 days' ORDER BY commit_lsn DESC, change_index DESC LIMIT 1");
      explain(pg, "a transaction by xid (BRIN)", "SELECT * FROM v70.changes WHERE transaction_id = 5000");
    }
  }

  private static void explain(BenchPostgres pg, String what, String query) throws Exception {
    System.out.println("EXPLAIN " + what + ":");
    try (Connection c = pg.connect(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) " + query)) {
      while (rs.next()) {
        System.out.println("  " + rs.getString(1));
      }
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /** Each index of the layout's changes (summed over partitions) with its size after the last round. */
  private static String indexSizes(BenchPostgres pg, String schema) throws Exception {
    String sql = "SELECT coalesce(pi.indexrelid::regclass::text, i.indexrelid::regclass::text) AS name,"
        + " sum(pg_relation_size(i.indexrelid)) / 1048576.0"
        + " FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid"
        + " LEFT JOIN pg_inherits ih ON ih.inhrelid = i.indexrelid LEFT JOIN pg_index pi ON pi.indexrelid = ih.inhparent"
        + " WHERE t.relnamespace = '" + schema + "'::regnamespace AND t.relname LIKE 'changes%' AND t.relkind = 'r'"
        + " GROUP BY 1 ORDER BY 1";
    StringBuilder out = new StringBuilder();
    try (Connection c = pg.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.append(rs.getString(1).replace(schema + ".", "").replace("changes_", "")).append('=')
            .append(String.format("%.1f", rs.getDouble(2))).append(' ');
      }
    }
    return out.toString().strip();
  }

  private static String loadAverage() throws Exception {
    return new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/loadavg"))).strip();
  }
}

package io.bemi.ingester.bench;

import io.bemi.ingester.PostgresUrl;
import io.bemi.sql.Migrations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What each part of the storage layout of {@code changes} costs the write path: the same synthetic
 * changes (OLTP-like rows, a third UPDATEs with a {@code before}, half with a context, time-ordered
 * ids as the ingester writes them) are loaded with {@code COPY} (as the ingester stores them) into
 * the latest layout and into variants each without one index (or with the primary key replaced by
 * a BRIN index on {@code id}), the GIN, the BRIN, the activity trigger or the partitioning, and
 * into a bare table. Rounds alternate between the layouts; prints
 * per layout the median wall time, the destination backend's CPU seconds per 100,000 changes (what
 * compares on a shared machine), the WAL written, its ratio to the latest layout and the index
 * sizes.
 *
 * <pre>./mvnw -q -o -pl ingester test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.bemi.ingester.bench.LayoutBenchmark [-Dbench.rows=300000] [-Dbench.rounds=3] \
 *   [-Dbench.variants=latest,no_trigger]</pre>
 */
public final class LayoutBenchmark {

  private LayoutBenchmark() {}

  private static final String COLUMNS = "id, primary_key, before, after, context, database, schema, \"table\","
      + " operation, committed_at, queued_at, transaction_id, position, commit_lsn, change_index, source,"
      + " previous_primary_key";

  public static void main(String[] args) throws Exception {
    int rows = Integer.getInteger("bench.rows", 300_000);
    int rounds = Integer.getInteger("bench.rounds", 3);
    try (BenchPostgres pg = BenchPostgres.start("layout")) {
      // layout name -> statements turning the current layout (schema of that name) into the variant
      Map<String, String> variants = new LinkedHashMap<>();
      variants.put("latest", "");
      variants.put("no_pkey", "ALTER TABLE %s.changes DROP CONSTRAINT changes_pkey");
      // ids are time-ordered, so a block range summary could find them: tried, see docs/benchmarks.md
      variants.put("id_brin", "ALTER TABLE %s.changes DROP CONSTRAINT changes_pkey;"
          + " CREATE INDEX changes_id_idx ON %s.changes USING brin (id)"
          + " WITH (pages_per_range = 32, autosummarize = on)");
      variants.put("no_unique", "ALTER TABLE %s.changes DROP CONSTRAINT changes_commit_change_key");
      variants.put("no_record", "DROP INDEX %s.changes_record_idx");
      variants.put("no_table_time", "DROP INDEX %s.changes_table_time_idx");
      variants.put("no_committed_at", "DROP INDEX %s.changes_committed_at_idx");
      variants.put("committed_at_brin", "DROP INDEX %s.changes_committed_at_idx;"
          + " CREATE INDEX ON %s.changes USING brin (committed_at)");
      variants.put("no_gin", "DROP INDEX %s.changes_context_idx");
      variants.put("gin_pending_32mb", "DROP INDEX %s.changes_context_idx;"
          + " CREATE INDEX ON %s.changes USING gin (context jsonb_path_ops) WITH (gin_pending_list_limit = 32768)");
      variants.put("no_brin", "DROP INDEX %s.changes_transaction_idx");
      variants.put("no_truncate", "DROP INDEX %s.changes_truncate_idx");
      variants.put("no_trigger", "DROP TRIGGER changes_count_activity ON %s.changes");
      // the activity trigger's transition table is still captured, its function returns at once
      variants.put("trigger_noop", "CREATE FUNCTION %s.noop() RETURNS trigger LANGUAGE plpgsql"
          + " AS $$BEGIN RETURN NULL;END$$;"
          + " DROP TRIGGER changes_count_activity ON %s.changes;"
          + " CREATE TRIGGER changes_noop AFTER INSERT ON %s.changes REFERENCING NEW TABLE AS stored"
          + " FOR EACH STATEMENT EXECUTE FUNCTION %s.noop()");
      variants.put("no_partitions", "DROP TRIGGER changes_count_activity ON %s.changes;"
          + " ALTER TABLE %s.changes RENAME TO changes_partitioned;"
          + " CREATE TABLE %s.changes (LIKE %s.changes_partitioned INCLUDING DEFAULTS INCLUDING INDEXES"
          + " INCLUDING CONSTRAINTS)");
      variants.put("bare", "ALTER TABLE %s.changes DROP CONSTRAINT changes_pkey,"
          + " DROP CONSTRAINT changes_commit_change_key;"
          + " DROP INDEX %s.changes_record_idx, %s.changes_table_time_idx, %s.changes_committed_at_idx,"
          + " %s.changes_context_idx, %s.changes_transaction_idx, %s.changes_truncate_idx;"
          + " DROP TRIGGER changes_count_activity ON %s.changes");
      String only = System.getProperty("bench.variants");
      if (only != null) {
        variants.keySet().retainAll(List.of(only.split(",")));
      }
      for (Map.Entry<String, String> variant : variants.entrySet()) {
        Migrations.migrate(PostgresUrl.parse(pg.uri()).dataSource(), variant.getKey());
        for (String statement : variant.getValue().split(";(?=\\s)")) {
          if (!statement.isBlank()) {
            pg.execute(statement.replace("%s", variant.getKey()));
          }
        }
      }
      Path file = Files.createTempFile("bemi-layout", ".copy");
      file.toFile().setReadable(true, false);
      pg.execute("CREATE UNLOGGED TABLE bench_rows AS SELECT"
          // time-ordered ids, as the ingester's UUIDv7: each row appends to the primary key
          + " (lpad(to_hex(i), 12, '0') || '7000' || '8000' || lpad(to_hex(i), 12, '0'))::uuid AS id,"
          + " i::text AS primary_key,"
          + " CASE WHEN i % 3 = 1 THEN jsonb_build_object('id', i, 'balance', i % 977, 'note', 'account ' || i,"
          + "   'updated_at', now()) ELSE '{}'::jsonb END AS before,"
          + " jsonb_build_object('id', i, 'balance', i % 977 + 1, 'note', 'account ' || i, 'updated_at', now()) AS after,"
          + " CASE WHEN i % 2 = 0 THEN jsonb_build_object('user_id', i % 1000, 'endpoint', 'POST /transfer',"
          + "   'request_id', md5(i::text)) ELSE '{}'::jsonb END AS context,"
          + " 'app'::text AS database, 'public'::text AS schema, CASE WHEN i % 2 = 0 THEN 'accounts' ELSE 'history' END"
          + "   AS \"table\", CASE WHEN i % 3 = 1 THEN 'UPDATE' ELSE 'CREATE' END AS operation,"
          // spread over this month and the next two (three partitions), 1,000 changes per commit
          // minute (one activity row per minute, table and operation, as a busy trail has)
          + " now() + (i / 1000) * (interval '60 days' / " + Math.max(1, rows / 1000) + ") AS committed_at,"
          + " now() AS queued_at,"
          + " 1000 + i / 2 AS transaction_id, 100000 + i::bigint * 100 AS position,"
          + " 100000 + (i / 2)::bigint * 200 AS commit_lsn, i % 2 AS change_index, 'app'::text AS source,"
          + " NULL::text AS previous_primary_key"
          + " FROM generate_series(1, " + rows + ") i",
          "COPY bench_rows TO '" + file + "'");
      List<String> layouts = new ArrayList<>(variants.keySet());
      Map<String, double[]> seconds = new LinkedHashMap<>();
      Map<String, double[]> cpu = new LinkedHashMap<>();
      Map<String, double[]> wal = new LinkedHashMap<>();
      layouts.forEach(l -> {
        seconds.put(l, new double[rounds]);
        cpu.put(l, new double[rounds]);
        wal.put(l, new double[rounds]);
      });
      for (int round = 0; round < rounds; round++) {
        for (String layout : layouts) {
          pg.execute("TRUNCATE " + layout + ".changes, " + layout + ".activity", "CHECKPOINT");
          try (Connection c = pg.connect(); Statement s = c.createStatement()) {
            long backend = queryLong(s, "SELECT pg_backend_pid()");
            long wal0 = queryLong(s, "SELECT pg_current_wal_lsn() - '0/0'");
            double cpu0 = ProcessCpu.seconds(backend);
            long t0 = System.nanoTime();
            s.execute("COPY " + layout + ".changes (" + COLUMNS + ") FROM '" + file + "'");
            seconds.get(layout)[round] = (System.nanoTime() - t0) / 1e9;
            cpu.get(layout)[round] = ProcessCpu.seconds(backend) - cpu0;
            wal.get(layout)[round] = (queryLong(s, "SELECT pg_current_wal_lsn() - '0/0'") - wal0) / 1048576.0;
          }
        }
      }
      Files.delete(file);
      System.out.printf("%,d changes per COPY, %d alternating rounds, load average %s%n", rows, rounds,
          ProcessCpu.loadAverage());
      double base = median(cpu.get("latest"));
      System.out.printf("%-18s %9s %12s %12s %9s %10s  %s%n", "layout", "median s", "changes/s", "CPU s/100k",
          "vs latest", "WAL MB", "index sizes (MB)");
      for (String layout : layouts) {
        double m = median(seconds.get(layout));
        double c = median(cpu.get(layout));
        System.out.printf("%-18s %9.2f %,12.0f %12.2f %9.2f %10.0f  %s%n", layout, m, rows / m, c * 100_000 / rows,
            base / c, median(wal.get(layout)), indexSizes(pg, layout));
      }
      pg.execute("ANALYZE latest.changes");
      explain(pg, "record history", "SELECT * FROM latest.changes WHERE schema = 'public' AND \"table\" = 'accounts'"
          + " AND primary_key = '4242' ORDER BY commit_lsn, change_index");
      explain(pg, "record as of (its last change before an instant)", "SELECT after FROM latest.changes"
          + " WHERE schema = 'public' AND \"table\" = 'accounts' AND primary_key = '4242' AND committed_at <= now()"
          + " + interval '45 days' ORDER BY commit_lsn DESC, change_index DESC LIMIT 1");
      if (variants.containsKey("id_brin")) {
        explain(pg, "a change by id through a BRIN index (ranges autovacuum has not summarized match every id)",
            "SELECT * FROM id_brin.changes WHERE id = '"
                + pg.queryString("SELECT id FROM bench_rows WHERE primary_key = '" + rows / 2 + "'") + "'");
      }
      explain(pg, "a transaction by xid (BRIN)", "SELECT * FROM latest.changes WHERE transaction_id = 5000");
    }
  }

  private static long queryLong(Statement s, String sql) throws Exception {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
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
}

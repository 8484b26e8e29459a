package io.bemi.ingester.bench;

import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.setup.SourceSetup;
import io.bemi.ingester.snapshot.BaselineSnapshot;
import io.bemi.sql.Migrations;
import java.sql.Connection;
import java.util.List;

/**
 * Baseline snapshot throughput: rows/s of {@code setup --snapshot} for a 200,000-row table
 * (5 columns: int key, text, numeric, timestamptz, jsonb), source = destination, against the
 * time of {@code CREATE TABLE … AS SELECT to_jsonb(t.*) …} of the same rows in the same run
 * (the server-side floor of reading and writing the same JSON).
 */
public final class SnapshotBenchmark {

  private static final int ROWS = 200_000;

  private SnapshotBenchmark() {}

  public static void main(String[] args) throws Exception {
    try (BenchPostgres pg = BenchPostgres.start("snapshot_bench")) {
      pg.execute("CREATE TABLE items (id int PRIMARY KEY, name text, price numeric, seen timestamptz, attrs jsonb)",
          "INSERT INTO items SELECT g, 'item ' || g, g * 1.25, now() - g * interval '1 s', jsonb_build_object('g', g)"
              + " FROM generate_series(1, " + ROWS + ") g",
          "VACUUM ANALYZE items");
      long floorStart = System.nanoTime();
      pg.execute("CREATE TABLE floor_copy AS SELECT id::text AS primary_key, to_jsonb(t.*) AS after FROM items t");
      double floorSeconds = (System.nanoTime() - floorStart) / 1e9;
      pg.execute("DROP TABLE floor_copy");

      PostgresUrl url = PostgresUrl.parse(pg.uri());
      List<SourceSetup.TrackedTable> tracked;
      try (Connection c = url.connect()) {
        tracked = SourceSetup.trackedTables(c, "bemi", List.of(), List.of());
        SourceSetup.execute(c, SourceSetup.setupStatements(c, tracked, "bemi", "bemi").stream()
            .filter(s -> !SourceSetup.createsSlot(s)).toList());
      }
      Migrations.migrate(url.dataSource(), "bemi");
      long start = System.nanoTime();
      BaselineSnapshot.Result result = new BaselineSnapshot(url, url, "bemi", "bemi", 5_000,
          (table, done, estimated) -> {}).run(tracked);
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("setup --snapshot: %d rows in %.1f s = %.0f rows/s%n", result.rows(), seconds,
          result.rows() / seconds);
      System.out.printf("floor (CREATE TABLE AS SELECT to_jsonb): %.1f s = %.0f rows/s; snapshot/floor time ratio %.1f%n",
          floorSeconds, ROWS / floorSeconds, seconds / floorSeconds);
    }
  }
}

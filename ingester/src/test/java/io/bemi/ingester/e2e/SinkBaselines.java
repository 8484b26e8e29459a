package io.bemi.ingester.e2e;

import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.rules.ColumnRules;
import io.bemi.ingester.setup.SourceSetup;
import io.bemi.ingester.setup.SourceSetup.TrackedTable;
import io.bemi.ingester.snapshot.BaselineSnapshot;
import io.bemi.ingester.snapshot.BaselineTarget;
import io.bemi.sql.Migrations;
import io.bemi.test.TestDatabase;
import java.sql.Connection;
import java.util.List;

/** A baseline snapshot of two small tables into a sink's target ({@code setup --snapshot --sink …}). */
final class SinkBaselines {

  private SinkBaselines() {}

  /**
   * Creates {@code items} (2 rows, composite key) and {@code orders} (3 rows) and tracks them
   * (publication, no slot: the snapshot creates it); migrated for the webhook's progress.
   */
  static List<TrackedTable> prepare(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE orders (id int PRIMARY KEY, note text)",
        "INSERT INTO orders SELECT g, 'order ' || g FROM generate_series(1, 3) g",
        "CREATE TABLE items (sku text, n int, PRIMARY KEY (sku, n))",
        "INSERT INTO items VALUES ('a', 1), ('b', 2)");
    try (Connection c = db.connect()) {
      List<TrackedTable> tracked = SourceSetup.trackedTables(c, "bemi", List.of(), List.of());
      SourceSetup.execute(c, SourceSetup.setupStatements(c, tracked, "bemi", "bemi").stream()
          .filter(s -> !SourceSetup.createsSlot(s)).toList());
      Migrations.migrate(db.dataSource(), "bemi");
      return tracked;
    }
  }

  /** A snapshot in batches of one row that fails at its {@code failAt}-th stored batch (0: never), as a crash would. */
  static BaselineSnapshot snapshot(TestDatabase db, String slot, BaselineTarget target, int failAt) {
    int[] batches = {0};
    return new BaselineSnapshot(PostgresUrl.parse(db.uri()), slot, target, 1, (table, done, estimated) -> {
      if (++batches[0] == failAt) {
        throw new IllegalStateException("cut short");
      }
    }, ColumnRules.NONE);
  }
}

package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.test.PlantedOperators;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every session the ingester opens (here destination = source, where an application role may
 * create objects in {@code public} before PostgreSQL 15) resolves names in {@code pg_catalog}
 * only: operators planted in {@code public} never run in them.
 */
@WithPostgres
@Tag("replication")
class PlantedOperatorsTest {

  @Test
  void theIngestersSessionsDoNotRunOperatorsPlantedInPublic(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE orders (id int PRIMARY KEY, status text)");
    PlantedOperators.plant(db);
    try (IngesterHarness harness = IngesterHarness.start(db)) {
      db.execute("INSERT INTO orders VALUES (1, 'new')", "UPDATE orders SET status = 'paid' WHERE id = 1");
      harness.awaitCaughtUp();
      assertThat(harness.column("operation", "\"table\" = 'orders'")).containsExactly("CREATE", "UPDATE");
    }

    PlantedOperators.probe(db);
    assertThat(PlantedOperators.ranIn(db, "probe")).isNotNull();
    assertThat(PlantedOperators.ranIn(db, "bemi-ingester")).isNull();
  }
}

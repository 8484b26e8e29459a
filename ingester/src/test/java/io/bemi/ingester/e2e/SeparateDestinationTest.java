package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@WithPostgres
@Tag("replication")
class SeparateDestinationTest {

  private static TestDatabase destination;
  private static IngesterHarness harness;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE orders (id int PRIMARY KEY, total numeric)");
    destination = db.createSibling("dest");
    harness = IngesterHarness.start(db, destination, c -> c);
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  @Test
  void changesAreStoredInTheDestinationDatabaseOnly(TestDatabase db) throws Exception {
    db.execute("INSERT INTO orders VALUES (1, 9.99)");
    harness.awaitCaughtUp();

    assertThat(harness.column("after", "\"table\" = 'orders' AND primary_key = '1'"))
        .containsExactly("{\"id\": 1, \"total\": 9.99}");
    assertThat(harness.column("database", "\"table\" = 'orders' AND primary_key = '1'")).containsExactly(db.name());
    assertThat(db.queryValue("SELECT to_regclass('bemi.changes')")).isNull();
  }

  @Test
  void terminatedConnectionsAreReopenedAndNothingIsLost(TestDatabase db) throws Exception {
    db.execute("INSERT INTO orders VALUES (10, 1)");
    harness.awaitCaughtUp();
    long reconnectsBefore = harness.metrics().reconnects();

    db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        + "WHERE application_name = 'bemi-ingester' AND pid <> pg_backend_pid()");
    db.execute("INSERT INTO orders VALUES (11, 2)", "INSERT INTO orders VALUES (12, 3)");
    harness.awaitCaughtUp();

    assertThat(harness.column("primary_key", "\"table\" = 'orders' AND primary_key IN ('10', '11', '12')"))
        .containsExactly("10", "11", "12");
    assertThat(harness.metrics().reconnects()).isGreaterThan(reconnectsBefore);
  }
}

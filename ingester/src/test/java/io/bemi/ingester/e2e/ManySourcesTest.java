package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.test.SecondServer;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two source servers, one destination: every change says which source it came from. Tagged slow:
 * starting a second server takes 20-40 s here (run with -Dbemi.ingester.excludedGroups=none).
 */
@WithPostgres
@Tag("replication")
@Tag("slow")
class ManySourcesTest {

  @Test
  void twoServersStoreIntoOneDestinationEachUnderItsOwnSourceName(TestDatabase db) throws Exception {
    TestDatabase destination = db.createSibling("dest");
    try (SecondServer other = SecondServer.start()) {
      TestDatabase second = other.createDatabase("second_source");
      for (TestDatabase source : new TestDatabase[] {db, second}) {
        source.execute("CREATE TABLE orders (id int PRIMARY KEY, total numeric)");
      }
      try (IngesterHarness first = IngesterHarness.start(db, destination, c -> c);
           IngesterHarness named = IngesterHarness.start(second, destination, c -> c.withSourceName("shop-eu"))) {
        db.execute("INSERT INTO orders VALUES (1, 10)", "UPDATE orders SET total = 11 WHERE id = 1");
        second.execute("INSERT INTO orders VALUES (1, 20)");
        first.awaitCaughtUp();
        named.awaitCaughtUp();
      }
      String systemIdentifier = String.valueOf(db.queryValue("SELECT system_identifier FROM pg_control_system()"));

      assertThat(destination.queryValue("SELECT string_agg(source || ' ' || operation || ' ' || (after->>'total'), ', '"
          + " ORDER BY source DESC, commit_lsn) FROM bemi.changes WHERE \"table\" = 'orders'"))
          .isEqualTo("shop-eu CREATE 20, " + systemIdentifier + "/" + db.name() + " CREATE 10, "
              + systemIdentifier + "/" + db.name() + " UPDATE 11");
      assertThat(destination.queryValue("SELECT string_agg(source, ', ' ORDER BY source DESC) FROM bemi.ingester_checkpoints"))
          .isEqualTo("shop-eu, " + systemIdentifier + "/" + db.name());
    }
  }
}

package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.ingester.IngesterConfig;
import io.bemi.ingester.PostgresUrl;
import io.bemi.sql.Migrations;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A destination that stops accepting writes while the ingester runs (a revoked privilege, like a
 * full disk) is an outage: nothing is stored or confirmed meanwhile, and everything is stored once
 * the privilege is back.
 */
@WithPostgres
@Tag("replication")
class DestinationPrivilegeTest {

  private static TestDatabase destination;
  private static String role;
  private static IngesterHarness harness;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE orders (id int PRIMARY KEY, total numeric)");
    destination = db.createSibling("dest");
    Migrations.migrate(destination.dataSource(), "bemi");
    role = "bemi_writer_" + db.name();
    db.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'writer'");
    destination.execute(
        "GRANT USAGE ON SCHEMA bemi TO " + role,
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA bemi TO " + role);
    String asWriter = destination.uri().replaceFirst("://[^@]*@", "://" + role + ":writer@");
    harness = IngesterHarness.start(db, null, config -> IngesterConfig.defaults(config.source(),
        PostgresUrl.parse(asWriter), config.destinationSchema(), config.slot(), config.publication()));
  }

  @AfterAll
  static void stop(TestDatabase db) throws Exception {
    harness.close();
    destination.execute("REVOKE ALL ON ALL TABLES IN SCHEMA bemi FROM " + role, "REVOKE USAGE ON SCHEMA bemi FROM " + role);
    db.execute("DROP ROLE " + role);
  }

  @Test
  void aRevokedInsertPrivilegeHoldsChangesBackUntilItIsGrantedAgain(TestDatabase db) throws Exception {
    db.execute("INSERT INTO orders VALUES (1, 1)");
    harness.awaitCaughtUp();

    destination.execute("REVOKE INSERT ON bemi.changes FROM " + role);
    db.execute("INSERT INTO orders VALUES (2, 2)");
    Thread.sleep(3_000);
    assertThat(destination.queryLong("SELECT count(*) FROM bemi.changes WHERE primary_key = '2'")).isZero();
    assertThat(harness.failure()).as("the ingester keeps retrying").isNull();

    destination.execute("GRANT INSERT ON bemi.changes TO " + role);
    harness.awaitCaughtUp();

    assertThat(destination.queryLong("SELECT count(*) FROM bemi.changes WHERE \"table\" = 'orders'")).isEqualTo(2);
  }
}

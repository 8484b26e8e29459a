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
    destination.execute( // as docs/ingester.md, "The destination role", says
        "GRANT USAGE ON SCHEMA bemi TO " + role,
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA bemi TO " + role,
        "GRANT EXECUTE ON FUNCTION bemi.ensure_partitions(timestamptz) TO " + role);
    // no partition from this month on: the writer's first change must create one
    destination.execute("DO $$ DECLARE p text; BEGIN FOR p IN SELECT partition_name FROM bemi.changes_partitions()"
        + " WHERE from_at >= date_trunc('month', now(), 'UTC') LOOP EXECUTE format('DROP TABLE bemi.%I', p); END LOOP; END $$");
    String asWriter = destination.uri().replaceFirst("://[^@]*@", "://" + role + ":writer@");
    harness = IngesterHarness.start(db, null, config -> IngesterConfig.defaults(config.source(),
        PostgresUrl.parse(asWriter), config.destinationSchema(), config.slot(), config.publication()));
  }

  @AfterAll
  static void stop(TestDatabase db) throws Exception {
    harness.close();
    destination.execute("DROP OWNED BY " + role);
    db.execute("DROP ROLE " + role);
  }

  @Test
  void aWriterThatDoesNotOwnTheTrailCreatesThePartitionItsChangesNeed(TestDatabase db) throws Exception {
    db.execute("INSERT INTO orders VALUES (10, 10)");
    harness.awaitCaughtUp();

    assertThat(destination.queryValue("SELECT tableoid::regclass::text FROM bemi.changes WHERE primary_key = '10'"))
        .isEqualTo("bemi.changes_" + destination.queryValue("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM')"));
    assertThat(destination.queryValue("SELECT bemi.partitioned_until() > now() + interval '1 month'")).isEqualTo(true);
    assertThat(destination.queryValue("SELECT relowner::regrole::text FROM pg_class WHERE oid = 'bemi.changes'::regclass"))
        .as("created by ensure_partitions as its owner").isEqualTo(destination.queryValue(
            "SELECT relowner::regrole::text FROM pg_class c JOIN bemi.changes_partitions() p ON c.oid = ('bemi.' || p.partition_name)::regclass"
                + " WHERE p.from_at = date_trunc('month', now(), 'UTC')"));
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

    assertThat(destination.queryLong("SELECT count(*) FROM bemi.changes WHERE primary_key IN ('1', '2')")).isEqualTo(2);
  }
}

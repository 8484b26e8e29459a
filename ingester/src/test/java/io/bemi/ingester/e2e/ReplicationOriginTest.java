package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bemi.test.SecondServer;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Changes applied under a replication origin, as a logical-replication subscription's apply worker
 * (or pglogical, or a migration tool) applies them: captured unless {@code --origin none} asks
 * otherwise, and the ingester's own writes never, either way.
 */
@WithPostgres
class ReplicationOriginTest {

  @Test
  void aChangeAppliedUnderAReplicationOriginIsCapturedByDefault(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE accounts (id int PRIMARY KEY, balance int)");
    try (IngesterHarness harness = IngesterHarness.start(db)) {
      harness.awaitCaughtUp();
      db.execute("INSERT INTO accounts VALUES (1, 10)");
      applyUnderOrigin(db, "peer_default",
          "INSERT INTO accounts VALUES (2, 20)", "UPDATE accounts SET balance = 11 WHERE id = 1");
      harness.awaitCaughtUp();

      assertThat(harness.column("after", "\"table\" = 'accounts'")).containsExactly(
          "{\"id\": 1, \"balance\": 10}", "{\"id\": 2, \"balance\": 20}", "{\"id\": 1, \"balance\": 11}");
      assertThat(harness.changes("schema = 'bemi'")).as("the trail's own writes").isEmpty();
    }
  }

  @Test
  void whatASubscriptionAppliesFromAnotherServerIsCaptured(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE prices (sku text PRIMARY KEY, cents int)");
    try (SecondServer other = SecondServer.start()) {
      TestDatabase publisher = other.createDatabase("pricing");
      publisher.execute("CREATE TABLE prices (sku text PRIMARY KEY, cents int)",
          "INSERT INTO prices VALUES ('a', 100)", "CREATE PUBLICATION pricing FOR TABLE prices");
      try (IngesterHarness harness = IngesterHarness.start(db)) {
        harness.awaitCaughtUp();
        db.execute("CREATE SUBSCRIPTION pricing CONNECTION '" + publisher.uri() + "' PUBLICATION pricing");
        try {
          awaitRows(db, "SELECT count(*) FROM prices", 1); // the initial copy
          publisher.execute("INSERT INTO prices VALUES ('b', 200)", "UPDATE prices SET cents = 101 WHERE sku = 'a'");
          awaitRows(db, "SELECT count(*) FROM prices WHERE cents IN (101, 200)", 2);
          harness.awaitCaughtUp();

          assertThat(db.queryValue("SELECT string_agg(operation || ' ' || (after ->> 'sku') || ' ' || (after ->> 'cents'),"
              + " ', ' ORDER BY commit_lsn, change_index) FROM bemi.changes WHERE \"table\" = 'prices'"))
              .isEqualTo("CREATE a 100, CREATE b 200, UPDATE a 101");
        } finally {
          db.execute("DROP SUBSCRIPTION pricing"); // and its slot on the publisher
        }
      }
    }
  }

  private static void awaitRows(TestDatabase db, String countQuery, long expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (db.queryLong(countQuery) != expected) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Not applied by the subscription within 30 s: " + countQuery);
      }
      Thread.sleep(50);
    }
  }

  @Test
  void originNoneLeavesOutWhatWasAppliedUnderAnOriginButNotTheRest(TestDatabase db) throws Exception {
    assumeTrue(db.serverMajorVersion() >= 16, "pgoutput's origin option is PostgreSQL 16+");
    db.execute("CREATE TABLE ledger (id int PRIMARY KEY, balance int)");
    try (IngesterHarness harness = IngesterHarness.start(db, null, c -> c.withOriginNone(true))) {
      harness.awaitCaughtUp();
      db.execute("INSERT INTO ledger VALUES (1, 10)");
      applyUnderOrigin(db, "peer_none", "INSERT INTO ledger VALUES (2, 20)");
      db.execute("INSERT INTO ledger VALUES (3, 30)");
      harness.awaitCaughtUp();

      assertThat(harness.column("after", "\"table\" = 'ledger'"))
          .containsExactly("{\"id\": 1, \"balance\": 10}", "{\"id\": 3, \"balance\": 30}");
      assertThat(harness.changes("schema = 'bemi'")).as("the trail's own writes").isEmpty();
      assertThat(db.queryLong("SELECT count(*) FROM pg_replication_origin WHERE roname = 'bemi_bemi'"))
          .as("the destination session writes under the ingester's own origin").isEqualTo(1);
    } finally {
      db.execute("SELECT pg_replication_origin_drop('bemi_bemi') FROM pg_replication_origin WHERE roname = 'bemi_bemi'");
    }
  }

  @Test
  @Tag("replication")
  void originNoneIsRefusedWithTheFixBeforePostgres16(TestDatabase db) throws Exception {
    assumeTrue(db.serverMajorVersion() < 16, "runs on PostgreSQL 14 and 15 (the CI's replication run on 14)");
    db.execute("CREATE TABLE on_an_older_server (id int PRIMARY KEY)");
    try (IngesterHarness harness = IngesterHarness.start(db, null, c -> c.withOriginNone(true))) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (harness.failure() == null && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(harness.failure()).hasMessageContaining("--origin none needs PostgreSQL 16 or later")
          .hasMessageContaining("remove it");
    }
  }

  /** Runs the statements in one transaction marked with a replication origin, as an apply worker does. */
  private static void applyUnderOrigin(TestDatabase db, String origin, String... statements) throws SQLException {
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("SELECT pg_replication_origin_create('" + origin + "')");
      try {
        s.execute("SELECT pg_replication_origin_session_setup('" + origin + "')");
        c.setAutoCommit(false);
        for (String statement : statements) {
          s.execute(statement);
        }
        c.commit();
        c.setAutoCommit(true);
        s.execute("SELECT pg_replication_origin_session_reset()");
      } finally {
        s.execute("SELECT pg_replication_origin_drop('" + origin + "')");
      }
    }
  }
}

package io.bemi.ingester.e2e;

import static io.bemi.ingester.e2e.Cli.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bemi.ingester.e2e.Cli.Result;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.replication.PGReplicationStream;

/**
 * {@code setup} on a database in use, by a role that may lack privileges: it changes nothing it
 * cannot finish, never queues the application's queries behind a lock for long, and says who holds
 * the lock it waited for.
 */
@WithPostgres
@Tag("replication")
class LiveSetupTest {

  private static String owner;
  private static String stranger;
  private static String noReplication;

  @BeforeAll
  static void rolesAndTables(TestDatabase db) throws Exception {
    owner = "live_owner_" + db.name();
    stranger = "live_stranger_" + db.name();
    noReplication = "live_norepl_" + db.name();
    db.execute("CREATE ROLE " + owner + " NOLOGIN",
        "CREATE ROLE " + stranger + " LOGIN REPLICATION PASSWORD 'stranger'",
        "CREATE ROLE " + noReplication + " LOGIN PASSWORD 'norepl'",
        "GRANT CREATE ON DATABASE " + db.name() + " TO " + stranger + ", " + noReplication,
        "CREATE SCHEMA owned", "CREATE TABLE owned.accounts (id int PRIMARY KEY)",
        "CREATE TABLE owned.ledger (id int PRIMARY KEY)",
        "ALTER TABLE owned.accounts OWNER TO " + owner, "ALTER TABLE owned.ledger OWNER TO " + owner,
        "CREATE SCHEMA norepl", "CREATE TABLE norepl.items (id int PRIMARY KEY)",
        "ALTER TABLE norepl.items OWNER TO " + noReplication, "ALTER SCHEMA norepl OWNER TO " + noReplication,
        "CREATE SCHEMA busy", "CREATE TABLE busy.orders (id int PRIMARY KEY)",
        "CREATE SCHEMA streamed", "CREATE TABLE streamed.orders (id int PRIMARY KEY)",
        "CREATE SCHEMA whole", "CREATE TABLE whole.orders (id int PRIMARY KEY)",
        "CREATE SCHEMA growing", "CREATE TABLE growing.orders (id int PRIMARY KEY)",
        "CREATE TABLE growing.events (id int, at date) PARTITION BY RANGE (at)",
        "CREATE TABLE growing.events_2026 PARTITION OF growing.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')");
  }

  @AfterAll
  static void dropRoles(TestDatabase db) throws Exception {
    for (String role : new String[] {owner, stranger, noReplication}) {
      db.execute("REASSIGN OWNED BY " + role + " TO " + db.user(), "DROP OWNED BY " + role, "DROP ROLE " + role);
    }
  }

  private static String as(TestDatabase db, String role, String password) {
    return db.uri().replaceFirst("://[^@]*@", "://" + role + ":" + password + "@");
  }

  @Test
  void aRoleThatDoesNotOwnTheTablesIsStoppedBeforeItChangesAnything(TestDatabase db) throws Exception {
    String[] setup = {"setup", "--source-url", as(db, stranger, "stranger"), "--schemas", "owned", "--slot",
        "stranger", "--publication", "stranger"};
    Result refused = run(setup);

    assertThat(refused.exitCode()).as(refused.err()).isEqualTo(2);
    assertThat(refused.err()).contains("Role " + stranger + " cannot set up the source, so nothing was changed",
        "does not own owned.accounts, owned.ledger (owner: " + owner, "has no USAGE on schema owned",
        "run setup as the tables' owner", "--print-sql");
    assertThat(db.queryValue("SELECT relreplident::text FROM pg_class WHERE oid = 'owned.accounts'::regclass"))
        .isEqualTo("d");
    assertThat(db.queryLong("SELECT count(*) FROM pg_publication WHERE pubname = 'stranger'")).isZero();
    assertThat(db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'stranger'")).isZero();

    // a member of the owning role has its privileges, as PostgreSQL checks them
    db.execute("GRANT USAGE ON SCHEMA owned TO " + owner, "GRANT " + owner + " TO " + stranger);
    try {
      Result done = run(setup);
      assertThat(done.exitCode()).as(done.err()).isZero();
      assertThat(db.queryValue("SELECT relreplident::text FROM pg_class WHERE oid = 'owned.ledger'::regclass"))
          .isEqualTo("f");
    } finally {
      db.execute("REVOKE " + owner + " FROM " + stranger, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'stranger'");
    }
  }

  @Test
  void aRoleWithoutReplicationIsToldHowToGetIt(TestDatabase db) throws Exception {
    Result refused = run("setup", "--source-url", as(db, noReplication, "norepl"), "--schemas", "norepl", "--slot",
        "norepl", "--publication", "norepl");

    assertThat(refused.exitCode()).as(refused.err()).isEqualTo(2);
    assertThat(refused.err()).contains("Cannot create the replication slot", "ALTER ROLE \"" + noReplication
        + "\" REPLICATION", "GRANT rds_replication TO \"" + noReplication + "\"");
  }

  @Test
  void aTableHeldByALongTransactionStopsSetupNamingTheSessionAndARetrySucceeds(TestDatabase db) throws Exception {
    String[] setup = {"setup", "--source-url", db.uri(), "--schemas", "busy", "--slot", "busy", "--publication", "busy",
        "--lock-timeout-ms", "100"};
    try (Connection report = db.connect(); Statement s = report.createStatement()) {
      s.execute("SET application_name = 'long report'");
      report.setAutoCommit(false);
      s.execute("SELECT count(*) FROM busy.orders"); // ACCESS SHARE until the transaction ends

      long started = System.nanoTime();
      Result blocked = run(setup);
      long ms = (System.nanoTime() - started) / 1_000_000;

      assertThat(blocked.exitCode()).as(blocked.err()).isEqualTo(1);
      assertThat(blocked.err()).contains("waited 5 times 100 ms for a lock and gave up",
          "application 'long report', idle in transaction", "AccessShareLock on busy.orders",
          "ALTER TABLE \"busy\".\"orders\" REPLICA IDENTITY FULL", "--lock-timeout-ms");
      assertThat(ms).as("5 attempts of 100 ms, 100 ms apart").isLessThan(10_000);
      report.commit();
    }
    assertThat(db.queryValue("SELECT relreplident::text FROM pg_class WHERE oid = 'busy.orders'::regclass"))
        .isEqualTo("d");

    Result done = run(setup);
    assertThat(done.exitCode()).as(done.err()).isZero();
    assertThat(db.queryValue("SELECT relreplident::text FROM pg_class WHERE oid = 'busy.orders'::regclass"))
        .isEqualTo("f");

    // re-running setup leaves a table that has REPLICA IDENTITY FULL alone: no lock to wait for
    try (Connection report = db.connect(); Statement s = report.createStatement()) {
      report.setAutoCommit(false);
      s.execute("INSERT INTO busy.orders VALUES (1)"); // ROW EXCLUSIVE until the transaction ends
      Result again = run(setup);
      assertThat(again.exitCode()).as(again.err()).isZero();
      report.rollback();
    }
    db.execute("SELECT pg_drop_replication_slot('busy')");
  }

  @Test
  void statusNamesTablesCreatedSinceSetupAndPartitionsWithoutFullIdentity(TestDatabase db) throws Exception {
    String[] setup = {"setup", "--source-url", db.uri(), "--schemas", "growing", "--exclude-tables", "growing.tmp_*",
        "--slot", "growing", "--publication", "growing"};
    String[] status = {"status", "--source-url", db.uri(), "--slot", "growing", "--publication", "growing"};
    Result first = run(setup);
    assertThat(first.exitCode()).isZero();
    assertThat(first.out()).contains("REPLICA IDENTITY FULL set on 3 table(s) and partition(s), 0 had it already");
    assertThat(run(status).out()).contains("tables:            2 in publication growing (--schemas 'growing' "
        + "--exclude-tables 'growing.tmp_*'), all with REPLICA IDENTITY FULL").doesNotContain("since setup");

    db.execute("CREATE TABLE growing.refunds (id int PRIMARY KEY)", "CREATE TABLE growing.tmp_load (id int)",
        "CREATE TABLE growing.events_2027 PARTITION OF growing.events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01')");
    Result stale = run(status);

    assertThat(stale.exitCode()).isZero();
    assertThat(stale.out()).contains("WARNING: 1 table(s) created since setup are not in publication growing, so none "
        + "of their changes is captured: growing.refunds. Run `bemi-ingester setup --schemas 'growing' "
        + "--exclude-tables 'growing.tmp_*'` again")
        .contains("to also record the rows they hold now as their baseline, run `bemi-ingester setup --schemas "
            + "'growing' --exclude-tables 'growing.tmp_*' --snapshot-tables 'growing.refunds'`")
        // published through its root, but its UPDATEs would carry only the key
        .contains("1 tracked table(s) or partition(s) lack REPLICA IDENTITY FULL", ": growing.events_2027.")
        .doesNotContain("tmp_load"); // excluded by setup's options

    Result again = run(setup);
    assertThat(again.exitCode()).isZero();
    assertThat(again.out()).contains("REPLICA IDENTITY FULL set on 2 table(s) and partition(s), 3 had it already");
    assertThat(run(status).out()).contains("tables:            3 in publication growing")
        .contains("all with REPLICA IDENTITY FULL").doesNotContain("since setup");
    db.execute("SELECT pg_drop_replication_slot('growing')");
  }

  @Test
  void aTablePublishedThroughItsSchemaCountsAsTracked(TestDatabase db) throws Exception {
    assumeTrue(db.queryLong("SELECT current_setting('server_version_num')::bigint") >= 150000,
        "TABLES IN SCHEMA publications need PostgreSQL 15");
    String[] status = {"status", "--source-url", db.uri(), "--slot", "whole", "--publication", "whole"};
    assertThat(run("setup", "--source-url", db.uri(), "--schemas", "whole", "--slot", "whole", "--publication", "whole")
        .exitCode()).isZero();
    try {
      // a DBA manages the publication by schema: a table created later is published without setup
      db.execute("ALTER PUBLICATION whole SET TABLES IN SCHEMA whole", "CREATE TABLE whole.refunds (id int PRIMARY KEY)");
      Result stale = run(status);

      assertThat(stale.out()).contains("tables:            2 in publication whole").doesNotContain("since setup")
          .contains("1 tracked table(s) or partition(s) lack REPLICA IDENTITY FULL", ": whole.refunds.");
    } finally {
      db.execute("SELECT pg_drop_replication_slot('whole')");
    }
  }

  @Test
  void statusSaysWhenThePublicationHasNoRecordOfSetupsChoice(TestDatabase db) throws Exception {
    db.execute("CREATE PUBLICATION by_hand FOR TABLE streamed.orders",
        "SELECT pg_create_logical_replication_slot('by_hand', 'pgoutput')");
    try {
      assertThat(run("status", "--source-url", db.uri(), "--slot", "by_hand", "--publication", "by_hand").out())
          .contains("publication by_hand has no record of setup's table options");
    } finally {
      db.execute("SELECT pg_drop_replication_slot('by_hand')", "DROP PUBLICATION by_hand");
    }
  }

  @Test
  void teardownWhileAnIngesterStreamsChangesNothingAndSaysWhoStreams(TestDatabase db) throws Exception {
    String[] teardown = {"teardown", "--source-url", db.uri(), "--slot", "streamed", "--publication", "streamed",
        "--yes"};
    assertThat(run("setup", "--source-url", db.uri(), "--schemas", "streamed", "--slot", "streamed", "--publication",
        "streamed").exitCode()).isZero();
    try (Connection replication = db.connectForReplication()) {
      PGReplicationStream stream = replication.unwrap(PGConnection.class).getReplicationAPI().replicationStream()
          .logical().withSlotName("streamed").withSlotOption("proto_version", 1)
          .withSlotOption("publication_names", "streamed").start();
      Result refused = run(teardown);
      stream.close();

      assertThat(refused.exitCode()).as(refused.err()).isEqualTo(1);
      assertThat(refused.err()).contains("Slot streamed is in use by walsender pid", "so teardown changed nothing",
          "Stop the ingester and its standbys first");
      assertThat(db.queryLong("SELECT count(*) FROM pg_publication WHERE pubname = 'streamed'")).isEqualTo(1);
    }
    Result done = run(teardown);
    assertThat(done.exitCode()).as(done.err()).isZero();
    assertThat(db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'streamed'")).isZero();
  }
}

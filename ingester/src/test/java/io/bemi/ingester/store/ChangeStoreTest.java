package io.bemi.ingester.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.history.Operation;
import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.e2e.QuarantineTest;
import io.bemi.ingester.stitch.StoreEvent.Change;
import io.bemi.ingester.stitch.StoreEvent.Commit;
import io.bemi.ingester.stitch.Transaction;
import io.bemi.sql.Lsn;
import io.bemi.sql.Migrations;
import io.bemi.test.PlantedOperators;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The store's handling of commit times against the partitions of changes, on hand-built changes. */
@WithPostgres
class ChangeStoreTest {

  private static final Instant NOW = Instant.now();

  /** One source transaction of one change with row id {@code id}, committed at {@code committedAt}. */
  private static void storeTransaction(ChangeStore store, long commitLsn, Instant committedAt, String id) throws Exception {
    Transaction transaction = new Transaction("shop", commitLsn, Lsn.of(commitLsn), committedAt, NOW);
    store.accept(new Change(transaction, 0, Lsn.of(commitLsn - 8), "public", "orders", Operation.CREATE, id, null, "{}",
        "{\"id\": \"" + id + "\"}", "{}"));
    store.accept(new Commit(transaction, Lsn.of(commitLsn + 8), 1));
  }

  @Test
  void copyTextEscapesSurviveTheirPositionsRunsAndLongValues(TestDatabase db) throws Exception {
    TestDatabase trail = db.createSibling("copy_text"); // the other tests read every row of their trail
    Migrations.migrate(trail.dataSource(), "bemi");
    // COPY's specials (backslash, tab, newline, carriage return) first, last, next to each other,
    // alone, and in a long value; JSON may hold them raw between tokens and escaped inside strings
    String[] keys = {"\\", "\t", "\tk\\e\ny\r", "plain", "\\\\\t\t\n\r\r\n", "x".repeat(5000) + "\t" + "y".repeat(5000) + "\\"};
    String after = "{\n\t\"a\":\r\n \"x\\\\y\\n\\t\", \"b\": \"" + "z".repeat(4000) + "\\\\\"}\t";
    try (ChangeStore store = new ChangeStore(trail.connect(), "bemi", "slot", "shop", "eu")) {
      for (int i = 0; i < keys.length; i++) {
        Transaction transaction = new Transaction("shop", 1000 + i * 100, Lsn.of(1000 + i * 100), NOW, NOW);
        store.accept(new Change(transaction, 0, Lsn.of(990 + i * 100), "public", "orders", Operation.CREATE, keys[i], null,
            "{}", after, "{}"));
        store.accept(new Commit(transaction, Lsn.of(1008 + i * 100), 1));
      }
      store.commit();
    }

    try (var c = trail.connect(); var s = c.prepareStatement("SELECT primary_key, after = ?::jsonb FROM bemi.changes ORDER BY commit_lsn")) {
      s.setString(1, after);
      try (var rs = s.executeQuery()) {
        for (String key : keys) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString(1)).isEqualTo(key);
          assertThat(rs.getBoolean(2)).as("after of %s", key.length() > 20 ? key.substring(0, 20) : key).isTrue();
        }
        assertThat(rs.next()).isFalse();
      }
    }
  }

  /** Transactions of {@code n} changes each, in two months (this one and next), of two tables and three operations. */
  private static void storeTwoMonths(ChangeStore store, int n) throws Exception {
    Operation[] operations = {Operation.CREATE, Operation.UPDATE, Operation.DELETE};
    long lsn = 10_000;
    for (Instant at : new Instant[] {NOW, NOW.plus(Duration.ofSeconds(90)), NOW.plus(Duration.ofDays(40))}) {
      for (int t = 0; t < 3; t++, lsn += 1_000) {
        Transaction transaction = new Transaction("shop", lsn, Lsn.of(lsn), at, NOW);
        for (int i = 0; i < n; i++) {
          store.accept(new Change(transaction, i, Lsn.of(lsn - 500 + i), "public", i % 2 == 0 ? "orders" : "items",
              operations[(t + i) % 3], "k" + lsn + "-" + i, null, "{}", "{}", "{}"));
        }
        store.accept(new Commit(transaction, Lsn.of(lsn + 8), n));
      }
    }
    store.commit();
  }

  /** Rows of activity that a count of the stored changes does not give, and the other way round (none: equal). */
  private static long activityMismatches(TestDatabase db) throws Exception {
    String recount = "SELECT date_bin('1 minute', committed_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket, source,"
        + " schema, \"table\", operation, count(*) AS changes FROM bemi.changes GROUP BY 1, 2, 3, 4, 5";
    String stored = "SELECT bucket, source, schema, \"table\", operation, changes FROM bemi.activity";
    return db.queryLong("SELECT count(*) FROM ((" + recount + " EXCEPT " + stored + ") UNION ALL (" + stored
        + " EXCEPT " + recount + ")) d");
  }

  /** A connection as a new role with USAGE on bemi, EXECUTE on ensure_partitions and {@code grants} (%s: the role). */
  private static Connection connectAsWriter(TestDatabase db, String... grants) throws Exception {
    String role = db.name() + "_writer";
    db.execute("CREATE ROLE " + role, "GRANT USAGE ON SCHEMA bemi TO " + role,
        "GRANT EXECUTE ON FUNCTION bemi.ensure_partitions(timestamptz) TO " + role);
    for (String grant : grants) {
      db.execute(grant.formatted(role));
    }
    Connection connection = db.connect();
    try (var s = connection.createStatement()) {
      s.execute("SET ROLE " + role);
    }
    return connection;
  }

  @Test
  void theOwnerCopiesIntoEachMonthsPartitionAndCountsTheActivityOnce(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("owner_copy");
    Migrations.migrate(db.dataSource(), "bemi");
    try (ChangeStore store = new ChangeStore(db.connect(), "bemi", "slot", "shop", "eu")) {
      storeTwoMonths(store, 7);
      assertThat(store.copiesIntoPartitions()).isTrue();
    }

    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes")).isEqualTo(63);
    assertThat(db.queryLong("SELECT count(DISTINCT tableoid) FROM bemi.changes")).isEqualTo(2);
    assertThat(db.queryLong("SELECT sum(changes) FROM bemi.activity")).isEqualTo(63);
    assertThat(activityMismatches(db)).isZero();
  }

  @Test
  void aWriterThatMayOnlyInsertIntoTheRootCopiesThroughItAndTheTriggerCounts(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("root_writer");
    Migrations.migrate(db.dataSource(), "bemi");
    Connection connection = connectAsWriter(db, "GRANT INSERT ON bemi.changes TO %s",
        "GRANT SELECT, INSERT, UPDATE ON bemi.ingester_checkpoints TO %s");
    try (ChangeStore store = new ChangeStore(connection, "bemi", "slot", "shop", "eu")) {
      storeTwoMonths(store, 5);
      assertThat(store.copiesIntoPartitions()).isFalse();
    }

    assertThat(db.queryLong("SELECT sum(changes) FROM bemi.activity")).isEqualTo(45);
    assertThat(activityMismatches(db)).isZero();
  }

  @Test
  void aWriterGrantedThePartitionsCopiesIntoThemUntilItsInsertOnTheRootIsRevoked(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("revoked_root");
    Migrations.migrate(db.dataSource(), "bemi");
    db.execute("SELECT bemi.ensure_partitions(now() + interval '3 months')");
    String role = db.name() + "_writer";
    Connection connection = connectAsWriter(db, // as docs/ingester.md grants bemi_writer
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA bemi TO %s");
    try (ChangeStore store = new ChangeStore(connection, "bemi", "slot", "shop", "eu")) {
      storeTransaction(store, 1000, NOW, "granted");
      store.commit();
      assertThat(store.copiesIntoPartitions()).isTrue();

      db.execute("REVOKE INSERT ON bemi.changes FROM " + role);
      storeTransaction(store, 2000, NOW, "revoked");
      assertThatThrownBy(store::commit).as("refused as a COPY into the root would be, though the partition would take it")
          .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"))
          .hasMessageContaining("permission denied for table changes");
      store.rollback();

      db.execute("GRANT INSERT ON bemi.changes TO " + role);
      storeTransaction(store, 2000, NOW, "revoked");
      store.commit();
    }

    assertThat(db.queryValue("SELECT string_agg(primary_key, ',' ORDER BY commit_lsn) FROM bemi.changes"))
        .isEqualTo("granted,revoked");
    assertThat(activityMismatches(db)).isZero();
  }

  @Test
  void anotherStatementTriggerOnTheRootKeepsTheCopyGoingThroughIt(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("user_trigger");
    Migrations.migrate(db.dataSource(), "bemi");
    db.execute("CREATE TABLE public.statements (n bigint)",
        "CREATE FUNCTION public.count_statements() RETURNS trigger LANGUAGE plpgsql AS $$"
            + " BEGIN INSERT INTO public.statements SELECT count(*) FROM stored; RETURN NULL; END $$",
        "CREATE TRIGGER z_count_statements AFTER INSERT ON bemi.changes REFERENCING NEW TABLE AS stored"
            + " FOR EACH STATEMENT EXECUTE FUNCTION public.count_statements()");
    try (ChangeStore store = new ChangeStore(db.connect(), "bemi", "slot", "shop", "eu")) {
      storeTwoMonths(store, 3);
      assertThat(store.copiesIntoPartitions()).isFalse();
    }

    assertThat(db.queryLong("SELECT sum(n) FROM public.statements")).as("the user's trigger saw every row").isEqualTo(27);
    assertThat(activityMismatches(db)).isZero();
  }

  @Test
  void withTheActivityTriggerDisabledNothingIsCountedEitherWay(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("no_trigger");
    Migrations.migrate(db.dataSource(), "bemi");
    db.execute("ALTER TABLE bemi.changes DISABLE TRIGGER changes_count_activity");
    try (ChangeStore store = new ChangeStore(db.connect(), "bemi", "slot", "shop", "eu")) {
      storeTwoMonths(store, 3);
      assertThat(store.copiesIntoPartitions()).isTrue();
    }

    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes")).isEqualTo(27);
    assertThat(db.queryLong("SELECT count(*) FROM bemi.activity")).isZero();
  }

  @Test
  void anOperatorPlantedInPublicDoesNotRunInTheStoresSession(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("planted");
    Migrations.migrate(db.dataSource(), "bemi");
    // the store compares text columns with its varchar parameters (slot = ?) and calls date_bin and
    // to_timestamp; the session the ingester opens for it resolves them in pg_catalog only
    PlantedOperators.plant(db);
    try (ChangeStore store = new ChangeStore(PostgresUrl.parse(db.uri()).connect(), "bemi", "slot", "shop", "eu")) {
      storeTransaction(store, 1000, NOW, "stored");
      store.commit();
      assertThat(store.storedCheckpoint().commitLsn()).isEqualTo(Lsn.of(1000));
    }

    assertThat(db.queryValue("SELECT string_agg(primary_key, ',') FROM bemi.changes")).isEqualTo("stored");
    PlantedOperators.probe(db);
    assertThat(PlantedOperators.ranIn(db, "probe")).isNotNull();
    assertThat(PlantedOperators.ranIn(db, "bemi-ingester")).isNull();
  }

  @Test
  void aChangeCommittedBeyondThePartitionsTheDestinationCreatesIsQuarantinedAndTheBatchGoesOn(TestDatabase db)
      throws Exception {
    Migrations.migrate(db.dataSource(), "bemi");
    AtomicInteger quarantined = new AtomicInteger();
    try (ChangeStore store = new ChangeStore(db.connect(), "bemi", "slot", "shop", "eu")) {
      store.isolateUpTo(Lsn.INVALID, quarantined::incrementAndGet);
      storeTransaction(store, 1000, NOW, "before");
      storeTransaction(store, 2000, Instant.parse("2126-01-01T00:00:00Z"), "ahead"); // a source clock a century ahead
      storeTransaction(store, 3000, NOW, "after");
      assertThat(store.commit().commitLsn()).isEqualTo(Lsn.of(3000));
    }

    assertThat(db.queryValue("SELECT string_agg(primary_key, ',' ORDER BY commit_lsn) FROM bemi.changes"))
        .isEqualTo("before,after");
    assertThat(db.queryValue("SELECT primary_key || ' ' || committed_at::date || ' ' || sql_state || ' ' || source"
        + " FROM bemi.quarantine")).isEqualTo("ahead 2126-01-01 23514 eu");
    assertThat((String) db.queryValue("SELECT error FROM bemi.quarantine")).contains("after the last partition of changes");
    assertThat(quarantined).hasValue(1);
    assertThat(db.queryValue("SELECT bemi.partitioned_until() < now() + interval '14 months'")).isEqualTo(true);
  }

  @Test
  void aRowTheDestinationRefusesIsReportedAsRefusedDataWhenANewMonthEndsItsCopy(TestDatabase db) throws Exception {
    Migrations.migrate(db.dataSource(), "bemi");
    QuarantineTest.refusePoisonRows(db);
    try (ChangeStore store = new ChangeStore(db.connect(), "bemi", "slot", "shop", "eu")) {
      storeTransaction(store, 1000, NOW, "poison-1"); // copied, refused when the COPY ends

      assertThatThrownBy(() -> storeTransaction(store, 2000, NOW.plus(Duration.ofDays(180)), "later"))
          .as("the ingester then stores the batch change by change and quarantines the refused one")
          .isInstanceOf(DataRejectedException.class)
          .hasMessageContaining("refused by the destination");
    }
  }
}

package io.bemi.ingester.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.history.Operation;
import io.bemi.ingester.e2e.QuarantineTest;
import io.bemi.ingester.stitch.StoreEvent.Change;
import io.bemi.ingester.stitch.StoreEvent.Commit;
import io.bemi.ingester.stitch.Transaction;
import io.bemi.sql.Lsn;
import io.bemi.sql.Migrations;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
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

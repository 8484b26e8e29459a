package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.sql.Lsn;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The slot keeps up with the WAL while tracked tables are quiet and an untracked table writes. */
@WithPostgres
@Tag("replication")
class IdleSlotTest {

  private static IngesterHarness harness;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE tracked (id int PRIMARY KEY)");
    harness = IngesterHarness.start(db);
    db.execute("CREATE TABLE untracked (id int, filler text)"); // after setup: not in the publication
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  @Test
  void theConfirmedPositionFollowsWalOfUntrackedTables(TestDatabase db) throws Exception {
    db.execute("INSERT INTO tracked VALUES (1)");
    harness.awaitCaughtUp();
    for (int i = 0; i < 20; i++) {
      db.execute("INSERT INTO untracked SELECT g, repeat('x', 500) FROM generate_series(1, 1000) g");
    }
    Lsn written = Lsn.parse((String) db.queryValue("SELECT pg_current_wal_lsn()::text"));

    long deadline = System.nanoTime() + 60_000_000_000L;
    Lsn confirmed = Lsn.INVALID;
    while (System.nanoTime() < deadline) {
      confirmed = Lsn.parse((String) db.queryValue(
          "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = 'bemi'"));
      if (confirmed.compareTo(written) >= 0) {
        break;
      }
      Thread.sleep(200);
    }
    assertThat(confirmed).isGreaterThanOrEqualTo(written);
    assertThat(harness.changes("\"table\" = 'untracked'")).isEmpty();
  }
}

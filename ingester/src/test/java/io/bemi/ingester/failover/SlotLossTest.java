package io.bemi.ingester.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.ingester.Ingester;
import io.bemi.ingester.IngesterConfig;
import io.bemi.ingester.IngesterMetrics;
import io.bemi.ingester.PostgresUrl;
import io.bemi.sql.Lsn;
import io.bemi.ingester.replication.SetupMissingException;
import io.bemi.ingester.setup.SourceSetup;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The slot vanishes after changes were stored from it (what a failover without failover slots
 * looks like to the ingester): the ingester stops naming the gap, records it, and closes it at the
 * new slot's start once setup has run again.
 */
@WithPostgres
@Tag("replication")
class SlotLossTest {

  @Test
  void aSlotLostAfterStoringIsReportedAsAGapFromTheLastStoredCommitToTheNewSlot(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE items (id int PRIMARY KEY)");
    setUp(db);
    runUntilStored(db, "INSERT INTO items VALUES (1)", 1);

    db.execute("SELECT pg_drop_replication_slot('bemi')"); // the new primary has no slot
    db.execute("INSERT INTO items VALUES (2)"); // committed while no slot exists: lost to the trail
    Lsn lostAt = Lsn.parse((String) db.queryValue("SELECT pg_current_wal_lsn()::text"));

    assertThatThrownBy(() -> ingester(db).run())
        .isInstanceOf(SetupMissingException.class)
        .hasMessageContaining("GAP IN THE TRAIL")
        .hasMessageContaining("setup --snapshot");
    assertThat(db.queryLong("SELECT count(*) FROM bemi.gaps WHERE end_lsn IS NULL")).isEqualTo(1);
    assertThat(db.queryLong("SELECT start_lsn FROM bemi.gaps"))
        .isEqualTo(db.queryLong("SELECT commit_lsn FROM bemi.ingester_checkpoints"));

    // a plain setup (an init container, ExecStartPre) would paper over the gap with no baseline: refused
    io.bemi.ingester.e2e.Cli.Result plain = io.bemi.ingester.e2e.Cli.run("setup", "--source-url", db.uri());
    assertThat(plain.exitCode()).isEqualTo(2);
    assertThat(plain.err()).contains("Slot 'bemi' was lost: the trail has an open gap since")
        .contains("setup --snapshot").contains("--accept-gap");
    assertThat(db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'bemi'")).isZero();

    io.bemi.ingester.e2e.Cli.Result accepted = io.bemi.ingester.e2e.Cli.run("setup", "--source-url", db.uri(), "--accept-gap");
    assertThat(accepted.exitCode()).as(accepted.err()).isZero(); // re-creates the slot, as asked
    runUntilStored(db, "INSERT INTO items VALUES (3)", 2);
    assertThat(db.queryLong("SELECT count(*) FROM bemi.gaps WHERE end_lsn IS NULL")).isZero();
    assertThat(Lsn.of(db.queryLong("SELECT end_lsn FROM bemi.gaps")).isAfter(lostAt)).isTrue();
    assertThat(db.queryValue("SELECT string_agg(primary_key, ',' ORDER BY commit_lsn) FROM bemi.changes"))
        .as("the change committed without a slot is not in the trail, the gap says so").isEqualTo("1,3");
  }

  private static void setUp(TestDatabase db) throws Exception {
    try (Connection c = db.connect()) {
      SourceSetup.execute(c, SourceSetup.setupStatements(c,
          SourceSetup.trackedTables(c, "bemi", List.of(), List.of()), "bemi", "bemi"));
    }
  }

  private static Ingester ingester(TestDatabase db) {
    return new Ingester(IngesterConfig.defaults(PostgresUrl.parse(db.uri()), PostgresUrl.parse(db.uri()), "bemi",
        "bemi", "bemi"), new IngesterMetrics(), Clock.systemUTC(), Duration.ofSeconds(3));
  }

  /** Runs an ingester until {@code stored} changes are in the trail, then stops it. */
  private static void runUntilStored(TestDatabase db, String write, long stored) throws Exception {
    Ingester ingester = ingester(db);
    Thread thread = new Thread(() -> {
      try {
        ingester.run();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    thread.start();
    db.execute(write);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (ingester.metrics().changesStored() < 1 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    ingester.stop();
    thread.join(30_000);
    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes")).isEqualTo(stored);
  }
}

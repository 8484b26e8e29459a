package io.bemi.ingester.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.ingester.PostgresUrl;
import io.bemi.sql.Migrations;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The lease on its own: one holder at a time, takeover after death, and the fence that refuses a stale leader. */
@WithPostgres
class LeaderLeaseTest {

  private static final Duration TTL = Duration.ofSeconds(3);

  private static LeaderLease lease(TestDatabase db, String holder) throws Exception {
    return lease(db, new Leadership(new SimpleMeterRegistry(), holder));
  }

  private static LeaderLease lease(TestDatabase db, Leadership leadership) throws Exception {
    return LeaderLease.open(PostgresUrl.parse(db.uri()), "bemi", "bemi", db.name(), leadership, TTL);
  }

  @Test
  void aSecondProcessCannotTakeALiveLeaseAndSeesWhoHoldsIt(TestDatabase db) throws Exception {
    Migrations.migrate(db.dataSource(), "bemi");
    Leadership standby = new Leadership(new SimpleMeterRegistry(), "host-b");
    try (LeaderLease first = lease(db, "host-a"); LeaderLease second = lease(db, standby)) {
      assertThat(first.tryAcquire()).isTrue();
      assertThat(second.tryAcquire()).isFalse();
      assertThat(standby.role()).isEqualTo(Role.STANDBY);
      assertThat(standby.lease().holder()).isEqualTo("host-a");
      assertThat(standby.lease().epoch()).isEqualTo(db.queryLong("SELECT epoch FROM bemi.ingester_leases"));
    }
  }

  @Test
  void aLeaderWhoseConnectionDiedIsReplacedAtOnceAndItsBatchesAreRefused(TestDatabase db) throws Exception {
    Migrations.migrate(db.dataSource(), "bemi");
    try (LeaderLease stale = lease(db, "host-a"); LeaderLease next = lease(db, "host-b");
         Connection staleStore = db.connect()) {
      assertThat(stale.tryAcquire()).isTrue();
      long staleEpoch = db.queryLong("SELECT epoch FROM bemi.ingester_leases");
      // host-a's lease connection dies (its host is cut off): the row names a backend that no longer exists
      db.execute("SELECT pg_terminate_backend(holder_pid) FROM bemi.ingester_leases");
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      boolean tookOver = false;
      while (!tookOver && System.nanoTime() < deadline) {
        tookOver = next.tryAcquire();
        Thread.sleep(100);
      }
      assertThat(tookOver).as("takeover once the leader's backend is gone").isTrue();
      assertThat(db.queryLong("SELECT epoch FROM bemi.ingester_leases")).isEqualTo(staleEpoch + 1);

      staleStore.setAutoCommit(false);
      assertThatThrownBy(() -> stale.check(staleStore))
          .isInstanceOf(LeadershipLostException.class)
          .hasMessageContaining("Batch refused");
      staleStore.rollback();
      next.check(staleStore); // the new leader's batches pass
      staleStore.rollback();
    }
  }

  @Test
  void aLeaderPausedLongerThanItsLeaseLosesItOnItsOwnClock(TestDatabase db) throws Exception {
    Migrations.migrate(db.dataSource(), "bemi");
    try (LeaderLease paused = lease(db, "host-a")) {
      assertThat(paused.tryAcquire()).isTrue();
      paused.requireHeld();
      synchronized (paused) { // the renewer cannot run: as if the process were stopped
        Thread.sleep(TTL.toMillis() + 300);
      }
      assertThatThrownBy(paused::requireHeld).isInstanceOf(LeadershipLostException.class);
    }
  }

  @Test
  void aFailureAfterThePauseIsReportedAsTheLostLeaseAndAFailureWhileHeldAsItself(TestDatabase db) throws Exception {
    Migrations.migrate(db.dataSource(), "bemi");
    try (LeaderLease paused = lease(db, "host-a")) {
      assertThat(paused.tryAcquire()).isTrue();
      SQLException walsenderEnded = new SQLException("Database connection failed when reading from copy", "08006");
      assertThat(paused.lossBehind(walsenderEnded)).isNull(); // an outage while leading: retried as one
      synchronized (paused) {
        Thread.sleep(TTL.toMillis() + 300);
      }
      assertThat(paused.lossBehind(walsenderEnded))
          .hasMessageStartingWith("Lost the lease of slot")
          .hasMessageContaining("when reading from copy")
          .hasCause(walsenderEnded);
    }
  }

  @Test
  void aCleanStopReleasesTheLeaseSoTheStandbyTakesOverAtOnce(TestDatabase db) throws Exception {
    Migrations.migrate(db.dataSource(), "bemi");
    try (LeaderLease standby = lease(db, "host-b")) {
      try (LeaderLease leader = lease(db, "host-a")) {
        assertThat(leader.tryAcquire()).isTrue();
        assertThat(standby.tryAcquire()).isFalse();
      }
      assertThat(standby.tryAcquire()).isTrue();
    }
  }
}

package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.ingester.IngesterMetrics;
import io.bemi.ingester.leader.Role;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Two ingesters on one slot: one leads, the other stands by and takes over; the trail holds every change once. */
@WithPostgres
@Tag("replication")
class StandbyIngesterTest {

  private static final Duration LEASE = Duration.ofSeconds(3);

  @Test
  void theSecondIngesterStandsByAndTakesOverWhenTheLeaderStopsStoringEachChangeOnce(TestDatabase db)
      throws Exception {
    db.execute("CREATE TABLE items (id int PRIMARY KEY, note text)");
    IngesterMetrics firstMetrics = new IngesterMetrics();
    IngesterMetrics secondMetrics = new IngesterMetrics();
    IngesterHarness first = IngesterHarness.start(db, null, c -> c, firstMetrics, LEASE);
    await(() -> firstMetrics.leadership().role() == Role.LEADER, "first leads");
    try (IngesterHarness second = IngesterHarness.start(db, null, c -> c, secondMetrics, LEASE)) {
      await(() -> secondMetrics.leadership().role() == Role.STANDBY, "second stands by");
      assertThat(secondMetrics.leadership().lease().holder()).isEqualTo(firstMetrics.leadership().holder());
      assertThat(secondMetrics.isStreaming()).isFalse();

      db.execute("INSERT INTO items SELECT g, 'before' FROM generate_series(1, 50) g");
      first.awaitCaughtUp();
      first.close(); // a clean stop releases the lease
      long stopped = System.nanoTime();
      await(() -> secondMetrics.leadership().role() == Role.LEADER && secondMetrics.isStreaming(), "second leads");
      long takeoverMillis = (System.nanoTime() - stopped) / 1_000_000;

      db.execute("INSERT INTO items SELECT g, 'after' FROM generate_series(51, 100) g");
      second.awaitCaughtUp();
      assertThat(db.queryLong("SELECT count(*) FROM bemi.changes WHERE \"table\" = 'items'")).isEqualTo(100);
      assertThat(db.queryLong("SELECT count(DISTINCT primary_key) FROM bemi.changes WHERE \"table\" = 'items'"))
          .isEqualTo(100);
      assertThat(secondMetrics.changesStored()).isEqualTo(50);
      assertThat(takeoverMillis).as("takeover after a clean stop (ms)").isLessThan(LEASE.toMillis());
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Not within 30 s: " + what);
      }
      Thread.sleep(20);
    }
  }
}

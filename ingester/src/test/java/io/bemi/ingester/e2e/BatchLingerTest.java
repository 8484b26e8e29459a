package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code --batch-linger-ms}: small transactions arriving one after another share destination transactions. */
@WithPostgres
@Tag("replication")
class BatchLingerTest {

  @Test
  void aSteadyStreamOfSmallTransactionsIsStoredInFewerDestinationTransactions(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE ticks (n int PRIMARY KEY)");
    Duration linger = Duration.ofMillis(150);
    try (IngesterHarness harness = IngesterHarness.start(db, null, c -> c.withBatchLinger(linger))) {
      harness.awaitCaughtUp();
      long before = harness.metrics().batchesCommitted();
      long started = System.nanoTime();
      for (int i = 1; i <= 60; i++) {
        db.execute("INSERT INTO ticks VALUES (" + i + ")");
        Thread.sleep(5);
      }
      harness.awaitCaughtUp();
      long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
      long commits = harness.metrics().batchesCommitted() - before;

      // Each batch lives at least the linger from its first transaction to its commit (it would close
      // sooner only at 10,000 changes or at --max-batch-delay-ms, 200 ms), and batches follow one
      // another: at most one commit per linger of the run, where committing at once would be ~60.
      assertThat(commits).as("destination commits in %d ms", elapsedMillis)
          .isPositive().isLessThanOrEqualTo(elapsedMillis / linger.toMillis() + 1);
      assertThat(harness.column("after", "\"table\" = 'ticks'")).hasSize(60);
    }
  }
}

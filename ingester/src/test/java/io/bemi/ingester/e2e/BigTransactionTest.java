package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.io.File;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A 1M-row UPDATE (REPLICA IDENTITY FULL) is stored completely by an ingester with a 256 MB heap.
 * Tagged slow (minutes on a busy 2-core machine): {@code ./mvnw -pl ingester verify
 * -Dtest=BigTransactionTest -Dbemi.ingester.excludedGroups=none}.
 */
@WithPostgres
@Tag("replication")
@Tag("slow")
class BigTransactionTest {

  private static final int ROWS = 1_000_000;

  @Test
  void aMillionRowUpdateIsStoredWithA256MegabyteHeap(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE big (id int PRIMARY KEY, n int, label text)",
        "INSERT INTO big SELECT i, 0, 'row number ' || i FROM generate_series(1, " + ROWS + ") i");
    IngesterHarness.setUpSource(db);
    db.execute("BEGIN; SELECT pg_logical_emit_message(true, '_bemi', '{\"job\": \"reprice\"}'); "
        + "UPDATE big SET n = n + 1; COMMIT");

    File log = new File("target/big-transaction-ingester.log");
    log.delete();
    Process child = ChildIngester.start(db, log, "-Xmx256m", "-XX:+ExitOnOutOfMemoryError");
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
      while (stored(db) < ROWS && child.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(500);
      }
      assertThat(child.isAlive()).as("ingester still running (not out of memory); see " + log).isTrue();
    } finally {
      child.destroy();
      child.waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(stored(db)).isEqualTo(ROWS);
    assertThat(db.queryLong("SELECT count(DISTINCT primary_key) FROM bemi.changes WHERE \"table\" = 'big' "
        + "AND operation = 'UPDATE' AND context = '{\"job\": \"reprice\"}' AND (after->>'n')::int = 1 "
        + "AND (before->>'n')::int = 0")).isEqualTo(ROWS);
  }

  private static long stored(TestDatabase db) throws Exception {
    try {
      return db.queryLong("SELECT count(*) FROM bemi.changes WHERE \"table\" = 'big'");
    } catch (java.sql.SQLException e) {
      return 0;
    }
  }
}

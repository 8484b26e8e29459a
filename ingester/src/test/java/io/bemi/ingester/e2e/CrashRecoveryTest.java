package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.io.File;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * kill -9 the ingester process at random moments while a writer commits known changes; after a
 * final restart the stored changes are exactly the committed ones.
 */
@WithPostgres
@Tag("replication")
class CrashRecoveryTest {

  @Test
  void killingTheIngesterRepeatedlyLosesAndDuplicatesNothing(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE ledger (id bigint PRIMARY KEY, seq bigint NOT NULL, note text)");
    IngesterHarness.setUpSource(db);
    File log = new File("target/crash-test-ingester.log");
    log.delete();
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicLong committedTransactions = new AtomicLong();
    List<Long> expectedChangesPerTransaction = new ArrayList<>();
    Thread writer = new Thread(() -> write(db, writing, committedTransactions, expectedChangesPerTransaction), "writer");
    writer.start();

    Random random = new Random(42);
    for (int crash = 0; crash < 5; crash++) {
      Process child = ChildIngester.start(db, log);
      awaitStreaming(log, crash + 1);
      Thread.sleep(100 + random.nextInt(2000)); // while it stores, commits, confirms
      child.destroyForcibly(); // SIGKILL
      child.waitFor(10, TimeUnit.SECONDS);
    }
    writing.set(false);
    writer.join();

    long expected;
    synchronized (expectedChangesPerTransaction) {
      expected = expectedChangesPerTransaction.stream().mapToLong(Long::longValue).sum();
    }
    Process last = ChildIngester.start(db, log);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (stored(db) < expected && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    last.destroy(); // SIGTERM: a clean stop
    assertThat(last.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(last.exitValue()).as("exit code after SIGTERM").isZero();

    assertThat(stored(db)).isEqualTo(expected);
    // Nothing duplicated: one CREATE per id, one UPDATE per updated id.
    assertThat(db.queryLong("SELECT count(*) FROM (SELECT primary_key, operation FROM bemi.changes "
        + "WHERE \"table\" = 'ledger' GROUP BY 1, 2 HAVING count(*) > 1) d")).isZero();
    // Nothing missing: every row's final state is stored.
    assertThat(db.queryLong("SELECT count(*) FROM ledger l WHERE NOT EXISTS (SELECT 1 FROM bemi.changes c "
        + "WHERE c.\"table\" = 'ledger' AND c.after = to_jsonb(l))")).isZero();
    // Contexts right: each change carries the context of the transaction that wrote it.
    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes WHERE \"table\" = 'ledger' "
        + "AND (context->>'seq')::bigint IS DISTINCT FROM (after->>'seq')::bigint")).isZero();
    assertThat(committedTransactions.get()).isGreaterThan(100);
  }

  /** Waits until the log shows the n-th streaming session (the child is connected and storing). */
  private static void awaitStreaming(File log, int sessions) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      long streaming = java.nio.file.Files.readAllLines(log.toPath()).stream()
          .filter(line -> line.contains("Streaming slot")).count();
      if (streaming >= sessions) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("The ingester did not start streaming; see " + log);
  }

  private static long stored(TestDatabase db) throws Exception {
    try {
      return db.queryLong("SELECT count(*) FROM bemi.changes WHERE \"table\" = 'ledger'");
    } catch (java.sql.SQLException e) {
      return 0; // not migrated yet
    }
  }

  /** Transactions of 1-3 inserts and sometimes an update, each with its own context {"seq": n}. */
  private static void write(TestDatabase db, AtomicBoolean writing, AtomicLong committed, List<Long> changes) {
    Random random = new Random(7);
    long nextId = 1;
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      try (PreparedStatement message = c.prepareStatement("SELECT pg_logical_emit_message(true, '_bemi', ?)");
           PreparedStatement insert = c.prepareStatement("INSERT INTO ledger VALUES (?, ?, ?)");
           PreparedStatement update = c.prepareStatement("UPDATE ledger SET seq = ?, note = 'updated' WHERE id = ?");
           Statement plain = c.createStatement()) {
        for (long seq = 1; writing.get(); seq++) {
          message.setString(1, "{\"seq\": " + seq + "}");
          message.execute();
          int rows = 1 + random.nextInt(3);
          long count = 0;
          for (int i = 0; i < rows; i++) {
            insert.setLong(1, nextId++);
            insert.setLong(2, seq);
            insert.setString(3, "row " + i);
            count += insert.executeUpdate();
          }
          if (random.nextInt(4) == 0 && nextId > 10) {
            long target = 1 + random.nextInt((int) nextId - 1);
            try (ResultSet rs = plain.executeQuery("SELECT note FROM ledger WHERE id = " + target)) {
              rs.next();
              if (!"updated".equals(rs.getString(1))) { // one update per id keeps "no duplicates" checkable
                update.setLong(1, seq);
                update.setLong(2, target);
                count += update.executeUpdate();
              }
            }
          }
          c.commit();
          committed.incrementAndGet();
          synchronized (changes) {
            changes.add(count);
          }
          Thread.sleep(random.nextInt(5));
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}

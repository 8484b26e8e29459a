package io.bemi.ingester.e2e;

import io.bemi.test.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A writer with a ledger: transactions of 1-3 inserts into {@code ledger (id bigint PRIMARY KEY,
 * seq bigint)}, each with context {"seq": n}; {@link #rows()} is how many rows were committed, ids
 * 1..rows. Stops when asked, after a committed transaction.
 */
final class LedgerWriter implements AutoCloseable {

  private final AtomicBoolean writing = new AtomicBoolean(true);
  private final AtomicLong rows = new AtomicLong();
  private final Thread thread;
  private volatile Throwable failure;

  private LedgerWriter(TestDatabase db, int pauseMillis) {
    this.thread = new Thread(() -> write(db, pauseMillis), "ledger-writer");
  }

  static void createTable(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE ledger (id bigint PRIMARY KEY, seq bigint NOT NULL)");
  }

  static LedgerWriter start(TestDatabase db, int pauseMillis) {
    LedgerWriter writer = new LedgerWriter(db, pauseMillis);
    writer.thread.start();
    return writer;
  }

  long rows() {
    return rows.get();
  }

  private void write(TestDatabase db, int pauseMillis) {
    Random random = new Random(7);
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      try (PreparedStatement message = c.prepareStatement("SELECT pg_logical_emit_message(true, '_bemi', ?)");
           PreparedStatement insert = c.prepareStatement("INSERT INTO ledger VALUES (?, ?)")) {
        long nextId = 1;
        for (long seq = 1; writing.get(); seq++) {
          message.setString(1, "{\"seq\": " + seq + "}");
          message.execute();
          int count = 1 + random.nextInt(3);
          for (int i = 0; i < count; i++) {
            insert.setLong(1, nextId++);
            insert.setLong(2, seq);
            insert.executeUpdate();
          }
          c.commit();
          rows.set(nextId - 1);
          if (pauseMillis > 0) {
            Thread.sleep(random.nextInt(pauseMillis));
          }
        }
      }
    } catch (Exception e) {
      failure = e;
    }
  }

  /** Stops writing and returns the number of committed rows. */
  long stop() throws InterruptedException {
    writing.set(false);
    thread.join();
    if (failure != null) {
      throw new AssertionError("The ledger writer failed", failure);
    }
    return rows.get();
  }

  @Override
  public void close() throws InterruptedException {
    writing.set(false);
    thread.join();
  }
}

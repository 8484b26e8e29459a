package io.bemi.test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads back what reached the write-ahead log, through a {@code test_decoding} slot, as one list
 * of events per committed transaction: {@code message {"user":"ann"}} for a {@code _bemi}
 * message and {@code INSERT t} / {@code UPDATE t} / {@code DELETE t} / {@code TRUNCATE t} for
 * changes, in WAL order. Rolled-back transactions (and rolled-back savepoints) never appear.
 * Shared by the driver's and the Spring Boot starter's tests.
 *
 * <p>test_decoding prints lines such as:
 * <pre>
 * BEGIN
 * message: transactional: 1 prefix: _bemi, sz: 14 content:{"user":"ann"}
 * table public.t: INSERT: id[integer]:1 v[text]:'a'
 * COMMIT
 * </pre>
 *
 * <p>Empty transactions are decoded too ({@code skip-empty-xacts} off) and dropped here: with it on,
 * PostgreSQL 14's test_decoding prints a transaction's leading message before its {@code BEGIN}.
 */
public final class Wal implements AutoCloseable {

  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private final TestDatabase db;
  private final String slot;

  private Wal(TestDatabase db, String slot) {
    this.db = db;
    this.slot = slot;
  }

  /** A slot that sees every transaction committed from now on. */
  public static Wal open(TestDatabase db) throws SQLException {
    String slot = "bemi_wal_test_" + ProcessHandle.current().pid() + "_" + SEQUENCE.incrementAndGet();
    db.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'test_decoding')");
    return new Wal(db, slot);
  }

  /** The transactions committed since the last call, each as its events. */
  public List<List<String>> transactions() throws SQLException {
    return read(false);
  }

  /** Like {@link #transactions()}, with the column values of each change: {@code INSERT t: id[integer]:1 v[text]:'a'}. */
  public List<List<String>> transactionsWithValues() throws SQLException {
    return read(true);
  }

  private List<List<String>> read(boolean withValues) throws SQLException {
    List<List<String>> transactions = new ArrayList<>();
    List<String> current = null;
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      awaitFlushed(s);
      try (ResultSet rs = s.executeQuery("SELECT data FROM pg_logical_slot_get_changes('" + slot
            + "', NULL, NULL, 'skip-empty-xacts', '0')")) {
      while (rs.next()) {
        String line = rs.getString(1);
        if (line.startsWith("BEGIN")) {
          current = new ArrayList<>();
        } else if (line.startsWith("COMMIT")) {
          if (!current.isEmpty()) { // DDL and other transactions without row changes or messages
            transactions.add(current);
          }
          current = null;
        } else if (line.startsWith("message: transactional: 1 prefix: _bemi,")) {
          String event = "message " + line.substring(line.indexOf("content:") + "content:".length());
          if (current == null) {
            transactions.add(List.of(event));
          } else {
            current.add(event);
          }
        } else if (line.startsWith("message:")) {
          throw new AssertionError("A message Bemi would not read: " + line);
        } else if (line.startsWith("table ")) {
          String table = line.substring("table ".length(), line.indexOf(':'));
          String rest = line.substring(line.indexOf(':') + 2);
          String operation = rest.substring(0, rest.indexOf(':'));
          String values = withValues ? rest.substring(operation.length() + 1) : "";
          current.add(operation + " " + table.substring(table.indexOf('.') + 1) + (withValues ? ":" + values : ""));
        }
      }
      }
    }
    return transactions;
  }

  /**
   * The SQL decoding functions read only flushed WAL, and the test server commits asynchronously
   * ({@code synchronous_commit=off}): wait for the WAL writer to flush what has been inserted.
   */
  private static void awaitFlushed(Statement s) throws SQLException {
    String inserted;
    try (ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
      rs.next();
      inserted = rs.getString(1);
    }
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      try (ResultSet rs = s.executeQuery("SELECT pg_current_wal_flush_lsn() >= '" + inserted + "'::pg_lsn")) {
        rs.next();
        if (rs.getBoolean(1)) {
          return;
        }
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SQLException("Interrupted while waiting for the WAL flush", e);
      }
    }
    throw new AssertionError("WAL not flushed up to " + inserted + " within 10 s");
  }

  /**
   * A row change ({@code table} without its schema, {@code row} as test_decoding prints the
   * values) with the context the latest {@code _bemi} message before it in its transaction gives it
   * (null: none yet) and the number of messages that transaction carried.
   */
  public record Change(String table, String operation, String row, String context, int messagesInTransaction) {}

  /** The row changes committed since the last call, in commit order. */
  public List<Change> changes() throws SQLException {
    List<Change> changes = new ArrayList<>();
    for (List<String> transaction : read(true)) {
      int messages = (int) transaction.stream().filter(event -> event.startsWith("message ")).count();
      String context = null;
      for (String event : transaction) {
        if (event.startsWith("message ")) {
          context = event.substring("message ".length());
        } else {
          int space = event.indexOf(' ');
          int colon = event.indexOf(':', space);
          changes.add(new Change(event.substring(space + 1, colon), event.substring(0, space),
              event.substring(colon + 1).trim(), context, messages));
        }
      }
    }
    return changes;
  }

  /** The {@code _bemi} messages committed since the last call, in order. */
  public List<String> messages() throws SQLException {
    List<String> messages = new ArrayList<>();
    for (List<String> transaction : read(false)) {
      for (String event : transaction) {
        if (event.startsWith("message ")) {
          messages.add(event.substring("message ".length()));
        }
      }
    }
    return messages;
  }

  @Override
  public void close() throws SQLException {
    db.execute("SELECT pg_drop_replication_slot('" + slot + "')");
  }
}

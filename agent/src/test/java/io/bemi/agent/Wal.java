package io.bemi.agent;

import io.bemi.test.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the source database recorded, read straight from the WAL through a {@code test_decoding}
 * slot (independent of the ingester). {@code test_decoding} with {@code include-xids} prints, per
 * transaction:
 *
 * <pre>
 * BEGIN 741
 * message: transactional: 1 prefix: _bemi, sz: 38 content:{"method":"POST","endpoint":"/items"}
 * table public.items: INSERT: id[integer]:1 name[text]:'apple'
 * COMMIT 741
 * </pre>
 */
final class Wal {

  private static final String MESSAGE = "message: transactional: 1 prefix: _bemi, sz: ";
  private static final String CONTENT = " content:";

  /** One row change and the context attributed to it: the latest {@code _bemi} message before it in its transaction. */
  record Change(String table, String operation, String row, String context, int messagesInTransaction) {}

  private Wal() {}

  private static List<String> read(TestDatabase db, String slot) throws SQLException {
    List<String> lines = new ArrayList<>();
    try (Connection c = db.connect();
        PreparedStatement s = c.prepareStatement("SELECT data FROM pg_logical_slot_get_changes(?, NULL, NULL, 'include-xids', '1')")) {
      s.setString(1, slot);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          lines.add(rs.getString(1));
        }
      }
    }
    return lines;
  }

  private static void pause() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static void createSlot(TestDatabase db, String slot) throws SQLException {
    db.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'test_decoding')");
  }

  /** Consumes the slot's pending changes. */
  static List<Change> changes(TestDatabase db, String slot) throws SQLException {
    // Decoding can trail the child JVM's commits by a moment: read until something has arrived and a
    // further read brings nothing new.
    List<String> lines = new ArrayList<>();
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (System.nanoTime() < deadline) {
      List<String> batch = read(db, slot);
      lines.addAll(batch);
      if (batch.isEmpty() && !lines.isEmpty()) {
        break;
      }
      pause();
    }
    List<Change> changes = new ArrayList<>();
    List<Change> transaction = new ArrayList<>();
    String context = null;
    int messages = 0;
    for (String line : lines) {
      if (line.startsWith("BEGIN")) {
        transaction.clear();
        context = null;
        messages = 0;
      } else if (line.startsWith(MESSAGE)) {
        context = line.substring(line.indexOf(CONTENT) + CONTENT.length());
        messages++;
      } else if (line.startsWith("table ")) {
        int colon = line.indexOf(": ");
        String table = line.substring("table ".length(), colon);
        String rest = line.substring(colon + 2);
        int opEnd = rest.indexOf(':');
        transaction.add(new Change(table, rest.substring(0, opEnd), rest.substring(opEnd + 1).trim(), context, 0));
      } else if (line.startsWith("COMMIT")) {
        for (Change change : transaction) {
          changes.add(new Change(change.table(), change.operation(), change.row(), change.context(), messages));
        }
      }
    }
    return changes;
  }
}

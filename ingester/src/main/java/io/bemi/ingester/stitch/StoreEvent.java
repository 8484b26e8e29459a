package io.bemi.ingester.stitch;

import io.bemi.history.Operation;
import io.bemi.sql.Lsn;

/** What the stitcher hands to the store, in stream order. */
public sealed interface StoreEvent {

  /**
   * One row change, context attached. JSON values are text ready for a jsonb column;
   * {@code primaryKey} is null for tables without a primary key and for TRUNCATE;
   * {@code previousPrimaryKey} is the key an UPDATE moved the row away from, null when the key
   * did not change (same text form as {@code primaryKey}).
   */
  record Change(Transaction transaction, int index, Lsn position, String schema, String table,
      Operation operation, String primaryKey, String previousPrimaryKey, String before, String after, String context)
      implements StoreEvent {

    /** About how much memory the change's row images hold, in characters. */
    public long textLength() {
      return 64L + length(before) + length(after) + length(primaryKey);
    }

    private static int length(String text) {
      return text == null ? 0 : text.length();
    }

    public Change withContext(String newContext) {
      return new Change(transaction, index, position, schema, table, operation, primaryKey, previousPrimaryKey, before,
          after, newContext);
    }
  }

  /**
   * The first {@code _bemi} message of a transaction arrived after changes that were already
   * handed on with {@code {}} (more than the stitcher holds back): set {@code context} on the
   * transaction's changes with index below {@code beforeIndex}.
   */
  record ContextBackfill(Transaction transaction, int beforeIndex, String context) implements StoreEvent {}

  /**
   * The end of a source transaction. {@code changes} is how many Change events it had (0 for
   * transactions with nothing to store, which only move the confirmed position).
   */
  record Commit(Transaction transaction, Lsn endLsn, int changes) implements StoreEvent {}
}

package io.bemi.history;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One row of {@code bemi.changes}: the trail's change, for the Java API and the dashboard alike.
 * Row images and context are JSON text exactly as stored (values as PostgreSQL's {@code to_jsonb}
 * renders them, every digit of a numeric kept); parse them with the JSON library of your choice.
 *
 * @param primaryKey the key's text, a JSON array text for composite keys, null without a key
 * @param before the row before the change ({@code {}} for CREATE); complete only with REPLICA
 *     IDENTITY FULL, see {@link BemiChanges#diff(UUID)} for old values that are always complete
 * @param after the row after the change ({@code {}} for DELETE and TRUNCATE)
 * @param committedAt when the source committed the transaction
 * @param queuedAt when the ingester received the transaction's first message (its Begin)
 * @param createdAt when the destination stored it
 * @param transactionId the source transaction id (xid)
 * @param position the WAL position of the change itself
 * @param commitLsn the LSN of the transaction's commit; with {@code changeIndex}, the commit order
 * @param source the source server and database the change came from, as the ingester names it
 *     ({@code --source-name}); empty for changes stored before sources were named
 * @param previousPrimaryKey for an UPDATE that changed the key, the key the row had before (same
 *     text form as {@code primaryKey}); otherwise null
 */
public record Change(
    UUID id,
    String primaryKey,
    String before,
    String after,
    String context,
    String database,
    String schema,
    String table,
    Operation operation,
    Instant committedAt,
    Instant queuedAt,
    Instant createdAt,
    long transactionId,
    long position,
    long commitLsn,
    int changeIndex,
    String source,
    String previousPrimaryKey) {

  /**
   * The select list {@link #read(ResultSet)} reads, for queries over {@code changes} or the
   * functions that return its rows.
   */
  public static final String COLUMNS = "id, primary_key, before::text, after::text, context::text, database, schema,"
      + " \"table\", operation, committed_at, queued_at, created_at, transaction_id, position, commit_lsn, change_index,"
      + " source, previous_primary_key";

  /** The current row of a result selected with {@link #COLUMNS}. */
  public static Change read(ResultSet rs) throws SQLException {
    return new Change(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
        rs.getString(6), rs.getString(7), rs.getString(8), Operation.valueOf(rs.getString(9)), instant(rs, 10),
        instant(rs, 11), instant(rs, 12), rs.getLong(13), rs.getLong(14), rs.getLong(15), rs.getInt(16),
        rs.getString(17), rs.getString(18));
  }

  /** {@code schema.table}. */
  public String qualifiedTable() {
    return schema + "." + table;
  }

  static Instant instant(ResultSet rs, int column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }
}

package io.bemi.history;

import io.bemi.sql.BemiSql;
import io.bemi.sql.SqlNames;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Queries over the audit trail for JVM applications: what happened to a record, what it looked
 * like at a moment, what a transaction or a request did, and the SQL that undoes it. A thin layer
 * over the destination's SQL functions (docs/time-travel.md), using only {@code java.sql}.
 *
 * <pre>{@code
 * BemiChanges bemi = BemiChanges.of(destination);
 * List<Change> versions = bemi.history("public.users", 42);          // PaperTrail: versions
 * Optional<String> then = bemi.asOf("public.users", 42, yesterday);    // PaperTrail: version_at
 * String undo = bemi.revertSql(versions.get(versions.size() - 1).id(), false);
 * BemiChanges.apply(source, undo);                                     // audited as {"revertOf": ...}
 * }</pre>
 *
 * <p>Tables are named {@code "schema.table"} or just {@code "table"} (schema public). Primary keys
 * are given as their value ({@code 42}, {@code "a@b.c"}, a UUID) or, for composite keys, as a list
 * in key column order ({@code List.of("shop-1", 7)}). Row images and contexts come back as JSON
 * text. Every method borrows a connection from the data source and returns it before returning.
 */
public final class BemiChanges {

  private final DataSource destination;
  private final String schema;
  private final int queryTimeoutSeconds;

  private BemiChanges(DataSource destination, String schema, int queryTimeoutSeconds) {
    this.destination = destination;
    this.schema = schema;
    this.queryTimeoutSeconds = queryTimeoutSeconds;
  }

  /** The trail in the default destination schema {@code bemi}. */
  public static BemiChanges of(DataSource destination) {
    return of(destination, BemiSql.DEFAULT_SCHEMA);
  }

  /** The trail in {@code schema} (a lower-case identifier, as given to the migrations). */
  public static BemiChanges of(DataSource destination, String schema) {
    return new BemiChanges(destination, SqlNames.destinationSchema(schema), 0);
  }

  /** The same trail, each query cancelled after {@code seconds} (0: never, the default). */
  public BemiChanges withQueryTimeout(int seconds) {
    return new BemiChanges(destination, schema, seconds);
  }

  /** Every change of one record, oldest first (PaperTrail's {@code versions}, Envers' revisions). */
  public List<Change> history(String table, Object primaryKey) throws SQLException {
    return changes("SELECT " + Change.COLUMNS + " FROM " + fn("record_history") + "(?, ?)", table, keyText(primaryKey));
  }

  /**
   * One page of a record's history, oldest first: at most {@code limit} changes after {@code after}
   * (the last change of the previous page; null for the first page). A page shorter than
   * {@code limit} is the last; one holds more when several sources' changes share its last position
   * (all of them, so that the next page skips none). Keyset paging: every page costs the same,
   * however long the history.
   */
  public List<Change> history(String table, Object primaryKey, Change after, int limit) throws SQLException {
    return after == null ? historyAfter(table, primaryKey, -1, -1, limit)
        : historyAfter(table, primaryKey, after.commitLsn(), after.changeIndex(), limit);
  }

  /**
   * {@link #history(String, Object, Change, int)} from a position in the commit order: at most
   * {@code limit} changes after {@code (commitLsn, changeIndex)}, oldest first ({@code -1, -1} for
   * the first page).
   */
  public List<Change> historyAfter(String table, Object primaryKey, long commitLsn, int changeIndex, int limit)
      throws SQLException {
    return historyAfter(table, primaryKey, commitLsn, changeIndex, limit, null);
  }

  /**
   * {@link #historyAfter(String, Object, long, int, int)} of one source's record ({@code changes.source});
   * {@code null}: every source's changes of that table and key.
   */
  public List<Change> historyAfter(String table, Object primaryKey, long commitLsn, int changeIndex, int limit, String source)
      throws SQLException {
    if (limit < 1) {
      throw new IllegalArgumentException("A history page holds at least one change, not " + limit);
    }
    return changes("SELECT " + Change.COLUMNS + " FROM " + fn("record_history")
        + "(?, ?, ?::integer, ?::bigint, ?::integer, ?::text)", table, keyText(primaryKey), limit, commitLsn, changeIndex, source);
  }

  /**
   * The {@code limit} changes of a record just before {@code (commitLsn, changeIndex)} in the commit
   * order ({@code Long.MAX_VALUE, 0} for its newest), oldest first: a history read backwards, page
   * by page. Each page reads the record's whole history ({@code record_history} pages forward only).
   * Like a forward page, a page holds every source's change at its oldest position (more than
   * {@code limit} when two sources' positions are equal), so the next page's cursor skips none.
   */
  public List<Change> historyBefore(String table, Object primaryKey, long commitLsn, int changeIndex, int limit)
      throws SQLException {
    return historyBefore(table, primaryKey, commitLsn, changeIndex, limit, null);
  }

  /** {@link #historyBefore(String, Object, long, int, int)} of one source's record; {@code null}: every source's. */
  public List<Change> historyBefore(String table, Object primaryKey, long commitLsn, int changeIndex, int limit, String source)
      throws SQLException {
    List<Change> newestFirst = changes("SELECT " + Change.COLUMNS + " FROM " + fn("record_history") + "(?, ?, p_source => ?::text)"
        + " WHERE (commit_lsn, change_index) < (?, ?) ORDER BY commit_lsn DESC, change_index DESC FETCH FIRST ? ROWS WITH TIES",
        table, keyText(primaryKey), source, commitLsn, changeIndex, limit);
    Collections.reverse(newestFirst);
    return newestFirst;
  }

  /**
   * The record's last change committed at or before {@code at} (across its key changes, like
   * {@link #history}); empty when it had none by then. For the row itself use {@link #asOf}, which
   * also honours a later TRUNCATE.
   */
  public Optional<Change> lastChangeAsOf(String table, Object primaryKey, Instant at) throws SQLException {
    return lastChangeAsOf(table, primaryKey, at, null);
  }

  /** {@link #lastChangeAsOf(String, Object, Instant)} of one source's record; {@code null}: every source's. */
  public Optional<Change> lastChangeAsOf(String table, Object primaryKey, Instant at, String source) throws SQLException {
    return changes("SELECT " + Change.COLUMNS + " FROM " + fn("record_history") + "(?, ?, p_source => ?::text)"
        + " WHERE committed_at <= ? ORDER BY commit_lsn DESC, change_index DESC LIMIT 1", table, keyText(primaryKey), source,
        utc(at)).stream().findFirst();
  }

  /** One change by its id. */
  public Optional<Change> change(UUID id) throws SQLException {
    return changes("SELECT " + Change.COLUMNS + " FROM " + changesTable() + " WHERE id = ?", id).stream().findFirst();
  }

  /**
   * The record's row at an instant, as JSON text; empty when it did not exist then (PaperTrail's
   * {@code version_at}, Envers' {@code find(type, id, revision)}).
   */
  public Optional<String> asOf(String table, Object primaryKey, Instant at) throws SQLException {
    return asOf(table, primaryKey, at, null);
  }

  /**
   * {@link #asOf} in one source's changes ({@code changes.source}); {@code null}: the one source the
   * table's changes come from, refused (SQLSTATE {@code BM008}) when they come from several.
   */
  public Optional<String> asOf(String table, Object primaryKey, Instant at, String source) throws SQLException {
    return Optional.ofNullable(value("SELECT " + fn("record_as_of") + "(?, ?, ?, ?::text)::text", table,
        keyText(primaryKey), utc(at), source));
  }

  /** Every keyed row of a table at an instant, in no particular order. */
  public List<TableRow> tableAsOf(String table, Instant at) throws SQLException {
    return tableAsOf(table, at, null);
  }

  /** {@link #tableAsOf} in one source's changes; {@code null}: the only source (see {@link #asOf(String, Object, Instant, String)}). */
  public List<TableRow> tableAsOf(String table, Instant at, String source) throws SQLException {
    return query("SELECT primary_key, \"row\"::text FROM " + fn("table_as_of") + "(?, ?, ?::text)",
        rs -> new TableRow(rs.getString(1), rs.getString(2)), table, utc(at), source);
  }

  /** The columns one change changed, with old and new values as JSON text. */
  public List<ColumnChange> diff(UUID changeId) throws SQLException {
    return query("SELECT column_name, old_value::text, new_value::text FROM " + fn("change_diff") + "(?)",
        rs -> new ColumnChange(rs.getString(1), rs.getString(2), rs.getString(3)), changeId);
  }

  /**
   * Every change of the transaction committed at {@code commitLsn} (PostgreSQL's text form, e.g.
   * {@code 0/16B3748}), in the order it made them. The commit LSN identifies a transaction; an
   * xid does not (it wraps).
   */
  public List<Change> commitChanges(String commitLsn) throws SQLException {
    return commitChanges(commitLsn, null);
  }

  /**
   * {@link #commitChanges(String)} of one source ({@code changes.source}: two source servers' commit
   * LSNs can be equal); {@code null}: the only source stored at that LSN, refused (SQLSTATE
   * {@code BM008}) when several.
   */
  public List<Change> commitChanges(String commitLsn, String source) throws SQLException {
    return changes("SELECT " + Change.COLUMNS + " FROM " + fn("commit_changes") + "(?::pg_lsn, ?::text)", commitLsn, source);
  }

  /**
   * The first {@code limit} changes of the transaction committed at {@code commitLsn}, in the order
   * it made them: a bounded look at a transaction of any size.
   */
  public List<Change> commitChanges(long commitLsn, int limit) throws SQLException {
    return commitChanges(commitLsn, null, limit);
  }

  /**
   * {@link #commitChanges(long, int)} of one source: two source servers' commit LSNs are unrelated,
   * so the same LSN can name a transaction of each; {@code null}: every source's changes at that LSN.
   */
  public List<Change> commitChanges(long commitLsn, String source, int limit) throws SQLException {
    return changes("SELECT " + Change.COLUMNS + " FROM " + changesTable() + " WHERE commit_lsn = ?"
        + " AND (?::text IS NULL OR source = ?::text) ORDER BY change_index LIMIT ?", commitLsn, source, source, limit);
  }

  /** The sources that stored a transaction committed at {@code commitLsn}, sorted: more than one when LSNs collide. */
  public List<String> commitSources(long commitLsn) throws SQLException {
    return query("SELECT DISTINCT source FROM " + changesTable() + " WHERE commit_lsn = ? ORDER BY 1", rs -> rs.getString(1),
        commitLsn);
  }

  /**
   * The sources the changes of {@code tables} ({@code "schema.table"}; empty: every table) come
   * from, sorted (bemi.table_sources: index probes of the activity rollup, not a read of the trail).
   */
  public List<String> tableSources(List<String> tables) throws SQLException {
    List<String> sources = query("SELECT unnest(" + fn("table_sources") + "(?::text[]))", rs -> rs.getString(1),
        tables.isEmpty() ? null : textArray(tables));
    return List.copyOf(sources);
  }

  /**
   * The commit LSNs of the transactions stored under an xid, newest first: one, or more than one
   * after xid wraparound (then {@link #transaction} refuses and the caller picks by commit LSN) or
   * when several sources stored that xid (an LSN twice when two sources committed at the same one).
   */
  public List<Long> transactionCommits(long transactionId) throws SQLException {
    return transactionCommits(transactionId, null).stream().map(TransactionCommit::commitLsn).toList();
  }

  /**
   * The transactions stored under an xid in {@code source} ({@code null}: in every source), newest
   * first, each with its source, commit time and number of changes (bemi.transaction_commits).
   */
  public List<TransactionCommit> transactionCommits(long transactionId, String source) throws SQLException {
    return query("SELECT source, (commit_lsn - '0/0'::pg_lsn)::bigint, committed_at, changes FROM "
            + fn("transaction_commits") + "(?, ?::text)",
        rs -> new TransactionCommit(rs.getString(1), rs.getLong(2), rs.getObject(3, OffsetDateTime.class).toInstant(),
            rs.getLong(4)), transactionId, source);
  }

  /**
   * Every change of one source transaction by xid, in the order it made them. Refused (SQLSTATE
   * {@code BM005}) when the xid names more than one stored transaction: use {@link #commitChanges}.
   */
  public List<Change> transaction(long transactionId) throws SQLException {
    return transaction(transactionId, null);
  }

  /** {@link #transaction(long)} of one source; {@code null}: the only source that stored the xid ({@code BM008} when several). */
  public List<Change> transaction(long transactionId, String source) throws SQLException {
    return changes("SELECT " + Change.COLUMNS + " FROM " + fn("transaction_changes") + "(?, p_source => ?::text)", transactionId,
        source);
  }

  /** Every change whose context contains the given entries, e.g. {@code Map.of("requestId", id)}. */
  public List<Change> byContext(Map<String, ?> context) throws SQLException {
    return byContext(JsonArguments.write(context));
  }

  /** Every change whose context contains the given JSON object text. */
  public List<Change> byContext(String contextJson) throws SQLException {
    return byContext(contextJson, null);
  }

  /**
   * {@link #byContext(String)} in one source's changes; {@code null}: the one source they come from,
   * refused (SQLSTATE {@code BM008}) when several.
   */
  public List<Change> byContext(String contextJson, String source) throws SQLException {
    return changes("SELECT " + Change.COLUMNS + " FROM " + fn("context_changes") + "(?::jsonb, ?::text)", contextJson,
        source);
  }

  /** The newest {@code limit} changes whose context contains the given JSON object text, newest first. */
  public List<Change> latestByContext(String contextJson, int limit) throws SQLException {
    return latestByContext(contextJson, null, limit);
  }

  /** {@link #latestByContext(String, int)} of one source; {@code null}: every source's. */
  public List<Change> latestByContext(String contextJson, String source, int limit) throws SQLException {
    return changes("SELECT " + Change.COLUMNS + " FROM " + changesTable() + " WHERE context @> ?::jsonb"
        + " AND (?::text IS NULL OR source = ?::text) ORDER BY committed_at DESC, commit_lsn DESC, change_index DESC LIMIT ?",
        contextJson, source, source, limit);
  }

  /** The sources of the changes whose context contains the given JSON object text, sorted. */
  public List<String> contextSources(String contextJson) throws SQLException {
    return query("SELECT DISTINCT source FROM " + changesTable() + " WHERE context @> ?::jsonb ORDER BY 1",
        rs -> rs.getString(1), contextJson);
  }

  /** What reverting these changes will do, step by step, and the conflicts already known. */
  public List<RevertStep> revertPlan(Collection<UUID> changeIds) throws SQLException {
    return query("SELECT step, change_id, operation, schema_name, table_name, primary_key, committed_at, action,"
            + " conflict, conflict_reason FROM " + fn("revert_plan") + "(?::uuid[]) ORDER BY step",
        rs -> new RevertStep(rs.getInt(1), rs.getObject(2, UUID.class), Operation.valueOf(rs.getString(3)),
            rs.getString(4), rs.getString(5), rs.getString(6), Change.instant(rs, 7), rs.getString(8),
            (Boolean) rs.getObject(9), rs.getString(10)),
        uuidArray(changeIds));
  }

  /** The statement that undoes one change on the source; see {@link #apply(Connection, String)}. */
  public String revertSql(UUID changeId, boolean force) throws SQLException {
    return value("SELECT " + fn("revert_sql") + "(?, ?)", changeId, force);
  }

  /** The statement that undoes exactly these changes, newest first. */
  public String revertChangesSql(Collection<UUID> changeIds, boolean force) throws SQLException {
    return value("SELECT " + fn("revert_changes_sql") + "(?::uuid[], ?)", uuidArray(changeIds), force);
  }

  /**
   * The statement that undoes exactly these changes, newest first, saying in its context what it
   * reverts ({@code revertOfJson}, e.g. {@code {"commitLsn": "0/16B3748"}}) and who asked
   * ({@code contextJson}, merged into the context).
   */
  public String revertChangesSql(Collection<UUID> changeIds, boolean force, String revertOfJson, String contextJson)
      throws SQLException {
    return value("SELECT " + fn("revert_changes_sql") + "(?::uuid[], ?, ?::jsonb, ?::jsonb)", uuidArray(changeIds),
        force, revertOfJson, contextJson);
  }

  /**
   * The identity of a plan over these changes (SHA-256 of the sorted ids): keep it with a preview
   * and compare it before executing, so what runs is what was previewed.
   */
  public String planDigest(Collection<UUID> changeIds) throws SQLException {
    return value("SELECT " + fn("plan_digest") + "(?::uuid[])", uuidArray(changeIds));
  }

  /** The statement that undoes every change of the transaction committed at {@code commitLsn}, newest first. */
  public String revertCommitSql(String commitLsn, boolean force) throws SQLException {
    return revertCommitSql(commitLsn, force, null);
  }

  /**
   * {@link #revertCommitSql(String, boolean)} of one source's transaction, for that source's
   * database; {@code null}: the only source stored at that LSN (refused, {@code BM008}, when several).
   */
  public String revertCommitSql(String commitLsn, boolean force, String source) throws SQLException {
    return value("SELECT " + fn("revert_commit_sql") + "(?::pg_lsn, ?, p_source => ?::text)", commitLsn, force, source);
  }

  /** By xid: refused (SQLSTATE {@code BM005}) when the xid names more than one transaction. */
  public String revertTransactionSql(long transactionId, boolean force) throws SQLException {
    return revertTransactionSql(transactionId, force, null);
  }

  /** {@link #revertTransactionSql(long, boolean)} of one source; {@code null}: the only one ({@code BM008} when several). */
  public String revertTransactionSql(long transactionId, boolean force, String source) throws SQLException {
    return value("SELECT " + fn("revert_transaction_sql") + "(?, ?, p_source => ?::text)", transactionId, force, source);
  }

  /** The statement that undoes every change whose context contains the given entries, newest first. */
  public String revertContextSql(Map<String, ?> context, boolean force) throws SQLException {
    return revertContextSql(context, force, null);
  }

  /** {@link #revertContextSql(Map, boolean)} of one source; {@code null}: the only one ({@code BM008} when several). */
  public String revertContextSql(Map<String, ?> context, boolean force, String source) throws SQLException {
    return value("SELECT " + fn("revert_context_sql") + "(?::jsonb, ?, p_source => ?::text)", JsonArguments.write(context),
        force, source);
  }

  /** Dry run of a restore: rows inserted, updated and deleted per table. */
  public List<RestoreCount> restoreCounts(List<String> tables, Instant at) throws SQLException {
    return restoreCounts(tables, at, null);
  }

  /**
   * {@link #restoreCounts} of one source's tables; {@code null}: the one source the tables' changes
   * come from, refused (SQLSTATE {@code BM008}) when several.
   */
  public List<RestoreCount> restoreCounts(List<String> tables, Instant at, String source) throws SQLException {
    return query("SELECT schema_name, table_name, inserts, updates, deletes FROM " + fn("restore_counts")
            + "(?::text[], ?, ?::text)",
        rs -> new RestoreCount(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)),
        textArray(tables), utc(at), source);
  }

  /**
   * The statement that brings the tables back to their exact state at {@code at} on the source
   * (inserting, updating and deleting; parents before children); run it with {@link #apply}.
   */
  public String restoreTablesSql(List<String> tables, Instant at, boolean force) throws SQLException {
    return restoreTablesSql(tables, at, force, null);
  }

  /**
   * {@link #restoreTablesSql} from one source's changes, for that source's database; {@code null}:
   * the only source (refused, SQLSTATE {@code BM008}, when several).
   */
  public String restoreTablesSql(List<String> tables, Instant at, boolean force, String source) throws SQLException {
    return value("SELECT " + fn("restore_tables_sql") + "(?::text[], ?, ?, p_source => ?::text)", textArray(tables),
        utc(at), force, source);
  }

  /** {@link #restoreTablesSql} for one table. */
  public String restoreTableSql(String table, Instant at, boolean force) throws SQLException {
    return restoreTablesSql(List.of(table), at, force);
  }

  /**
   * Roll forward: the statement that replays the changes committed in {@code [from, to)} (of
   * {@code tables}, or of every table when empty) onto another database with the same schema.
   */
  public String replaySql(Instant from, Instant to, List<String> tables) throws SQLException {
    return replaySql(from, to, tables, null);
  }

  /** {@link #replaySql} of one source's changes; {@code null}: the only source (refused, {@code BM008}, when several). */
  public String replaySql(Instant from, Instant to, List<String> tables, String source) throws SQLException {
    return value("SELECT " + fn("replay_sql") + "(?, ?, ?::text[], p_source => ?::text)", utc(from), utc(to),
        tables.isEmpty() ? null : textArray(tables), source);
  }

  /** Roll forward of exactly these changes (e.g. one context's or one transaction's), in commit order. */
  public String replayChangesSql(Collection<UUID> changeIds, boolean force) throws SQLException {
    return value("SELECT " + fn("replay_changes_sql") + "(?::uuid[], ?)", uuidArray(changeIds), force);
  }

  /**
   * Runs a revert, restore or replay statement on the SOURCE (or target) database in one
   * transaction. The statement announces itself with a {@code _bemi} message ({@code {"revertOf": ...}},
   * {@code restoreOf}, {@code replayOf}), so the changes it makes are captured with that context. Nothing changes when it fails. Use a connection without pending
   * work: the revert is committed in the connection's current transaction.
   *
   * @throws RevertConflictException when a row changed after the change being reverted
   */
  public static void apply(Connection source, String revertSql) throws SQLException {
    boolean autoCommit = source.getAutoCommit();
    source.setAutoCommit(false);
    try (Statement s = source.createStatement()) {
      s.execute(revertSql);
      source.commit();
    } catch (SQLException e) {
      source.rollback();
      throw RevertConflictException.SQL_STATE.equals(e.getSQLState()) ? new RevertConflictException(e) : e;
    } finally {
      source.setAutoCommit(autoCommit);
    }
  }

  /** {@link #apply(Connection, String)} on a connection borrowed from {@code source}. */
  public static void apply(DataSource source, String revertSql) throws SQLException {
    try (Connection c = source.getConnection()) {
      apply(c, revertSql);
    }
  }

  /** The text form {@code changes.primary_key} stores: the value's text, or a JSON array for a list. */
  static String keyText(Object primaryKey) {
    if (primaryKey instanceof Collection<?> || primaryKey instanceof Object[]) {
      return JsonArguments.write(primaryKey);
    }
    return primaryKey == null ? null : primaryKey.toString();
  }

  @Override
  public String toString() {
    return "BemiChanges[schema " + schema + " on " + destination + "]";
  }

  private String fn(String name) {
    return SqlNames.identifier(schema) + "." + name;
  }

  private String changesTable() {
    return fn("changes");
  }

  private static OffsetDateTime utc(Instant at) {
    return OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
  }

  private static String uuidArray(Collection<UUID> ids) {
    StringBuilder text = new StringBuilder("{");
    for (UUID id : ids) {
      text.append(text.length() > 1 ? "," : "").append(id);
    }
    return text.append('}').toString();
  }

  private static String textArray(List<String> values) {
    StringBuilder text = new StringBuilder("{");
    for (String v : values) {
      text.append(text.length() > 1 ? "," : "").append('"')
          .append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    return text.append('}').toString();
  }

  private List<Change> changes(String sql, Object... args) throws SQLException {
    return query(sql, Change::read, args);
  }

  private String value(String sql, Object... args) throws SQLException {
    List<String> values = query(sql, rs -> rs.getString(1), args);
    return values.isEmpty() ? null : values.get(0);
  }

  private interface RowReader<T> {
    T read(ResultSet rs) throws SQLException;
  }

  private <T> List<T> query(String sql, RowReader<T> reader, Object... args) throws SQLException {
    try (Connection c = destination.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setQueryTimeout(queryTimeoutSeconds);
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      List<T> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(reader.read(rs));
        }
      }
      return rows;
    }
  }
}

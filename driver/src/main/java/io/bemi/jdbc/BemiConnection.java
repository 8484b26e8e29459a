package io.bemi.jdbc;

import io.bemi.Bemi;
import io.bemi.ContextSnapshot;
import java.lang.System.Logger.Level;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * A pgjdbc connection that emits the thread's Bemi context before writes.
 *
 * <p>State, per transaction: the JSON already emitted ({@link #emittedInTransaction}), so a
 * transaction of many writes under one context carries one message; a message owed for a batch
 * ({@link #pendingMessage}, see {@link #batchWithMessage}); and whether the transaction has any
 * message ({@link #messageInTransaction}). All three end with the transaction: commit, rollback,
 * an autocommit switch, transaction-control SQL, close. The first is also forgotten after a
 * rollback to a savepoint or a failed statement (pgjdbc's {@code autosave} may have rolled the
 * message back with it). In autocommit mode every write is its own transaction, so nothing is
 * remembered.
 *
 * <p>Like pgjdbc's own connection, meant for one thread at a time.
 */
final class BemiConnection extends DelegatingConnection {

  private static final System.Logger LOG = System.getLogger("io.bemi.jdbc");

  /**
   * Leads a statement that needs a message; parameter 1 is the context JSON. The function is
   * called in the target list (a Result node), not in FROM, which would materialise its result.
   */
  static final String MESSAGE_SQL = "SELECT pg_logical_emit_message(true, '_bemi', ?::text)";
  /** Nothing between the semicolon and the SQL, so error positions match the SQL as written. */
  static final String MESSAGE_PREFIX = MESSAGE_SQL + ";";

  final BemiOptions options;
  private String emittedInTransaction;
  /** A message owed for writes already sent in this transaction (a batch), sent at the latest with the commit. */
  private String pendingMessage;
  /** Whether this transaction has a message, sent or owed: then a deferred one would be misattributed. */
  private boolean messageInTransaction;
  private boolean warnedTooLarge;
  private PreparedStatement messageStatement;
  private PreparedStatement commitStatement;
  private BemiDatabaseMetaData metaData;
  /** SQL text to its form with the message in front, so a statement prepared per transaction reuses one string. */
  private final Map<String, String> withMessageSql = new HashMap<>();
  private final Map<String, Integer> sqlFlags = new HashMap<>();

  BemiConnection(Connection delegate, BemiOptions options) {
    super(delegate);
    this.options = options;
  }

  // ---- emission decisions ---------------------------------------------------------------

  /**
   * The JSON to emit before running {@code sql}, or null when nothing needs to be emitted: no
   * context, not a write, or the same context already emitted in this transaction.
   */
  String messageFor(String sql, int sqlFlags) throws SQLException {
    if ((sqlFlags & SqlText.TRANSACTION_CONTROL) != 0) {
      flushPendingSeparately(); // e.g. COMMIT written as SQL: the deferred message must be in before it
      endTransaction();
    }
    if (!options.enabled()) {
      return null;
    }
    boolean needsContext = (sqlFlags & SqlText.WRITE) != 0
        || (options.allStatements() && (sqlFlags & SqlText.OTHER) != 0);
    if (!needsContext) {
      return null;
    }
    ContextSnapshot context = Bemi.snapshot();
    if (context.isEmpty()) {
      return null;
    }
    boolean autoCommit = delegate.getAutoCommit();
    String json = options.includeSql() ? context.jsonWith("SQL", sql) : context.json();
    if (!autoCommit && json.equals(emittedInTransaction)) {
      return null;
    }
    // At most 3 UTF-8 bytes per UTF-16 char: most contexts are clearly within the limit.
    if ((long) json.length() * 3 > options.maxContextBytes() && utf8Length(json) > options.maxContextBytes()) {
      if (!warnedTooLarge) {
        warnedTooLarge = true;
        LOG.log(Level.WARNING, "Bemi context of {0} bytes exceeds bemi.maxContextBytes={1} and is not sent; "
            + "writes on this connection run without it until the context is smaller. "
            + "(Logged once per connection.)", utf8Length(json), options.maxContextBytes());
      }
      return null;
    }
    // A different context follows writes whose message was deferred: that message must come first.
    flushPendingSeparately();
    return json;
  }

  /** The message {@code json} is now part of the current transaction. */
  void emitted(String json) throws SQLException {
    if (delegate.getAutoCommit()) {
      emittedInTransaction = null;
    } else {
      emittedInTransaction = json;
      messageInTransaction = true;
    }
  }

  /**
   * A statement failed: pgjdbc's {@code autosave} may have rolled back a message with it, so emit
   * again before the next write. (A deferred message stays due: it is sent with the commit.)
   */
  void forgetEmitted() {
    emittedInTransaction = null;
  }

  /** The transaction ended (commit, rollback, autocommit switch, transaction-control SQL, close). */
  private void endTransaction() {
    emittedInTransaction = null;
    pendingMessage = null;
    messageInTransaction = false;
  }

  /**
   * Runs a batch whose message is {@code json}, without an extra round trip where the attribution
   * rule allows it: changes that precede a transaction's first message get that message's
   * context. So when the transaction has no message yet, the batch runs at once and its message
   * is deferred: it travels with the next write under another context (as a separate statement,
   * before that write's own) or, at the latest, in the same round trip as the {@code COMMIT}
   * ({@link #commit()}). When the transaction already has a message, the batch's goes first as a
   * separate statement. In autocommit mode the batch runs in a transaction of its own whose
   * commit carries the message, so both commit or fail together.
   */
  <T> T batchWithMessage(String json, SqlCall<T> batch) throws SQLException {
    if (!delegate.getAutoCommit()) {
      if (messageInTransaction) {
        return withSeparateMessage(json, batch);
      }
      pendingMessage = json;
      emittedInTransaction = json;
      messageInTransaction = true;
      return batch.call();
    }
    delegate.setAutoCommit(false);
    try {
      T result = batch.call();
      commitWithMessage(json);
      return result;
    } catch (SQLException | RuntimeException e) {
      try {
        delegate.rollback();
      } catch (SQLException rollbackFailure) {
        e.addSuppressed(rollbackFailure);
      }
      throw e;
    } finally {
      endTransaction();
      delegate.setAutoCommit(true);
    }
  }

  /**
   * Runs {@code work} (a callable statement, a generated-keys request we cannot rewrite) after
   * emitting {@code json} as a separate statement: one more round trip. In autocommit mode the
   * message and the work run in one transaction opened for them, so they commit or fail together.
   */
  <T> T withSeparateMessage(String json, SqlCall<T> work) throws SQLException {
    if (!delegate.getAutoCommit()) {
      try {
        emit(json);
        emitted(json);
        return work.call();
      } catch (SQLException | RuntimeException e) {
        forgetEmitted();
        throw e;
      }
    }
    delegate.setAutoCommit(false);
    try {
      emit(json);
      T result = work.call();
      delegate.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      try {
        delegate.rollback();
      } catch (SQLException rollbackFailure) {
        e.addSuppressed(rollbackFailure);
      }
      throw e;
    } finally {
      endTransaction();
      delegate.setAutoCommit(true);
    }
  }

  private void flushPendingSeparately() throws SQLException {
    String json = pendingMessage;
    if (json != null) {
      pendingMessage = null;
      emit(json);
    }
  }

  /**
   * Commits with {@code json} emitted in the same round trip: one two-part query
   * {@code SELECT pg_logical_emit_message(…); COMMIT}. If the transaction had already failed
   * (SQLSTATE 25P02), the message cannot be sent and pgjdbc's own commit answers as it would.
   */
  private void commitWithMessage(String json) throws SQLException {
    if (commitStatement == null) {
      commitStatement = delegate.prepareStatement(MESSAGE_PREFIX + "COMMIT");
    }
    commitStatement.setString(1, json);
    try {
      commitStatement.execute();
    } catch (SQLException e) {
      if (!"25P02".equals(e.getSQLState())) {
        throw e;
      }
      delegate.commit();
    }
  }

  /**
   * {@link SqlText#classify} of {@code sql}, remembered per connection: applications prepare the
   * same few statements over and over.
   */
  int classify(String sql) {
    Integer flags = sqlFlags.get(sql);
    if (flags == null) {
      if (sqlFlags.size() >= 256) {
        sqlFlags.clear();
      }
      flags = SqlText.classify(sql);
      sqlFlags.put(sql, flags);
    }
    return flags;
  }

  /** {@code sql} behind the message statement (pgjdbc's statement cache keys on this text). */
  String withMessage(String sql) {
    String combined = withMessageSql.get(sql);
    if (combined == null) {
      if (withMessageSql.size() >= 256) {
        withMessageSql.clear();
      }
      combined = MESSAGE_PREFIX + sql;
      withMessageSql.put(sql, combined);
    }
    return combined;
  }

  private void emit(String json) throws SQLException {
    if (messageStatement == null) {
      messageStatement = delegate.prepareStatement(MESSAGE_SQL);
    }
    messageStatement.setString(1, json);
    messageStatement.execute();
  }

  private static int utf8Length(String s) {
    int bytes = 0;
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /** A JDBC call that may throw. */
  @FunctionalInterface
  interface SqlCall<T> {
    T call() throws SQLException;
  }

  // ---- statements --------------------------------------------------------------------------

  @Override
  public Statement createStatement() throws SQLException {
    return new BemiStatement(this, delegate.createStatement());
  }

  @Override
  public Statement createStatement(int resultSetType, int resultSetConcurrency) throws SQLException {
    return new BemiStatement(this, delegate.createStatement(resultSetType, resultSetConcurrency));
  }

  @Override
  public Statement createStatement(int resultSetType, int resultSetConcurrency, int resultSetHoldability)
      throws SQLException {
    return new BemiStatement(this, delegate.createStatement(resultSetType, resultSetConcurrency, resultSetHoldability));
  }

  @Override
  public PreparedStatement prepareStatement(String sql) throws SQLException {
    return new BemiPreparedStatement(this, delegate.prepareStatement(sql), sql, GeneratedKeys.NONE);
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency)
      throws SQLException {
    return new BemiPreparedStatement(this, delegate.prepareStatement(sql, resultSetType, resultSetConcurrency), sql,
        GeneratedKeys.NONE);
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency,
      int resultSetHoldability) throws SQLException {
    return new BemiPreparedStatement(this,
        delegate.prepareStatement(sql, resultSetType, resultSetConcurrency, resultSetHoldability), sql,
        GeneratedKeys.NONE);
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
    return new BemiPreparedStatement(this, delegate.prepareStatement(sql, autoGeneratedKeys), sql,
        GeneratedKeys.of(autoGeneratedKeys));
  }

  @Override
  public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
    return new BemiPreparedStatement(this, delegate.prepareStatement(sql, columnIndexes), sql,
        GeneratedKeys.of(columnIndexes));
  }

  @Override
  public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
    return new BemiPreparedStatement(this, delegate.prepareStatement(sql, columnNames), sql,
        GeneratedKeys.of(columnNames));
  }

  @Override
  public CallableStatement prepareCall(String sql) throws SQLException {
    return new BemiCallableStatement(this, delegate.prepareCall(sql), sql);
  }

  @Override
  public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
    return new BemiCallableStatement(this, delegate.prepareCall(sql, resultSetType, resultSetConcurrency), sql);
  }

  @Override
  public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency,
      int resultSetHoldability) throws SQLException {
    return new BemiCallableStatement(this,
        delegate.prepareCall(sql, resultSetType, resultSetConcurrency, resultSetHoldability), sql);
  }

  @Override
  public DatabaseMetaData getMetaData() throws SQLException {
    DatabaseMetaData raw = delegate.getMetaData();
    if (metaData == null || metaData.delegate != raw) {
      metaData = new BemiDatabaseMetaData(this, raw);
    }
    return metaData;
  }

  // ---- transaction boundaries ---------------------------------------------------------------

  @Override
  public void setAutoCommit(boolean autoCommit) throws SQLException {
    boolean before = delegate.getAutoCommit();
    if (autoCommit && !before && pendingMessage != null) {
      commitWithMessage(pendingMessage); // pgjdbc commits on this switch; the owed message goes with it
    }
    delegate.setAutoCommit(autoCommit);
    if (autoCommit != before) {
      endTransaction();
    }
  }

  @Override
  public void commit() throws SQLException {
    try {
      String json = pendingMessage;
      if (json != null && !delegate.getAutoCommit()) {
        commitWithMessage(json);
      } else {
        delegate.commit();
      }
    } finally {
      endTransaction();
    }
  }

  @Override
  public void rollback() throws SQLException {
    try {
      delegate.rollback();
    } finally {
      endTransaction();
    }
  }

  /** The message may have been rolled back with the savepoint: emit again before the next write. */
  @Override
  public void rollback(Savepoint savepoint) throws SQLException {
    try {
      delegate.rollback(savepoint);
    } finally {
      forgetEmitted();
    }
  }

  @Override
  public void close() throws SQLException {
    endTransaction();
    PreparedStatement message = messageStatement;
    PreparedStatement commit = commitStatement;
    messageStatement = null;
    commitStatement = null;
    try {
      if (!delegate.isClosed()) {
        if (message != null) {
          message.close();
        }
        if (commit != null) {
          commit.close();
        }
      }
    } finally {
      delegate.close();
    }
  }

  /** The pgjdbc connection underneath (also reachable with {@code unwrap}). */
  Connection raw() {
    return delegate;
  }
}

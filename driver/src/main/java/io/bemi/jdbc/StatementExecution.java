package io.bemi.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.Arrays;

/**
 * The behaviour of one statement, of any kind: its executions (through the connection's
 * {@link Session}, the choke point) and the results the application reads. The generated
 * {@link BemiStatement}, {@link BemiPreparedStatement} and {@link BemiCallableStatement} route
 * here every method named in {@code GenerateForwarders.STATEMENT_ROUTES}, with the same signature.
 *
 * <p>When a write needs a message, it runs instead on a stand-in with two parts,
 * {@code SELECT WHERE pg_logical_emit_message(true, '_bemi', ?::text) IS NULL;<the SQL>}: pgjdbc sends the Parse,
 * Bind and Execute messages of both before a single Sync, so one network round trip and, in
 * autocommit mode, one implicit transaction. The message's own result is skipped; the stand-in
 * answers {@code getResultSet}, {@code getUpdateCount}, {@code getMoreResults} and
 * {@code getWarnings} until the next execution. A plain statement's stand-in is prepared per
 * execution (its SQL with pgjdbc's placeholders escaped); a prepared statement's is a sibling
 * prepared once, with the JSON bound as parameter 1 and the application's parameters replayed one
 * index further (the generated setters record them while {@link #recording}).
 *
 * <p>A generated-keys request runs the same way with the {@code RETURNING} clause pgjdbc would
 * append; the rare requests we cannot express so, and callable statements (OUT parameters come
 * from the first result), send the message as a separate statement first. Batches may owe their
 * message to the commit (see {@link Session#executeBatch}).
 */
final class StatementExecution {

  private enum Api { EXECUTE, UPDATE, LARGE_UPDATE, QUERY }

  private static final Binding[] NO_BINDINGS = new Binding[0];

  private final Session session;
  private final Statement delegate;
  /** The pgjdbc statement when it is a prepared (or callable) one, else null. */
  private final PreparedStatement prepared;
  private final String sql;
  private final SqlPlan plan;
  private final GeneratedKeys keys;
  /** For a generated-keys request: the SQL pgjdbc would run (with RETURNING), or null if we cannot tell. */
  private final String keysSql;
  /** The application's statement (generated wrapper). */
  Statement wrapper;
  /** Whether parameter setters may be recorded: a prepared write that may run behind a message. */
  private final boolean recordable;
  /**
   * Whether parameter setters are recorded now (read by the generated setters): off from the first
   * {@code addBatch()} until {@code clearParameters()}, because batches never replay parameters
   * and, once setters went unrecorded, a replay could not be trusted (executions then send the
   * message separately).
   */
  boolean recording;
  private Binding[] bindings = NO_BINDINGS;
  private PreparedStatement sibling;
  /**
   * The JSON bound as parameter 1 of {@link #sibling}, or null: pgjdbc keeps a parameter, and its
   * encoded bytes, until it is set again or cleared, so an unchanged context is not bound (nor
   * encoded) again. Identity is enough: the session renders a context once.
   */
  private String siblingJson;
  /** Whether {@link #sibling} goes back to the session's idle siblings when this statement closes. */
  private boolean sharedSibling;
  /** Whose results the application reads: {@link #delegate} or the stand-in of the last execution. */
  private Statement current;
  private PreparedStatement standIn;
  private SqlPlan batchPlan = SqlPlan.NOTHING;
  /** The batched SQL texts, joined, for {@code bemi.includeSql}; null otherwise. */
  private StringBuilder batchSql;
  /** Set while the results are those of a generated-keys request run behind the message. */
  private boolean emulatingKeys;
  private ResultSet emulatedKeys;
  private long emulatedCount = -1;
  private ResultSet lastRaw;
  private ResultSet lastWrapped;

  StatementExecution(Session session, Statement delegate, String sql, GeneratedKeys keys, boolean callable) {
    this.session = session;
    this.delegate = delegate;
    this.current = delegate;
    this.prepared = delegate instanceof PreparedStatement p ? p : null;
    this.sql = sql;
    this.plan = sql == null ? SqlPlan.NOTHING : session.plan(sql);
    this.keys = keys;
    this.keysSql = sql == null ? null : keys.returningSql(sql);
    this.recordable = prepared != null && !callable && session.options.enabled()
        && (!keys.requested() || keysSql != null) && plan.wantsContext(session.options);
    this.recording = recordable;
  }

  // ---- executions of SQL text (plain statements; pgjdbc refuses them on prepared ones) --------------

  public boolean execute(String text) throws SQLException {
    return executeText(text, Api.EXECUTE, GeneratedKeys.NONE, () -> delegate.execute(text));
  }

  public boolean execute(String text, int autoGeneratedKeys) throws SQLException {
    return executeText(text, Api.EXECUTE, GeneratedKeys.of(autoGeneratedKeys), () -> delegate.execute(text, autoGeneratedKeys));
  }

  public boolean execute(String text, int[] columnIndexes) throws SQLException {
    return executeText(text, Api.EXECUTE, GeneratedKeys.of(columnIndexes), () -> delegate.execute(text, columnIndexes));
  }

  public boolean execute(String text, String[] columnNames) throws SQLException {
    return executeText(text, Api.EXECUTE, GeneratedKeys.of(columnNames), () -> delegate.execute(text, columnNames));
  }

  public int executeUpdate(String text) throws SQLException {
    return executeText(text, Api.UPDATE, GeneratedKeys.NONE, () -> delegate.executeUpdate(text));
  }

  public int executeUpdate(String text, int autoGeneratedKeys) throws SQLException {
    return executeText(text, Api.UPDATE, GeneratedKeys.of(autoGeneratedKeys), () -> delegate.executeUpdate(text, autoGeneratedKeys));
  }

  public int executeUpdate(String text, int[] columnIndexes) throws SQLException {
    return executeText(text, Api.UPDATE, GeneratedKeys.of(columnIndexes), () -> delegate.executeUpdate(text, columnIndexes));
  }

  public int executeUpdate(String text, String[] columnNames) throws SQLException {
    return executeText(text, Api.UPDATE, GeneratedKeys.of(columnNames), () -> delegate.executeUpdate(text, columnNames));
  }

  public long executeLargeUpdate(String text) throws SQLException {
    return executeText(text, Api.LARGE_UPDATE, GeneratedKeys.NONE, () -> delegate.executeLargeUpdate(text));
  }

  public long executeLargeUpdate(String text, int autoGeneratedKeys) throws SQLException {
    return executeText(text, Api.LARGE_UPDATE, GeneratedKeys.of(autoGeneratedKeys),
        () -> delegate.executeLargeUpdate(text, autoGeneratedKeys));
  }

  public long executeLargeUpdate(String text, int[] columnIndexes) throws SQLException {
    return executeText(text, Api.LARGE_UPDATE, GeneratedKeys.of(columnIndexes), () -> delegate.executeLargeUpdate(text, columnIndexes));
  }

  public long executeLargeUpdate(String text, String[] columnNames) throws SQLException {
    return executeText(text, Api.LARGE_UPDATE, GeneratedKeys.of(columnNames), () -> delegate.executeLargeUpdate(text, columnNames));
  }

  public ResultSet executeQuery(String text) throws SQLException {
    return wrap(executeText(text, Api.QUERY, GeneratedKeys.NONE, () -> delegate.executeQuery(text)));
  }

  private <T> T executeText(String text, Api api, GeneratedKeys requested, Session.SqlCall<T> plain) throws SQLException {
    closeStandIn();
    if (prepared != null) {
      return plain.call(); // pgjdbc says why not
    }
    return session.execute(session.plan(text), text, plain, json -> behindMessage(json, api, requested,
        requested.returningSql(text), plain, standIn(text)));
  }

  // ---- executions of a prepared statement ----------------------------------------------------------

  public boolean execute() throws SQLException {
    return executePrepared(Api.EXECUTE, prepared::execute);
  }

  public int executeUpdate() throws SQLException {
    return executePrepared(Api.UPDATE, prepared::executeUpdate);
  }

  public long executeLargeUpdate() throws SQLException {
    return executePrepared(Api.LARGE_UPDATE, prepared::executeLargeUpdate);
  }

  public ResultSet executeQuery() throws SQLException {
    return wrap(executePrepared(Api.QUERY, prepared::executeQuery));
  }

  private <T> T executePrepared(Api api, Session.SqlCall<T> plain) throws SQLException {
    stopEmulatingKeys();
    current = delegate;
    return session.execute(plan, sql, plain, json -> behindMessage(json, api, keys, keysSql, plain, this::sibling));
  }

  /** A statement whose first part emits the message: {@link #standIn} or {@link #sibling}, not yet bound. */
  @FunctionalInterface
  private interface MessageStatement {
    PreparedStatement prepare(boolean forKeys, String keysText) throws SQLException;
  }

  /**
   * Runs the application's execution behind the message {@code json}, in one round trip when the
   * SQL can be run on a stand-in, else with the message as a separate statement first, and
   * answers what the application's execute method promises.
   */
  @SuppressWarnings("unchecked")
  private <T> T behindMessage(String json, Api api, GeneratedKeys requested, String returningSql,
      Session.SqlCall<T> plain, MessageStatement messageStatement) throws SQLException {
    boolean replayable = prepared == null || recording;
    if (requested.requested()) {
      if (api == Api.QUERY || returningSql == null || !replayable || delegate.getMaxRows() != 0) {
        return session.withSeparateMessage(json, plain);
      }
      long count;
      try {
        count = executeKeysBehindMessage(bind(messageStatement.prepare(true, returningSql), json));
      } catch (SQLException e) {
        return refusedBeforeSending(e, json, plain);
      }
      return (T) switch (api) {
        case EXECUTE -> Boolean.FALSE; // pgjdbc: the keys are not the statement's result
        case UPDATE -> (Object) (int) count;
        default -> (Object) count;
      };
    }
    if (!replayable) {
      return session.withSeparateMessage(json, plain);
    }
    ResultSet resultSet;
    try {
      resultSet = executeBehindMessage(bind(messageStatement.prepare(false, null), json), api);
    } catch (SQLException e) {
      return refusedBeforeSending(e, json, plain);
    }
    return (T) switch (api) {
      case EXECUTE -> (Object) (resultSet != null);
      case UPDATE -> (Object) Math.max(0, current.getUpdateCount());
      case LARGE_UPDATE -> (Object) Math.max(0, current.getLargeUpdateCount());
      case QUERY -> resultSet;
    };
  }

  /**
   * pgjdbc refuses an execution with a parameter left unset before it sends anything, naming the
   * parameter, which behind the message is one index further. Then the application's statement
   * runs after the message sent separately, so pgjdbc refuses it in its own words (and, were it
   * not refused, it would still have its message); any other failure is rethrown.
   */
  private <T> T refusedBeforeSending(SQLException e, String json, Session.SqlCall<T> plain) throws SQLException {
    String message = e.getMessage();
    if ("22023".equals(e.getSQLState()) && message != null && message.startsWith("No value specified for parameter")) {
      return session.withSeparateMessage(json, plain);
    }
    throw e;
  }

  /** A plain statement's stand-in for {@code text} (or, for keys, its RETURNING form), closed at the next execution. */
  private MessageStatement standIn(String text) {
    return (forKeys, keysText) -> {
      PreparedStatement statement = forKeys
          ? session.delegate.prepareStatement(Session.MESSAGE_PREFIX + SqlText.escapePlaceholders(keysText),
              ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_READ_ONLY)
          : session.delegate.prepareStatement(Session.MESSAGE_PREFIX + SqlText.escapePlaceholders(text),
              delegate.getResultSetType(), delegate.getResultSetConcurrency(),
              delegate.getResultSetHoldability());
      standIn = statement;
      return statement;
    };
  }

  /**
   * The prepared statement's sibling with the message in front, prepared on first use. For a
   * generated-keys request it runs pgjdbc's RETURNING form of the SQL and is scrollable, so the
   * keys can be counted.
   */
  private PreparedStatement sibling(boolean forKeys, String keysText) throws SQLException {
    if (sibling == null) {
      sharedSibling = !forKeys && prepared.getResultSetType() == ResultSet.TYPE_FORWARD_ONLY
          && prepared.getResultSetConcurrency() == ResultSet.CONCUR_READ_ONLY
          && prepared.getResultSetHoldability() == session.delegate.getHoldability();
      sibling = forKeys
          ? session.delegate.prepareStatement(Session.MESSAGE_PREFIX + keysText,
              ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_READ_ONLY)
          : sharedSibling ? session.borrowSibling(sql)
          : session.delegate.prepareStatement(session.withMessage(sql), prepared.getResultSetType(),
              prepared.getResultSetConcurrency(), prepared.getResultSetHoldability());
    }
    return sibling;
  }

  /** Settings copied, the JSON bound as parameter 1 and the recorded parameters replayed one index further. */
  private PreparedStatement bind(PreparedStatement statement, String json) throws SQLException {
    try {
      copySettings(delegate, statement);
      if (statement != sibling || json != siblingJson) {
        statement.setString(1, json);
        siblingJson = statement == sibling ? json : null;
      }
      Binding[] recorded = bindings;
      for (int i = 1; i < recorded.length; i++) {
        if (recorded[i] != null) {
          recorded[i].bind(statement, 1);
        }
      }
      return statement;
    } catch (SQLException | RuntimeException e) {
      closeStandIn();
      throw e;
    }
  }

  /**
   * Executes {@code statement} (message first, already bound), skips the message's result and
   * checks what the application's execute method promised, as pgjdbc does. Returns the
   * application's result set, or null when its first result is an update count.
   */
  private ResultSet executeBehindMessage(PreparedStatement statement, Api api) throws SQLException {
    current = statement;
    statement.execute();
    boolean resultSet = statement.getMoreResults();
    if (resultSet && (api == Api.UPDATE || api == Api.LARGE_UPDATE)) {
      throw new SQLException("A result was returned when none was expected.", "0100E");
    }
    if (api == Api.QUERY && !resultSet) {
      throw new SQLException("No results were returned by the query.", "02000");
    }
    return resultSet ? statement.getResultSet() : null;
  }

  /**
   * Generated keys behind the message: pgjdbc would append {@code RETURNING} and take the
   * statement's first result as the keys; behind the message that first result is the message's,
   * so the RETURNING form runs on a scrollable statement; its rows become the keys and their
   * number the update count (one row per affected row, which is what the command status says).
   */
  private long executeKeysBehindMessage(PreparedStatement statement) throws SQLException {
    ResultSet rows = executeBehindMessage(statement, Api.EXECUTE);
    long count = 0;
    if (rows != null) {
      if (rows.last()) {
        count = rows.getRow();
      }
      rows.beforeFirst();
    }
    emulatedKeys = rows;
    emulatedCount = count;
    emulatingKeys = true;
    return count;
  }

  /** The stand-in behaves as the application configured its statement. */
  private static void copySettings(Statement from, Statement to) throws SQLException {
    to.setFetchSize(from.getFetchSize());
    to.setFetchDirection(from.getFetchDirection());
    to.setQueryTimeout(from.getQueryTimeout());
    to.setMaxRows(from.getMaxRows()); // pgjdbc has no getLargeMaxRows
    to.setMaxFieldSize(from.getMaxFieldSize());
  }

  // ---- parameters and batches ---------------------------------------------------------------------

  /** Receives a copy of a parameter setter (from the generated setters); {@code index} is 1-based. */
  void record(int index, Binding binding) {
    if (index < 1) {
      return; // pgjdbc rejects it when the setter runs
    }
    if (index >= bindings.length) {
      bindings = Arrays.copyOf(bindings, Math.max(index + 1, Math.max(8, bindings.length * 2)));
    }
    bindings[index] = binding;
  }

  public void clearParameters() throws SQLException {
    prepared.clearParameters();
    Arrays.fill(bindings, null);
    recording = recordable;
    if (sibling != null) { // else a parameter left unset would run with its previous value behind the message
      sibling.clearParameters();
      siblingJson = null;
    }
  }

  public void addBatch() throws SQLException {
    prepared.addBatch();
    recording = false;
  }

  public void addBatch(String text) throws SQLException {
    delegate.addBatch(text);
    if (prepared == null) {
      batchPlan = batchPlan.plus(session.plan(text));
      if (session.options.includeSql()) {
        batchSql = batchSql == null ? new StringBuilder(text) : batchSql.append(";\n").append(text);
      }
    }
  }

  public void clearBatch() throws SQLException {
    delegate.clearBatch();
    batchPlan = SqlPlan.NOTHING;
    batchSql = null;
  }

  public int[] executeBatch() throws SQLException {
    return executeBatch(delegate::executeBatch);
  }

  public long[] executeLargeBatch() throws SQLException {
    return executeBatch(delegate::executeLargeBatch);
  }

  private <T> T executeBatch(Session.SqlCall<T> batch) throws SQLException {
    closeStandIn();
    if (prepared != null) {
      return session.executeBatch(plan, sql, batch);
    }
    SqlPlan batched = batchPlan;
    String text = batchSql == null ? "" : batchSql.toString();
    batchPlan = SqlPlan.NOTHING;
    batchSql = null;
    return session.executeBatch(batched, text, batch);
  }

  // ---- results ------------------------------------------------------------------------------------

  private void closeStandIn() throws SQLException {
    stopEmulatingKeys();
    current = delegate;
    PreparedStatement statement = standIn;
    if (statement != null) {
      standIn = null;
      statement.close();
    }
  }

  private void stopEmulatingKeys() {
    emulatingKeys = false;
    emulatedKeys = null;
    emulatedCount = -1;
  }

  private ResultSet wrap(ResultSet raw) {
    if (raw == null) {
      return null;
    }
    if (raw != lastRaw) {
      lastRaw = raw;
      lastWrapped = new BemiResultSet(raw, wrapper);
    }
    return lastWrapped;
  }

  public ResultSet getResultSet() throws SQLException {
    return emulatingKeys ? null : wrap(current.getResultSet());
  }

  public int getUpdateCount() throws SQLException {
    return emulatingKeys ? (int) emulatedCount : current.getUpdateCount();
  }

  public long getLargeUpdateCount() throws SQLException {
    return emulatingKeys ? emulatedCount : current.getLargeUpdateCount();
  }

  public boolean getMoreResults() throws SQLException {
    if (emulatingKeys) {
      emulatedCount = -1;
      return false;
    }
    return current.getMoreResults();
  }

  public boolean getMoreResults(int how) throws SQLException {
    if (emulatingKeys) {
      emulatedCount = -1;
      return false;
    }
    return current.getMoreResults(how);
  }

  public ResultSet getGeneratedKeys() throws SQLException {
    return wrap(emulatingKeys ? emulatedKeys : current.getGeneratedKeys());
  }

  public SQLWarning getWarnings() throws SQLException {
    return current.getWarnings();
  }

  public void clearWarnings() throws SQLException {
    delegate.clearWarnings();
    if (current != delegate) {
      current.clearWarnings();
    }
  }

  public void cancel() throws SQLException {
    current.cancel();
  }

  public Connection getConnection() {
    return session.connection();
  }

  public void close() throws SQLException {
    PreparedStatement withMessage = sibling;
    sibling = null;
    siblingJson = null;
    try {
      closeStandIn();
      if (withMessage != null && sharedSibling && !delegate.isClosed()) {
        session.returnSibling(sql, withMessage);
      } else if (withMessage != null) {
        withMessage.close();
      }
    } finally {
      delegate.close();
    }
  }
}

package io.bemi.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;

/**
 * A {@code PreparedStatement} whose writes carry the context.
 *
 * <p>Parameters are set on the pgjdbc statement as usual. When an execution needs a message, it
 * runs instead on a sibling statement prepared once as
 * {@code SELECT pg_logical_emit_message(true, '_bemi', ?); <the SQL>}: the JSON is bound as
 * parameter 1 and the application's parameters are replayed one index further. Both statements
 * stay prepared (and become server-prepared after pgjdbc's {@code prepareThreshold}), so a
 * transaction pays for the sibling only on its first write under each context.
 *
 * <p>A generated-keys request runs the same way, with the {@code RETURNING} clause pgjdbc would
 * append (see {@link BemiStatement#executeKeysBehindMessage}); the rare keys requests we cannot
 * express so, and callable statements, send the message as a separate statement first (see
 * {@link BemiConnection#withSeparateMessage}). Batches owe their message to the commit (see
 * {@link BemiConnection#batchWithMessage}).
 */
class BemiPreparedStatement extends DelegatingPreparedStatement {

  final String sql;
  private final int sqlFlags;
  private final GeneratedKeys keys;
  /** For a generated-keys request: the SQL pgjdbc would run (with RETURNING), or null if we cannot tell. */
  private final String keysSql;
  private PreparedStatement withMessage;
  private Binding[] bindings = NO_BINDINGS;
  private static final Binding[] NO_BINDINGS = new Binding[0];

  BemiPreparedStatement(BemiConnection connection, PreparedStatement prepared, String sql, GeneratedKeys keys) {
    super(connection, prepared);
    this.sql = sql;
    this.sqlFlags = connection.classify(sql);
    this.keys = keys;
    this.keysSql = keys.returningSql(sql);
    BemiOptions options = connection.options;
    // Setters are recorded only where a stand-in may have to replay them.
    this.recording = options.enabled() && (!keys.requested() || keysSql != null)
        && !(prepared instanceof java.sql.CallableStatement)
        && ((sqlFlags & SqlText.WRITE) != 0 || (options.allStatements() && (sqlFlags & SqlText.OTHER) != 0));
  }

  @Override
  final void record(int index, Binding binding) {
    if (index < 1) {
      return; // pgjdbc rejects it when the setter runs
    }
    if (index >= bindings.length) {
      bindings = Arrays.copyOf(bindings, Math.max(index + 1, Math.max(8, bindings.length * 2)));
    }
    bindings[index] = binding;
  }

  @Override
  public void clearParameters() throws SQLException {
    prepared.clearParameters();
    Arrays.fill(bindings, null);
  }

  /** The message to emit before this statement runs, or null. */
  final String message() throws SQLException {
    useResultsOf(prepared);
    return connection.messageFor(sql, sqlFlags);
  }

  @Override
  public boolean execute() throws SQLException {
    String json = message();
    if (json == null) {
      return run(prepared::execute);
    }
    if (keys.requested()) {
      if (!keysBehindMessage()) {
        return connection.withSeparateMessage(json, prepared::execute);
      }
      executeKeysBehindMessage(bindWithMessage(json), json);
      return false;
    }
    if (!recording) {
      return connection.withSeparateMessage(json, prepared::execute);
    }
    return runWithMessage(json, Expect.ANYTHING) != null;
  }

  @Override
  public int executeUpdate() throws SQLException {
    String json = message();
    if (json == null) {
      return run(prepared::executeUpdate);
    }
    if (keys.requested()) {
      if (!keysBehindMessage()) {
        return connection.withSeparateMessage(json, prepared::executeUpdate);
      }
      return (int) executeKeysBehindMessage(bindWithMessage(json), json);
    }
    if (!recording) {
      return connection.withSeparateMessage(json, prepared::executeUpdate);
    }
    runWithMessage(json, Expect.UPDATE_COUNT);
    return Math.max(0, current().getUpdateCount());
  }

  @Override
  public long executeLargeUpdate() throws SQLException {
    String json = message();
    if (json == null) {
      return run(prepared::executeLargeUpdate);
    }
    if (keys.requested()) {
      if (!keysBehindMessage()) {
        return connection.withSeparateMessage(json, prepared::executeLargeUpdate);
      }
      return executeKeysBehindMessage(bindWithMessage(json), json);
    }
    if (!recording) {
      return connection.withSeparateMessage(json, prepared::executeLargeUpdate);
    }
    runWithMessage(json, Expect.UPDATE_COUNT);
    return Math.max(0, current().getLargeUpdateCount());
  }

  @Override
  public ResultSet executeQuery() throws SQLException {
    String json = message();
    if (json == null) {
      return wrap(run(prepared::executeQuery));
    }
    if (!recording || keys.requested()) {
      return wrap(connection.withSeparateMessage(json, prepared::executeQuery));
    }
    return wrap(runWithMessage(json, Expect.RESULT_SET));
  }

  @Override
  public int[] executeBatch() throws SQLException {
    return runBatch(prepared::executeBatch);
  }

  @Override
  public long[] executeLargeBatch() throws SQLException {
    return runBatch(prepared::executeLargeBatch);
  }

  private <T> T runBatch(BemiConnection.SqlCall<T> batch) throws SQLException {
    String json = message();
    if (json == null) {
      return run(batch);
    }
    return connection.batchWithMessage(json, batch);
  }

  /** Generated keys can travel behind the message when we know pgjdbc's SQL and no row limit applies. */
  private boolean keysBehindMessage() throws SQLException {
    return keysSql != null && recording && prepared.getMaxRows() == 0;
  }

  private ResultSet runWithMessage(String json, Expect expect) throws SQLException {
    return executeBehindMessage(bindWithMessage(json), json, expect);
  }

  /**
   * The sibling statement with the message in front, prepared on first use, with the JSON bound
   * and the application's parameters replayed one index further. For a generated-keys request it
   * runs pgjdbc's RETURNING form of the SQL and is scrollable, so the keys can be counted.
   */
  private PreparedStatement bindWithMessage(String json) throws SQLException {
    PreparedStatement statement = withMessage;
    if (statement == null) {
      statement = keys.requested()
          ? connection.raw().prepareStatement(BemiConnection.MESSAGE_PREFIX + keysSql,
              ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_READ_ONLY)
          : connection.raw().prepareStatement(connection.withMessage(sql),
              prepared.getResultSetType(), prepared.getResultSetConcurrency(), prepared.getResultSetHoldability());
      withMessage = statement;
    }
    copySettings(prepared, statement);
    statement.setString(1, json);
    Binding[] current = bindings;
    for (int i = 1; i < current.length; i++) {
      if (current[i] != null) {
        current[i].bind(statement, 1);
      }
    }
    return statement;
  }

  @Override
  public void close() throws SQLException {
    PreparedStatement statement = withMessage;
    withMessage = null;
    try {
      if (statement != null) {
        statement.close();
      }
    } finally {
      super.close();
    }
  }
}

package io.bemi.jdbc;

import io.bemi.Bemi;
import io.bemi.ContextSnapshot;
import java.lang.System.Logger.Level;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
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
 * The one choke point of a connection: every execution of every statement kind asks it whether
 * the context's message goes first ({@link #execute}, {@link #executeBatch}), and every
 * transaction boundary, whether it comes through the JDBC API or as SQL text, moves its
 * {@link TransactionState}. It also answers the connection methods that add behaviour (statement
 * creation, commit, rollback, savepoints, autocommit, close), which {@link BemiConnection}
 * (generated) routes here.
 *
 * <p>Like pgjdbc's own connection, meant for one thread at a time.
 */
final class Session {

  private static final System.Logger LOG = System.getLogger("io.bemi.jdbc");

  /**
   * Leads a statement that needs a message; parameter 1 is the context JSON. The function is
   * called in a qual of a Result node, not in FROM, which would materialise its result, and not in
   * the target list: a result without a row saves the server the LSN's output and a DataRow, and
   * pgjdbc a row to decode (MessageCostBench, docs/driver.md).
   */
  static final String MESSAGE_SQL = "SELECT WHERE pg_logical_emit_message(true, '_bemi', ?::text) IS NULL";
  /** Nothing between the semicolon and the SQL, so error positions match the SQL as written. */
  static final String MESSAGE_PREFIX = MESSAGE_SQL + ";";
  private static final int CACHE_SIZE = 256;

  final Connection delegate;
  final BemiOptions options;
  private final TransactionState state;
  private BemiConnection connection;
  private final Map<String, SqlPlan> plans = new HashMap<>();
  /** SQL text to its form with the message in front: one string per text, so pgjdbc's query cache finds it hashed. */
  private final Map<String, String> withMessage = new HashMap<>();
  /**
   * Idle two-part statements by the application's SQL, handed from a closed prepared statement to
   * the next one with the same SQL: frameworks prepare and close the same statements in every
   * transaction, and the sibling would otherwise be prepared again each time.
   */
  private final Map<String, PreparedStatement> idleSiblings = new HashMap<>();
  private PreparedStatement messageStatement;
  private PreparedStatement commitStatement;
  private DatabaseMetaData rawMetaData;
  private DatabaseMetaData metaData;
  /** The last context rendered and its JSON within the size limit: most writes reuse it. */
  private ContextSnapshot renderedContext;
  private String renderedJson;
  private boolean warnedTruncated;
  /** The last JSON counted as sent and its UTF-8 length: most messages repeat the rendered JSON. */
  private String sentJson;
  private int sentJsonBytes;

  private Session(Connection delegate, BemiOptions options, boolean autoCommit) {
    this.delegate = delegate;
    this.options = options;
    this.state = new TransactionState(autoCommit);
  }

  /** {@code delegate} wrapped: the application's connection. */
  static BemiConnection wrap(Connection delegate, BemiOptions options) {
    boolean autoCommit;
    try {
      autoCommit = delegate.getAutoCommit();
    } catch (SQLException e) {
      autoCommit = true; // a closed connection: every call will say so
    }
    Session session = new Session(delegate, options, autoCommit);
    session.connection = new BemiConnection(delegate, session);
    return session.connection;
  }

  // ---- the choke point ------------------------------------------------------------------------

  /** A JDBC call that may throw. */
  @FunctionalInterface
  interface SqlCall<T> {
    T call() throws SQLException;
  }

  /** Runs a statement with the message {@code json} in front (one way or another). */
  @FunctionalInterface
  interface WithMessage<T> {
    T call(String json) throws SQLException;
  }

  /**
   * Runs one execution: {@code plain} when no message is due, else {@code withMessage}; then feeds
   * the outcome and the SQL's transaction commands to the state machine.
   */
  <T> T execute(SqlPlan plan, String sql, SqlCall<T> plain, WithMessage<T> withMessage) throws SQLException {
    String json = messageFor(plan, sql);
    return run(plan, json, json == null ? plain : () -> withMessage.call(json));
  }

  /**
   * Runs a batch without an extra round trip where the attribution rule allows it: changes that
   * precede a transaction's first message get that message's context. So in a block without a
   * message yet, the batch runs at once and its message is owed: it travels before the next
   * message of another context or, at the latest, in the same round trip as the commit. In a
   * block that has a message, the batch's goes first as a separate statement. In autocommit mode
   * the batch runs in a transaction of its own whose commit carries the message.
   */
  <T> T executeBatch(SqlPlan plan, String sql, SqlCall<T> batch) throws SQLException {
    String json = messageFor(plan, sql);
    if (json == null) {
      return run(plan, null, batch);
    }
    if (state.inBlock() && state.hasMessage()) {
      return run(plan, json, () -> withSeparateMessage(json, batch));
    }
    if (state.inBlock()) {
      T result = run(plan, null, batch);
      state.owe(json);
      return result;
    }
    return run(plan, null, () -> {
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
        delegate.setAutoCommit(true);
      }
    });
  }

  /** Runs {@code call}, preceded by the message {@code json} (or none), and tells the state machine how it went. */
  private <T> T run(SqlPlan plan, String json, SqlCall<T> call) throws SQLException {
    T result;
    try {
      result = call.call();
    } catch (SQLException | RuntimeException e) {
      if (plan.commands().isEmpty()) {
        state.failed();
      } else {
        state.failedUncertain();
      }
      throw e;
    }
    if (json != null) {
      state.emitted(json);
      sent(json);
    }
    state.succeeded();
    for (TransactionCommand command : plan.commands()) {
      state.apply(command);
    }
    return result;
  }

  /**
   * Runs {@code work} (a callable statement, a generated-keys request we cannot rewrite) after
   * emitting {@code json} as a separate statement: one more round trip. In autocommit mode the
   * message and the work run in one transaction opened for them, so they commit or fail together.
   */
  <T> T withSeparateMessage(String json, SqlCall<T> work) throws SQLException {
    if (state.inBlock()) {
      emit(json);
      return work.call();
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
      delegate.setAutoCommit(true);
    }
  }

  /**
   * The JSON to emit before running {@code sql}, or null: no context, not a statement that wants
   * it, or the same context already in the surviving part of the transaction. Pays an owed
   * message first when this statement commits or brings another context.
   */
  private String messageFor(SqlPlan plan, String sql) throws SQLException {
    if (state.owed() != null && plan.commits()) {
      payOwed();
    }
    if (!options.enabled() || !plan.wantsContext(options)) {
      return null;
    }
    String json = render(sql);
    if (json == null) {
      return null;
    }
    if (!state.needsMessage(json)) {
      BemiDriverStats.skipped();
      return null;
    }
    if (state.owed() != null) {
      payOwed();
    }
    return json;
  }

  /**
   * This thread's context as JSON within {@code bemi.maxContextBytes}, or null when empty. The
   * agent rewrites the {@code Bemi.snapshot()} call below (and only here) to supply job context.
   */
  private String render(String sql) {
    ContextSnapshot context = Bemi.snapshot();
    if (context.isEmpty()) {
      return null;
    }
    if (options.includeSql()) {
      return limited(context, context.jsonWith("SQL", SqlText.withoutLiterals(sql), options.maxContextBytes()));
    }
    if (context != renderedContext) {
      renderedJson = limited(context, context.json(options.maxContextBytes()));
      renderedContext = context;
    }
    return renderedJson;
  }

  private String limited(ContextSnapshot context, String json) {
    if (!warnedTruncated && json != context.json() && json.startsWith(BemiDriverStats.TRUNCATED_PREFIX)) {
      warnedTruncated = true;
      LOG.log(Level.WARNING, "A Bemi context larger than bemi.maxContextBytes={0} was reduced to its identifying "
          + "keys (see _bemi_truncated in the trail). (Logged once per connection.)", options.maxContextBytes());
    }
    return json;
  }

  /** What {@code sql} does, remembered per connection: applications run the same few texts over and over. */
  SqlPlan plan(String sql) {
    SqlPlan plan = plans.get(sql);
    if (plan == null) {
      if (plans.size() >= CACHE_SIZE) {
        plans.clear();
      }
      plan = SqlText.plan(sql);
      plans.put(sql, plan);
    }
    return plan;
  }

  /** {@link BemiJdbc#emitContext}: the context as a separate message, now, inside the open transaction. */
  void emitContext() throws SQLException {
    if (!state.inBlock()) {
      throw new SQLException("BemiJdbc.emitContext needs an open transaction (autocommit off, or after BEGIN): "
          + "in autocommit mode the message would commit on its own", "25000");
    }
    SqlPlan write = new SqlPlan(SqlText.WRITE, java.util.List.of());
    execute(write, "COPY", () -> null, json -> {
      emit(json);
      return null;
    });
  }

  /** A forward-only two-part statement for {@code sql} with the message in front: an idle one, or a new one. */
  PreparedStatement borrowSibling(String sql) throws SQLException {
    PreparedStatement sibling = idleSiblings.remove(sql);
    return sibling != null ? sibling : delegate.prepareStatement(withMessage(sql));
  }

  /** {@code sibling}, no longer used by its statement: kept for the next statement of {@code sql}, or closed. */
  void returnSibling(String sql, PreparedStatement sibling) throws SQLException {
    if (idleSiblings.size() >= CACHE_SIZE || idleSiblings.containsKey(sql) || sibling.isClosed()) {
      sibling.close();
      return;
    }
    sibling.getMoreResults(Statement.CLOSE_ALL_RESULTS); // the application's results end with its statement
    sibling.clearParameters();
    sibling.clearWarnings();
    idleSiblings.put(sql, sibling);
  }

  /** {@code sql} behind the message statement (pgjdbc's statement cache keys on this text). */
  String withMessage(String sql) {
    String combined = withMessage.get(sql);
    if (combined == null) {
      if (withMessage.size() >= CACHE_SIZE) {
        withMessage.clear();
      }
      combined = MESSAGE_PREFIX + sql;
      withMessage.put(sql, combined);
    }
    return combined;
  }

  private void payOwed() throws SQLException {
    String json = state.owed();
    state.paidOwed();
    if (!state.aborted()) {
      emit(json);
      sent(json);
    }
  }

  /** Counts {@code json} in {@link BemiDriverStats}, once the statement that carried it succeeded. */
  private void sent(String json) {
    if (json != sentJson) {
      sentJsonBytes = BemiDriverStats.utf8Length(json);
      sentJson = json;
    }
    BemiDriverStats.sent(sentJsonBytes, json.startsWith(BemiDriverStats.TRUNCATED_PREFIX));
  }

  /**
   * Commits with {@code json} emitted in the same round trip: {@code SELECT pg_logical_emit_message(…); COMMIT}.
   * If the transaction had already failed (SQLSTATE 25P02), the message cannot be sent and pgjdbc's
   * own commit answers as it would.
   */
  private void commitWithMessage(String json) throws SQLException {
    if (commitStatement == null) {
      commitStatement = delegate.prepareStatement(MESSAGE_PREFIX + "COMMIT");
    }
    commitStatement.setString(1, json);
    try {
      commitStatement.execute();
      sent(json);
    } catch (SQLException e) {
      if (!"25P02".equals(e.getSQLState())) {
        throw e;
      }
      delegate.commit();
    }
  }

  private void emit(String json) throws SQLException {
    if (messageStatement == null) {
      messageStatement = delegate.prepareStatement(MESSAGE_SQL);
    }
    messageStatement.setString(1, json);
    messageStatement.execute();
  }

  // ---- connection methods that add behaviour (routed here by BemiConnection) -----------------------

  public Statement createStatement() throws SQLException {
    return statement(delegate.createStatement());
  }

  public Statement createStatement(int type, int concurrency) throws SQLException {
    return statement(delegate.createStatement(type, concurrency));
  }

  public Statement createStatement(int type, int concurrency, int holdability) throws SQLException {
    return statement(delegate.createStatement(type, concurrency, holdability));
  }

  public PreparedStatement prepareStatement(String sql) throws SQLException {
    return prepared(delegate.prepareStatement(sql), sql, GeneratedKeys.NONE);
  }

  public PreparedStatement prepareStatement(String sql, int type, int concurrency) throws SQLException {
    return prepared(delegate.prepareStatement(sql, type, concurrency), sql, GeneratedKeys.NONE);
  }

  public PreparedStatement prepareStatement(String sql, int type, int concurrency, int holdability)
      throws SQLException {
    return prepared(delegate.prepareStatement(sql, type, concurrency, holdability), sql, GeneratedKeys.NONE);
  }

  public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
    return prepared(delegate.prepareStatement(sql, autoGeneratedKeys), sql, GeneratedKeys.of(autoGeneratedKeys));
  }

  public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
    return prepared(delegate.prepareStatement(sql, columnIndexes), sql, GeneratedKeys.of(columnIndexes));
  }

  public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
    return prepared(delegate.prepareStatement(sql, columnNames), sql, GeneratedKeys.of(columnNames));
  }

  public CallableStatement prepareCall(String sql) throws SQLException {
    return callable(delegate.prepareCall(sql), sql);
  }

  public CallableStatement prepareCall(String sql, int type, int concurrency) throws SQLException {
    return callable(delegate.prepareCall(sql, type, concurrency), sql);
  }

  public CallableStatement prepareCall(String sql, int type, int concurrency, int holdability) throws SQLException {
    return callable(delegate.prepareCall(sql, type, concurrency, holdability), sql);
  }

  private Statement statement(Statement raw) {
    StatementExecution execution = new StatementExecution(this, raw, null, GeneratedKeys.NONE, false);
    return execution.wrapper = new BemiStatement(raw, execution);
  }

  private PreparedStatement prepared(PreparedStatement raw, String sql, GeneratedKeys keys) {
    StatementExecution execution = new StatementExecution(this, raw, sql, keys, false);
    BemiPreparedStatement wrapper = new BemiPreparedStatement(raw, execution);
    execution.wrapper = wrapper;
    return wrapper;
  }

  private CallableStatement callable(CallableStatement raw, String sql) {
    StatementExecution execution = new StatementExecution(this, raw, sql, GeneratedKeys.NONE, true);
    BemiCallableStatement wrapper = new BemiCallableStatement(raw, execution);
    execution.wrapper = wrapper;
    return wrapper;
  }

  /** The application's connection. */
  BemiConnection connection() {
    return connection;
  }

  /** pgjdbc's metadata, except that {@code getConnection()} answers the application's connection (off the hot path: a proxy). */
  public DatabaseMetaData getMetaData() throws SQLException {
    DatabaseMetaData raw = delegate.getMetaData();
    if (metaData == null || rawMetaData != raw) {
      rawMetaData = raw;
      metaData = (DatabaseMetaData) Proxy.newProxyInstance(Session.class.getClassLoader(),
          new Class<?>[] {DatabaseMetaData.class}, (proxy, method, args) -> {
            if (method.getName().equals("getConnection") && method.getParameterCount() == 0) {
              return connection;
            }
            try {
              return method.invoke(raw, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }
    return metaData;
  }

  public void setAutoCommit(boolean autoCommit) throws SQLException {
    if (autoCommit && state.owed() != null && !state.aborted() && !delegate.getAutoCommit()) {
      commitWithMessage(state.owed()); // pgjdbc commits on this switch; the owed message goes with it
    }
    delegate.setAutoCommit(autoCommit);
    state.autoCommit(autoCommit);
  }

  public void commit() throws SQLException {
    boolean manual = !delegate.getAutoCommit();
    try {
      String owed = state.owed();
      if (manual && owed != null && !state.aborted()) {
        commitWithMessage(owed);
      } else {
        delegate.commit();
      }
    } finally {
      if (manual) {
        state.ended();
      }
    }
  }

  public void rollback() throws SQLException {
    boolean manual = !delegate.getAutoCommit();
    try {
      delegate.rollback();
    } finally {
      if (manual) {
        state.ended();
      }
    }
  }

  public void rollback(Savepoint savepoint) throws SQLException {
    String name = name(savepoint);
    try {
      delegate.rollback(savepoint);
    } catch (SQLException | RuntimeException e) {
      state.failed();
      throw e;
    }
    state.rollbackTo(name);
  }

  public Savepoint setSavepoint() throws SQLException {
    Savepoint savepoint = delegate.setSavepoint();
    state.setSavepoint(name(savepoint));
    return savepoint;
  }

  public Savepoint setSavepoint(String name) throws SQLException {
    Savepoint savepoint = delegate.setSavepoint(name);
    state.setSavepoint(name(savepoint));
    return savepoint;
  }

  public void releaseSavepoint(Savepoint savepoint) throws SQLException {
    String name = name(savepoint);
    delegate.releaseSavepoint(savepoint);
    state.release(name);
  }

  /**
   * The name the server knows a JDBC savepoint by, as {@link TransactionCommand} compares names:
   * pgjdbc quotes a named savepoint and calls an unnamed one {@code JDBC_SAVEPOINT_<id>}. Null when
   * it has none (released): pgjdbc then refuses the call and the state machine assumes the worst.
   */
  private static String name(Savepoint savepoint) {
    try {
      return savepoint.getSavepointName();
    } catch (SQLException | RuntimeException unnamed) {
      try {
        return TransactionCommand.normalize("JDBC_SAVEPOINT_" + savepoint.getSavepointId());
      } catch (SQLException | RuntimeException released) {
        return null;
      }
    }
  }

  public void close() throws SQLException {
    for (PreparedStatement sibling : idleSiblings.values()) {
      if (!delegate.isClosed()) {
        sibling.close();
      }
    }
    idleSiblings.clear();
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

  @Override
  public String toString() {
    return "Session[" + state + "]";
  }
}

package io.bemi.jdbc;

import java.sql.CallableStatement;

/**
 * A {@code CallableStatement}. Its executions go through {@link BemiPreparedStatement}, which,
 * for a call that needs a message, sends the message as a separate statement first: OUT
 * parameters are read from the first result, so the call cannot share a multi-statement query.
 */
final class BemiCallableStatement extends DelegatingCallableStatement {

  BemiCallableStatement(BemiConnection connection, CallableStatement callable, String sql) {
    super(connection, callable, sql);
  }
}

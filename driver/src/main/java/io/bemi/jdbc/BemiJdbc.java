package io.bemi.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Wraps a pgjdbc connection so that its writes carry the Bemi context: the entry point for code
 * that obtains connections itself (the Java agent, a custom pool). Applications normally use the
 * {@code jdbc:bemi:postgresql://} URL instead.
 *
 * <p>The wrappers use only {@code java.sql} types, so they work beside any pgjdbc version in any
 * class loader.
 */
public final class BemiJdbc {

  private BemiJdbc() {}

  /**
   * A connection that behaves as {@code pgConnection} and emits the context before writes.
   *
   * @param pgConnection a pgjdbc connection; returned unchanged if it is already wrapped
   * @param bemiOptions {@code bemi.*} options (see docs/driver.md); other entries are ignored; null
   *     means defaults
   * @throws IllegalArgumentException for an unknown {@code bemi.*} option or a bad value
   */
  public static Connection wrap(Connection pgConnection, Properties bemiOptions) {
    if (pgConnection == null) {
      throw new NullPointerException("pgConnection");
    }
    if (pgConnection instanceof BemiConnection) {
      return pgConnection;
    }
    return Session.wrap(pgConnection, BemiOptions.from(bemiOptions));
  }

  /**
   * Checks {@code bemi.*} options as {@link #wrap} does, without a connection: for a pool or a
   * framework that wants a bad setting refused at start-up rather than at the first checkout.
   *
   * @throws IllegalArgumentException for an unknown {@code bemi.*} option or a bad value
   */
  public static void checkOptions(Properties bemiOptions) {
    BemiOptions.from(bemiOptions);
  }

  /** The driver's option names ({@code bemi.enabled}, {@code bemi.includeSql}, …). */
  public static java.util.Set<String> optionNames() {
    return BemiOptions.NAMES;
  }

  /** Whether {@code connection} is, or wraps (e.g. inside a pool's proxy), a Bemi connection. */
  public static boolean isWrapped(Connection connection) {
    if (connection == null) {
      return false;
    }
    if (connection instanceof BemiConnection) {
      return true;
    }
    try {
      return connection.isWrapperFor(BemiConnection.class);
    } catch (SQLException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Sends this thread's context now, as a separate statement in {@code connection}'s current
   * transaction, unless it is already the transaction's latest message: for writes that bypass the
   * driver, such as {@code COPY … FROM STDIN} through pgjdbc's {@code CopyManager}. Call it with
   * autocommit off, just before that work; in autocommit mode the message would commit alone, so
   * this refuses.
   *
   * @param connection a connection from {@code jdbc:bemi} or {@link #wrap}, or a pool's proxy of one
   * @throws SQLException if the connection is not a Bemi connection, is in autocommit mode outside
   *     a {@code BEGIN} block, or the message cannot be sent
   */
  public static void emitContext(Connection connection) throws SQLException {
    if (!isWrapped(connection)) {
      throw new SQLException("Not a Bemi connection: use a jdbc:bemi:postgresql connection or BemiJdbc.wrap", "08003");
    }
    connection.unwrap(BemiConnection.class).handler.emitContext();
  }
}

package io.bemi.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Pins a session's {@code search_path} to {@code pg_catalog, pg_temp}, for the sessions Bemi opens
 * itself (the ingester's, the dashboard's on the trail): a role with CREATE on a schema of the
 * default search path ({@code public} before PostgreSQL 15) could otherwise plant a function or
 * operator that wins over the built-in it shadows, e.g. an {@code =} for {@code (text, varchar)},
 * which matches pgjdbc's string parameters exactly, and have it run with Bemi's privileges.
 */
public final class CatalogSearchPath {

  /** The statement that pins it (for a pool's connection-init SQL). */
  public static final String SQL = "SELECT pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false)";

  private CatalogSearchPath() {}

  /** Pins {@code connection}'s session and returns it; closes it if that fails. */
  public static Connection pin(Connection connection) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute(SQL);
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
    return connection;
  }
}

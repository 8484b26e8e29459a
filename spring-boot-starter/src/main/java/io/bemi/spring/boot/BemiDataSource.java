package io.bemi.spring.boot;

import io.bemi.jdbc.BemiJdbc;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * The application's DataSource with each connection wrapped by the Bemi driver's wrapper, so its
 * writes carry the context. The JDBC URL and driver class stay as configured; a connection that is
 * already a Bemi connection (a {@code jdbc:bemi:postgresql} URL) is handed out unchanged, and so
 * is every connection of a DataSource that is not PostgreSQL (an application's second, H2 or other,
 * DataSource: its database has no {@code pg_logical_emit_message}). {@code unwrap} still reaches the
 * pool (HikariCP metrics and health keep working).
 */
public final class BemiDataSource extends DelegatingDataSource {

  private final Properties driverOptions;
  private final Runnable onWrapped;
  /** Whether the target's connections are PostgreSQL's: known from the first one. */
  private volatile Boolean postgres;

  BemiDataSource(DataSource pool, Properties driverOptions, Runnable onWrapped) {
    super(pool);
    this.driverOptions = driverOptions;
    this.onWrapped = onWrapped;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return wrap(obtainTargetDataSource().getConnection());
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return wrap(obtainTargetDataSource().getConnection(username, password));
  }

  private Connection wrap(Connection connection) throws SQLException {
    if (BemiJdbc.isWrapped(connection) || !isPostgres(connection)) {
      return connection;
    }
    try {
      Connection wrapped = BemiJdbc.wrap(connection, driverOptions);
      onWrapped.run();
      return wrapped;
    } catch (RuntimeException e) {
      connection.close(); // back to the pool: a refused wrap must not leak the checkout
      throw e;
    }
  }

  private boolean isPostgres(Connection connection) throws SQLException {
    Boolean known = postgres;
    if (known == null) {
      known = "PostgreSQL".equals(connection.getMetaData().getDatabaseProductName());
      postgres = known;
    }
    return known;
  }

  @Override
  public String toString() {
    return "BemiDataSource[" + obtainTargetDataSource() + "]";
  }
}

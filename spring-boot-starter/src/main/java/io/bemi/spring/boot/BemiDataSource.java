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
 * already a Bemi connection (a {@code jdbc:bemi:postgresql} URL) is handed out unchanged.
 * {@code unwrap} still reaches the pool (HikariCP metrics and health keep working).
 */
public final class BemiDataSource extends DelegatingDataSource {

  private final Properties driverOptions;
  private final Runnable onWrapped;

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

  private Connection wrap(Connection connection) {
    if (BemiJdbc.isWrapped(connection)) {
      return connection;
    }
    onWrapped.run();
    return BemiJdbc.wrap(connection, driverOptions);
  }

  @Override
  public String toString() {
    return "BemiDataSource[" + obtainTargetDataSource() + "]";
  }
}

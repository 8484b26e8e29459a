package io.bemi.test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import javax.sql.DataSource;
import org.postgresql.PGProperty;
import org.postgresql.ds.PGSimpleDataSource;

/** One database of the test server, owned by one test class and dropped after it. */
public final class TestDatabase {

  private final PostgresServer server;
  private final String name;

  TestDatabase(PostgresServer server, String name) {
    this.server = server;
    this.name = name;
  }

  public String name() {
    return name;
  }

  /** {@code jdbc:postgresql://host:port/name} without credentials; see {@link #user()}. */
  public String jdbcUrl() {
    return server.baseJdbcUrl() + name;
  }

  /** The JDBC URL with {@code user} and {@code password} parameters. */
  public String jdbcUrlWithCredentials() {
    return jdbcUrl() + "?user=" + user() + "&password=" + password();
  }

  /** The same database as a {@code postgresql://user:password@host:port/name} URI. */
  public String uri() {
    String hostPort = server.baseJdbcUrl().substring("jdbc:postgresql://".length());
    return "postgresql://" + user() + ":" + password() + "@" + hostPort + name;
  }

  public String user() {
    return server.user();
  }

  public String password() {
    return server.password();
  }

  public Properties credentials() {
    Properties props = new Properties();
    props.setProperty("user", user());
    props.setProperty("password", password());
    return props;
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), credentials());
  }

  /** A connection in replication mode, for pgjdbc's replication API. */
  public Connection connectForReplication() throws SQLException {
    Properties props = credentials();
    PGProperty.REPLICATION.set(props, "database");
    PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
    PGProperty.PREFER_QUERY_MODE.set(props, "simple");
    return DriverManager.getConnection(jdbcUrl(), props);
  }

  public DataSource dataSource() {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(jdbcUrl());
    ds.setUser(user());
    ds.setPassword(password());
    return ds;
  }

  /** Runs each statement in its own autocommit transaction. */
  public void execute(String... statements) throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  /** The first column of the first row, or null when there is no row. */
  public Object queryValue(String sql) throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getObject(1) : null;
    }
  }

  public long queryLong(String sql) throws SQLException {
    Object value = queryValue(sql);
    if (!(value instanceof Number)) {
      throw new IllegalStateException("Expected a number from `" + sql + "`, got " + value);
    }
    return ((Number) value).longValue();
  }

  /** The server's major version, e.g. 17. */
  public int serverMajorVersion() throws SQLException {
    return (int) (queryLong("SELECT current_setting('server_version_num')::int") / 10000);
  }

  /** Another fresh database on the same server, dropped with this one (e.g. a separate destination). */
  public TestDatabase createSibling(String suffix) throws SQLException {
    return Databases.create(server, name + "_" + suffix);
  }

  @Override
  public String toString() {
    return "TestDatabase[" + name + " on " + server.description() + "]";
  }
}

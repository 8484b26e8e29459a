package io.bemi.ingester;

import io.bemi.sql.CatalogSearchPath;
import io.bemi.sql.DatabaseUrl;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Properties;
import org.postgresql.Driver;
import org.postgresql.PGProperty;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A PostgreSQL database given as a JDBC URL ({@code jdbc:postgresql://host:5432/db?user=u&password=p})
 * or a libpq-style URI ({@code postgresql://user:pass@host:5432/db}), parsed by {@link DatabaseUrl},
 * with the connections the ingester opens on it. {@link #toString()} is the {@link DatabaseUrl}'s,
 * which never shows the password.
 */
public final class PostgresUrl {

  private final DatabaseUrl url;
  private final String jdbcUrl;
  private final String user;
  private final String password;
  private final Properties parsed;

  private PostgresUrl(DatabaseUrl url) {
    this.url = url;
    this.jdbcUrl = url.jdbcUrl();
    this.user = url.user();
    this.password = url.password();
    this.parsed = Driver.parseURL(jdbcUrl, new Properties());
    if (parsed == null) {
      throw new IllegalArgumentException("Not a PostgreSQL URL: " + url);
    }
  }

  /** Parses a JDBC URL or a {@code postgresql://} URI (see {@link DatabaseUrl}). */
  public static PostgresUrl parse(String text) {
    return new PostgresUrl(DatabaseUrl.parse(text));
  }

  /** The JDBC URL (may contain a password parameter; do not log it, log {@code this}). */
  public String jdbcUrl() {
    return jdbcUrl;
  }

  public String databaseName() {
    return parsed.getProperty(PGProperty.PG_DBNAME.getName());
  }

  /** Credentials from the URI, to pass beside the JDBC URL. */
  public Properties properties() {
    Properties props = new Properties();
    if (user != null) {
      props.setProperty("user", user);
    }
    if (password != null) {
      props.setProperty("password", password);
    }
    props.setProperty("ApplicationName", "bemi-ingester");
    return props;
  }

  /**
   * A connection whose unqualified names resolve in {@code pg_catalog} only, as every SQL session
   * of the ingester is, on the source and on the destination ({@link CatalogSearchPath}).
   */
  public Connection connect() throws SQLException {
    return connect(properties());
  }

  /** {@link #connect()} with more connection properties (start from {@link #properties()}). */
  public Connection connect(Properties properties) throws SQLException {
    return CatalogSearchPath.pin(DriverManager.getConnection(jdbcUrl, properties));
  }

  /** A connection in logical replication mode with the session settings the value mapping relies on. */
  public Connection connectForReplication() throws SQLException {
    Properties props = properties();
    PGProperty.REPLICATION.set(props, "database");
    PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
    PGProperty.PREFER_QUERY_MODE.set(props, "simple");
    return DriverManager.getConnection(jdbcUrl, props);
  }

  /** Connections as {@link #connect()} opens them (for Flyway, which sets its own search_path for each migration). */
  public PGSimpleDataSource dataSource() {
    PGSimpleDataSource ds = new PGSimpleDataSource() {
      @Override
      public Connection getConnection(String user, String password) throws SQLException {
        return CatalogSearchPath.pin(super.getConnection(user, password));
      }
    };
    ds.setURL(jdbcUrl);
    if (user != null) {
      ds.setUser(user);
    }
    if (password != null) {
      ds.setPassword(password);
    }
    ds.setApplicationName("bemi-ingester");
    return ds;
  }

  /** Whether both name the same database on the same server (as far as the URLs tell). */
  public boolean sameDatabaseAs(PostgresUrl other) {
    return Objects.equals(parsed.getProperty(PGProperty.PG_HOST.getName()), other.parsed.getProperty(PGProperty.PG_HOST.getName()))
        && Objects.equals(parsed.getProperty(PGProperty.PG_PORT.getName()), other.parsed.getProperty(PGProperty.PG_PORT.getName()))
        && Objects.equals(databaseName(), other.databaseName());
  }

  @Override
  public String toString() {
    return url.toString();
  }
}

package io.bemi.ingester;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
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
 * or a libpq-style URI ({@code postgresql://user:pass@host:5432/db}). {@link #toString()} never
 * shows the password.
 */
public final class PostgresUrl {

  private final String jdbcUrl;
  private final String user;
  private final String password;
  private final Properties parsed;

  private PostgresUrl(String jdbcUrl, String user, String password) {
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
    this.parsed = Driver.parseURL(jdbcUrl, new Properties());
    if (parsed == null) {
      throw new IllegalArgumentException("Not a PostgreSQL URL: " + redact(jdbcUrl));
    }
  }

  public static PostgresUrl parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty database URL");
    }
    String trimmed = text.trim();
    if (trimmed.startsWith("jdbc:postgresql:")) {
      return new PostgresUrl(trimmed, null, null);
    }
    if (trimmed.startsWith("postgresql://") || trimmed.startsWith("postgres://")) {
      URI uri;
      try {
        uri = new URI(trimmed);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("Not a valid URI: " + redact(trimmed));
      }
      String user = null;
      String password = null;
      if (uri.getRawUserInfo() != null) {
        String[] parts = uri.getRawUserInfo().split(":", 2);
        user = decode(parts[0]);
        password = parts.length > 1 ? decode(parts[1]) : null;
      }
      String host = uri.getHost() == null ? "localhost" : uri.getHost();
      String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
      String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
      return new PostgresUrl("jdbc:postgresql://" + host + port + path + query, user, password);
    }
    throw new IllegalArgumentException("Expected jdbc:postgresql://… or postgresql://user:pass@host:port/db, got "
        + redact(trimmed));
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
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

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl, properties());
  }

  /** A connection in logical replication mode with the session settings the value mapping relies on. */
  public Connection connectForReplication() throws SQLException {
    Properties props = properties();
    PGProperty.REPLICATION.set(props, "database");
    PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
    PGProperty.PREFER_QUERY_MODE.set(props, "simple");
    return DriverManager.getConnection(jdbcUrl, props);
  }

  public PGSimpleDataSource dataSource() {
    PGSimpleDataSource ds = new PGSimpleDataSource();
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

  static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("(://[^:/@]+:)[^@]*@", "$1***@");
  }

  @Override
  public String toString() {
    return redact(jdbcUrl) + (user != null ? " (user " + user + ")" : "");
  }
}

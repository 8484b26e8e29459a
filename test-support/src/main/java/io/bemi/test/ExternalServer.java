package io.bemi.test;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Properties;
import org.postgresql.Driver;

/**
 * A server the user runs, named by {@code BEMI_TEST_DATABASE_URL}: a JDBC URL
 * ({@code jdbc:postgresql://host:port/db?user=u&password=p}) or a URI
 * ({@code postgresql://u:p@host:port/db}). The named database is the maintenance database; each
 * test class gets its own database beside it, so the user needs CREATEDB and REPLICATION.
 */
final class ExternalServer implements PostgresServer {

  private final String host;
  private final int port;
  private final String database;
  private final String user;
  private final String password;

  private ExternalServer(String host, int port, String database, String user, String password) {
    this.host = host;
    this.port = port;
    this.database = database;
    this.user = user;
    this.password = password;
  }

  static ExternalServer parse(String url) {
    String jdbc = url.startsWith("jdbc:") ? url : toJdbc(url);
    Properties props = Driver.parseURL(jdbc, new Properties());
    if (props == null) {
      throw new IllegalArgumentException("BEMI_TEST_DATABASE_URL is not a PostgreSQL URL: expected "
          + "jdbc:postgresql://host:port/db?user=u&password=p or postgresql://u:p@host:port/db");
    }
    return new ExternalServer(
        props.getProperty("PGHOST", "localhost").split(",")[0],
        Integer.parseInt(props.getProperty("PGPORT", "5432").split(",")[0]),
        props.getProperty("PGDBNAME", "postgres"),
        props.getProperty("user", System.getProperty("user.name")),
        props.getProperty("password", ""));
  }

  private static String toJdbc(String uri) {
    try {
      URI u = new URI(uri);
      if (!"postgresql".equals(u.getScheme()) && !"postgres".equals(u.getScheme())) {
        throw new IllegalArgumentException("BEMI_TEST_DATABASE_URL must start with jdbc:postgresql:// or postgresql://");
      }
      StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(u.getHost());
      if (u.getPort() > 0) {
        jdbc.append(':').append(u.getPort());
      }
      jdbc.append(u.getPath() == null || u.getPath().isEmpty() ? "/postgres" : u.getPath());
      String userInfo = u.getUserInfo();
      if (userInfo != null) {
        String[] parts = userInfo.split(":", 2);
        jdbc.append("?user=").append(parts[0]);
        if (parts.length > 1) {
          jdbc.append("&password=").append(parts[1]);
        }
      }
      return jdbc.toString();
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("BEMI_TEST_DATABASE_URL is not a valid URI: " + e.getMessage(), e);
    }
  }

  @Override
  public String baseJdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/";
  }

  @Override
  public String user() {
    return user;
  }

  @Override
  public String password() {
    return password;
  }

  @Override
  public String maintenanceDatabase() {
    return database;
  }

  @Override
  public String description() {
    return "external PostgreSQL at " + host + ":" + port;
  }

  @Override
  public void close() {
    // The user's server outlives the tests.
  }
}

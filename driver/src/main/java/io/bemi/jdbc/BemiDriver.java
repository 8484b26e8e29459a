package io.bemi.jdbc;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * The {@code jdbc:bemi:postgresql://…} driver: connects through pgjdbc at
 * {@code jdbc:postgresql://…} and wraps the connection (see {@link BemiJdbc}).
 *
 * <p>{@code bemi.*} URL parameters and connection properties configure this driver and are not
 * passed to pgjdbc; everything else is. Registered with {@link DriverManager} through
 * {@code META-INF/services/java.sql.Driver} and when this class is initialised.
 */
public final class BemiDriver implements Driver {

  public static final String URL_PREFIX = "jdbc:bemi:postgresql:";
  private static final int BEMI_PART = "bemi:".length();
  private static final String PGJDBC_DRIVER = "org.postgresql.Driver";

  static {
    try {
      DriverManager.registerDriver(new BemiDriver());
    } catch (SQLException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private volatile Driver pgjdbc;

  @Override
  public boolean acceptsURL(String url) {
    return url != null && url.startsWith(URL_PREFIX);
  }

  @Override
  public Connection connect(String url, Properties info) throws SQLException {
    if (!acceptsURL(url)) {
      return null;
    }
    Target target = checkedTarget(url, info);
    Connection connection;
    try {
      connection = pgjdbc(target.url).connect(target.url, target.pgjdbcProperties);
    } catch (SQLException e) {
      throw redacted(e);
    }
    if (connection == null) {
      throw new SQLException("pgjdbc did not accept " + redact(target.url) + " (from " + redact(url) + ")", "08001");
    }
    try {
      return Session.wrap(connection, target.options);
    } catch (RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  @Override
  public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
    if (!acceptsURL(url)) {
      return new DriverPropertyInfo[0];
    }
    Target target = checkedTarget(url, info);
    List<DriverPropertyInfo> all = new ArrayList<>(Arrays.asList(pgjdbc(target.url)
        .getPropertyInfo(target.url, target.pgjdbcProperties)));
    all.add(property(BemiOptions.ENABLED, String.valueOf(target.options.enabled()), "Emit the context before writes"));
    all.add(property(BemiOptions.INCLUDE_SQL, String.valueOf(target.options.includeSql()),
        "Add the statement text to the context under \"SQL\""));
    all.add(property(BemiOptions.MAX_CONTEXT_BYTES, String.valueOf(target.options.maxContextBytes()),
        "Larger contexts are reduced to a _bemi_truncated marker and their identifying keys"));
    all.add(property(BemiOptions.CONTEXT_FOR, target.options.allStatements() ? "all" : "writes",
        "`writes` (INSERT, UPDATE, DELETE, MERGE, TRUNCATE, COPY FROM, CALL, DO, writable CTEs) or `all` statements"));
    return all.toArray(new DriverPropertyInfo[0]);
  }

  private static DriverPropertyInfo property(String name, String value, String description) {
    DriverPropertyInfo info = new DriverPropertyInfo(name, value);
    info.description = description;
    return info;
  }

  @Override
  public int getMajorVersion() {
    return 0;
  }

  @Override
  public int getMinorVersion() {
    return 1;
  }

  /** pgjdbc is not JDBC compliant by the specification's definition either. */
  @Override
  public boolean jdbcCompliant() {
    return false;
  }

  @Override
  public Logger getParentLogger() {
    return Logger.getLogger("io.bemi");
  }

  /** Where and how to connect: pgjdbc's URL and properties, and our options. */
  record Target(String url, Properties pgjdbcProperties, BemiOptions options) {
    /** Never the properties: they hold the password. */
    @Override
    public String toString() {
      return "Target[" + redact(url) + ", " + options + "]";
    }
  }

  /**
   * Splits a {@code jdbc:bemi:postgresql:} URL: the {@code bemi:} part is cut out by position and
   * {@code bemi.*} query parameters are removed (the others stay exactly as written). URL
   * parameters win over properties of the same name, as in pgjdbc.
   */
  static Target target(String url, Properties info) {
    String rest = url.substring(0, "jdbc:".length()) + url.substring("jdbc:".length() + BEMI_PART);
    Properties options = new Properties();
    Properties pgjdbcProperties = new Properties();
    if (info != null) {
      for (String name : info.stringPropertyNames()) {
        (name.startsWith(BemiOptions.PREFIX) ? options : pgjdbcProperties).setProperty(name, info.getProperty(name));
      }
    }
    int query = rest.indexOf('?');
    if (query < 0) {
      return new Target(rest, pgjdbcProperties, optionsFrom(options, url));
    }
    StringBuilder kept = new StringBuilder(rest.length()).append(rest, 0, query);
    char separator = '?';
    for (String parameter : rest.substring(query + 1).split("&", -1)) {
      int equals = parameter.indexOf('=');
      String name = decode(equals < 0 ? parameter : parameter.substring(0, equals), url);
      if (name.startsWith(BemiOptions.PREFIX)) {
        options.setProperty(name, equals < 0 ? "true" : decode(parameter.substring(equals + 1), url));
      } else if (!parameter.isEmpty()) {
        kept.append(separator).append(parameter);
        separator = '&';
      }
    }
    return new Target(kept.toString(), pgjdbcProperties, optionsFrom(options, url));
  }

  /**
   * {@link #target} for {@link Driver}'s methods, which report a bad URL or option as an
   * {@code SQLException} (SQLState 22023, invalid parameter value, as pgjdbc reports its own bad
   * property values).
   */
  private static Target checkedTarget(String url, Properties info) throws SQLException {
    try {
      return target(url, info);
    } catch (IllegalArgumentException e) {
      throw new SQLException(e.getMessage(), "22023"); // the message is all there is (and holds no password)
    }
  }

  private static BemiOptions optionsFrom(Properties options, String url) {
    try {
      return BemiOptions.from(options);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + " (in " + redact(url) + ")", e);
    }
  }

  /**
   * {@code url} fit for an error message or a log line: the value of every parameter whose name
   * contains {@code password} ({@code password}, {@code sslpassword}…) and the user information
   * before an {@code @} become {@code ***}.
   */
  static String redact(String url) {
    return url.replaceAll("(?i)([?&;][^=&;]*password[^=&;]*=)[^&;]*", "$1***")
        .replaceAll("(//)[^/?#]*@", "$1***@");
  }

  /**
   * pgjdbc repeats the URL in some errors ("Unable to parse URL …"): the same error, with the
   * password in its text redacted (and no cause, which would repeat it).
   */
  private static SQLException redacted(SQLException e) {
    String message = e.getMessage();
    if (message == null || message.equals(redact(message))) {
      return e;
    }
    SQLException copy = new SQLException(redact(message), e.getSQLState(), e.getErrorCode());
    copy.setStackTrace(e.getStackTrace());
    return copy;
  }

  /** A URL-decoded parameter part; a malformed escape is reported without the text around it. */
  private static String decode(String s, String url) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("A parameter of the jdbc:bemi URL has a malformed %-escape (in "
          + redact(url) + "); encode '%' as %25");
    }
  }

  /** pgjdbc's driver, found once: through DriverManager, else loaded by name. Never this driver. */
  private Driver pgjdbc(String url) throws SQLException {
    Driver driver = pgjdbc;
    if (driver != null) {
      return driver;
    }
    try {
      driver = DriverManager.getDriver(url);
    } catch (SQLException notRegistered) {
      driver = loadByName(notRegistered);
    }
    if (driver instanceof BemiDriver) {
      throw new SQLException("Found the Bemi driver where pgjdbc was expected for " + redact(url), "08001");
    }
    pgjdbc = driver;
    return driver;
  }

  private static Driver loadByName(SQLException notRegistered) throws SQLException {
    List<ClassLoader> loaders = new ArrayList<>();
    loaders.add(Thread.currentThread().getContextClassLoader());
    loaders.add(BemiDriver.class.getClassLoader());
    for (ClassLoader loader : loaders) {
      try {
        Class<?> type = Class.forName(PGJDBC_DRIVER, true, loader);
        return (Driver) type.getDeclaredConstructor().newInstance();
      } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
        notRegistered.addSuppressed(e);
      }
    }
    throw new SQLException("The PostgreSQL JDBC driver (org.postgresql:postgresql) is not on the class path; "
        + "jdbc:bemi:postgresql needs it beside bemi-driver", "08001", notRegistered);
  }
}

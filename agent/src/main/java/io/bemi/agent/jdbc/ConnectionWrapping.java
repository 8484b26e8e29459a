package io.bemi.agent.jdbc;

import io.bemi.agent.hooks.ConnectionHook;
import io.bemi.agent.core.AgentLog;
import io.bemi.agent.core.DriverApi;
import java.sql.Connection;
import java.util.Locale;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * Wraps the connections pgjdbc hands out with the driver's wrappers ({@code io.bemi.jdbc.BemiJdbc.wrap}), at the
 * three places pgjdbc hands them out. Only connections that reach application code are wrapped:
 * physical connections behind pgjdbc's own {@code PooledConnection}/{@code XAConnection} must stay
 * pgjdbc's ({@code PGXAConnection} casts them to {@code BaseConnection}), so those are wrapped when
 * their pooled handle is handed out instead.
 */
public final class ConnectionWrapping implements ConnectionHook {

  private static final StackWalker STACK = StackWalker.getInstance();

  private final Properties driverProperties;
  private final boolean faultInjection;

  public ConnectionWrapping(Properties driverProperties, boolean faultInjection) {
    this.driverProperties = driverProperties;
    this.faultInjection = faultInjection;
  }

  @Override
  public Object driverConnected(Object connection, String url, Properties info) {
    injectFault();
    if (isReplication(url, info)) {
      return connection; // the replication protocol carries no writes to describe
    }
    return wrap(connection);
  }

  @Override
  public Object dataSourceConnected(Object connection, Object dataSource) {
    injectFault();
    // PGConnectionPoolDataSource and PGXADataSource are not DataSources: their physical connections stay raw.
    return dataSource instanceof DataSource ? wrap(connection) : connection;
  }

  @Override
  public Object pooledConnectionHandedOut(Object connection) {
    injectFault();
    return wrap(connection);
  }

  private Object wrap(Object connection) {
    if (!(connection instanceof Connection pg)) {
      return connection;
    }
    try {
      DriverApi api = DriverApi.get();
      if (api.isWrapped(pg) || openedByBemiDriver()) {
        return connection; // jdbc:bemi: wraps it itself, with its URL's options
      }
      return api.wrap(pg, driverProperties);
    } catch (RuntimeException | LinkageError e) {
      AgentLog.failedOnce("wrapping a pgjdbc connection", e);
      return connection;
    }
  }

  /** True when the {@code jdbc:bemi:} driver (or other Bemi code outside the agent) is opening this connection. */
  private static boolean openedByBemiDriver() {
    return STACK.walk(frames -> frames.anyMatch(frame -> {
      String name = frame.getClassName();
      return name.startsWith("io.bemi.") && !name.startsWith("io.bemi.agent.");
    }));
  }

  static boolean isReplication(String url, Properties info) {
    if (info != null && info.getProperty("replication") != null) {
      return true;
    }
    return url != null && url.toLowerCase(Locale.ROOT).contains("replication=");
  }

  private void injectFault() {
    if (faultInjection) {
      throw new IllegalStateException("bemi-agent fault injection (faultInjection=true)");
    }
  }
}

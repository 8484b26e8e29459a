package io.bemi.agent.hooks;

import java.util.Properties;

/** Turns a pgjdbc connection into what the application should get (the driver's wrapper, or the same object). */
public interface ConnectionHook {

  ConnectionHook NONE = new ConnectionHook() {
    @Override
    public Object driverConnected(Object connection, String url, Properties info) {
      return connection;
    }

    @Override
    public Object dataSourceConnected(Object connection, Object dataSource) {
      return connection;
    }

    @Override
    public Object pooledConnectionHandedOut(Object connection) {
      return connection;
    }
  };

  /** {@code org.postgresql.Driver.connect} returned {@code connection} (null when the URL was not pgjdbc's). */
  Object driverConnected(Object connection, String url, Properties info);

  /** {@code BaseDataSource.getConnection(user, password)} of {@code dataSource} returned {@code connection}. */
  Object dataSourceConnected(Object connection, Object dataSource);

  /** {@code PGPooledConnection.getConnection()} returned the handle {@code connection}. */
  Object pooledConnectionHandedOut(Object connection);
}

package io.bemi.jdbc;

import java.sql.Connection;
import java.sql.DatabaseMetaData;

/** Metadata whose {@code getConnection()} answers the application's connection, not pgjdbc's. */
final class BemiDatabaseMetaData extends DelegatingDatabaseMetaData {

  private final Connection connection;

  BemiDatabaseMetaData(Connection connection, DatabaseMetaData delegate) {
    super(delegate);
    this.connection = connection;
  }

  @Override
  public Connection getConnection() {
    return connection;
  }
}

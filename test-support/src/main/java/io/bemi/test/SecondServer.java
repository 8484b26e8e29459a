package io.bemi.test;

import java.sql.SQLException;

/**
 * Another embedded PostgreSQL beside the test JVM's server (same binaries, logical replication on),
 * for tests of several sources; stopped, with its databases, on {@link #close()}.
 */
public final class SecondServer implements AutoCloseable {

  private final EmbeddedServer server = EmbeddedServer.start();

  public static SecondServer start() {
    return new SecondServer();
  }

  public TestDatabase createDatabase(String name) throws SQLException {
    return Databases.create(server, name);
  }

  @Override
  public void close() {
    server.close();
  }

  @Override
  public String toString() {
    return server.description();
  }
}

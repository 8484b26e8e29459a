package io.bemi.test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/** Creates and drops per-class databases, and tracks the ones to drop. */
final class Databases {

  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private static final List<String> CREATED = new ArrayList<>();

  private Databases() {}

  static String nameFor(Class<?> testClass) {
    String simple = testClass.getSimpleName().toLowerCase().replaceAll("[^a-z0-9]", "");
    if (simple.length() > 40) {
      simple = simple.substring(0, 40);
    }
    return "t" + ProcessHandle.current().pid() + "_" + SEQUENCE.incrementAndGet() + "_" + simple;
  }

  static TestDatabase create(PostgresServer server, String name) throws SQLException {
    try (Connection c = maintenance(server); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE \"" + name + "\"");
    }
    synchronized (CREATED) {
      CREATED.add(name);
    }
    return new TestDatabase(server, name);
  }

  /** Drops the database with its siblings, first dropping the replication slots that pin it. */
  static void dropWithSiblings(PostgresServer server, String name) throws SQLException {
    List<String> names = new ArrayList<>();
    synchronized (CREATED) {
      for (String created : CREATED) {
        if (created.equals(name) || created.startsWith(name + "_")) {
          names.add(created);
        }
      }
      CREATED.removeAll(names);
    }
    try (Connection c = maintenance(server); Statement s = c.createStatement()) {
      for (String db : names) {
        s.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots "
            + "WHERE database = '" + db + "' AND active_pid IS NOT NULL");
        dropSlots(s, db);
        s.execute("DROP DATABASE IF EXISTS \"" + db + "\" WITH (FORCE)");
      }
    }
  }

  private static void dropSlots(Statement s, String db) throws SQLException {
    SQLException last = null;
    for (int attempt = 0; attempt < 50; attempt++) {
      try {
        s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '" + db + "'");
        return;
      } catch (SQLException e) { // a terminated walsender may still hold the slot for a moment
        last = e;
        try {
          Thread.sleep(100);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
    throw last;
  }

  private static Connection maintenance(PostgresServer server) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", server.user());
    props.setProperty("password", server.password());
    return DriverManager.getConnection(server.baseJdbcUrl() + server.maintenanceDatabase(), props);
  }
}

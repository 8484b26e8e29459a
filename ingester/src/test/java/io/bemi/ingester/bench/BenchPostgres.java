package io.bemi.ingester.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/** A throwaway embedded PostgreSQL with logical replication, for benchmarks (same settings as the tests). */
final class BenchPostgres implements AutoCloseable {

  final EmbeddedPostgres postgres;
  final String database;

  private BenchPostgres(EmbeddedPostgres postgres, String database) {
    this.postgres = postgres;
    this.database = database;
  }

  static BenchPostgres start(String database) throws Exception {
    EmbeddedPostgres postgres = EmbeddedPostgres.builder()
        .setPGStartupWait(Duration.ofSeconds(60))
        .setServerConfig("wal_level", "logical")
        .setServerConfig("max_replication_slots", "10")
        .setServerConfig("max_wal_senders", "10")
        .setServerConfig("fsync", "off")
        // zonky defaults to synchronous_commit=off: commits would reach the WAL (and the walsender) only
        // when the WAL writer flushes, every 200 ms. Production servers commit synchronously.
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("full_page_writes", "off")
        .setServerConfig("max_wal_size", "4GB")
        .setServerConfig("timezone", "UTC")
        .start();
    try (Connection c = DriverManager.getConnection(postgres.getJdbcUrl("postgres", "postgres"));
         Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + database);
    }
    return new BenchPostgres(postgres, database);
  }

  String uri() {
    return "postgresql://postgres:postgres@localhost:" + postgres.getPort() + "/" + database;
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(postgres.getJdbcUrl("postgres", database));
  }

  void execute(String... statements) throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  String queryString(String sql) throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Override
  public void close() throws Exception {
    postgres.close();
  }
}

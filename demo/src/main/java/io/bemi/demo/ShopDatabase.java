package io.bemi.demo;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The demo's PostgreSQL 17: zonky's embedded server, configured for logical replication, with a
 * database {@value #DATABASE} for the shop. Its data lives in {@code <data dir>/postgres}.
 */
final class ShopDatabase implements AutoCloseable {

  static final String DATABASE = "shop";
  static final String USER = "postgres";

  /** What the ingester needs (logical decoding) plus UTC so stored timestamps read the same everywhere. */
  private static final Map<String, String> SERVER_SETTINGS = Map.of(
      "wal_level", "logical",
      "max_replication_slots", "10",
      "max_wal_senders", "10",
      "timezone", "UTC");

  private final EmbeddedPostgres postgres;
  private final Path pgData;

  private ShopDatabase(EmbeddedPostgres postgres, Path pgData) {
    this.postgres = postgres;
    this.pgData = pgData;
  }

  /** Starts the server on {@code dataDir/postgres} (initialised on first use) and creates the shop database. */
  static ShopDatabase start(Path dataDir, int port) {
    Path pgData = dataDir.resolve("postgres");
    refuseIfStillRunning(pgData);
    EmbeddedPostgres postgres;
    try {
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
          .setDataDirectory(pgData)
          .setCleanDataDirectory(false)
          // The demo stops PostgreSQL itself, after the processes that use it.
          .setRegisterShutdownHook(false)
          .setPGStartupWait(Duration.ofSeconds(60))
          .setOutputRedirector(ProcessBuilder.Redirect.appendTo(logFile(dataDir).toFile()))
          .setErrorRedirector(ProcessBuilder.Redirect.appendTo(logFile(dataDir).toFile()));
      if (port > 0) {
        builder.setPort(port);
      }
      SERVER_SETTINGS.forEach(builder::setServerConfig);
      postgres = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start the embedded PostgreSQL in " + pgData + ": " + e.getMessage()
          + " (its log: " + logFile(dataDir) + ")", e);
    }
    ShopDatabase database = new ShopDatabase(postgres, pgData);
    database.createShopDatabaseIfMissing();
    return database;
  }

  /** PostgreSQL's own log (initdb, server), kept out of the demo's output. */
  static Path logFile(Path dataDir) {
    return dataDir.resolve("postgres.log");
  }

  /** A server left behind by a killed demo holds the data directory; say how to stop it. */
  private static void refuseIfStillRunning(Path pgData) {
    Optional<Long> pid = postmasterPid(pgData);
    if (pid.isPresent() && ProcessHandle.of(pid.get()).map(ProcessHandle::isAlive).orElse(false)) {
      throw new IllegalStateException("A PostgreSQL (pid " + pid.get() + ") still runs on " + pgData
          + ", probably left by a demo that was killed. Stop it with: kill " + pid.get());
    }
  }

  /** The postmaster's pid from {@code postmaster.pid}, present while the server runs. */
  static Optional<Long> postmasterPid(Path pgData) {
    Path pidFile = pgData.resolve("postmaster.pid");
    try {
      List<String> lines = Files.readAllLines(pidFile);
      return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private void createShopDatabaseIfMissing() {
    try (Connection connection = DriverManager.getConnection(jdbcUrl("postgres"));
        Statement statement = connection.createStatement()) {
      try (ResultSet rows = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
        if (rows.next()) {
          return;
        }
      }
      statement.execute("CREATE DATABASE " + DATABASE);
    } catch (SQLException e) {
      throw new IllegalStateException("Could not create the database " + DATABASE + ": " + e.getMessage(), e);
    }
  }

  /** Whether the ingester has created its destination table yet. */
  boolean hasChangesTable() throws SQLException {
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT to_regclass('bemi.changes') IS NOT NULL")) {
      return rows.next() && rows.getBoolean(1);
    }
  }

  int port() {
    return postgres.getPort();
  }

  Path pgData() {
    return pgData;
  }

  /** {@code jdbc:postgresql://localhost:PORT/shop?user=postgres} (the server trusts local connections). */
  String jdbcUrl() {
    return jdbcUrl(DATABASE);
  }

  private String jdbcUrl(String database) {
    return "jdbc:postgresql://localhost:" + port() + "/" + database + "?user=" + USER;
  }

  /** The same database through Bemi's driver, so writes carry the application's context. */
  String bemiJdbcUrl() {
    return "jdbc:bemi:" + jdbcUrl().substring("jdbc:".length());
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl());
  }

  /** Stops the server with {@code pg_ctl stop -m fast}; the data directory stays. */
  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return "embedded PostgreSQL on port " + port() + ", data in " + pgData;
  }
}

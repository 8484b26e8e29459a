package io.bemi.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL 17 server whose postmaster this process owns, so a scenario can stop it the way an
 * operator or a crash would and start it again on the same port and data directory.
 *
 * <p>zonky's {@link EmbeddedPostgres} cannot restart an instance, so each start is a new instance
 * over the same data directory and port (zonky runs initdb only when the directory is empty).
 * Shutdown modes are the postmaster's signals, as {@code pg_ctl stop -m} sends them:
 * SIGINT = fast (abort sessions, checkpoint), SIGQUIT = immediate (no checkpoint; crash recovery
 * on the next start).
 */
final class PgServer implements AutoCloseable {

  enum Shutdown { FAST, IMMEDIATE }

  private final String name;
  private final Path dataDirectory;
  private final int port;
  private EmbeddedPostgres postmaster;

  private PgServer(String name, Path dataDirectory, int port) {
    this.name = name;
    this.dataDirectory = dataDirectory;
    this.port = port;
  }

  static PgServer create(String name) throws Exception {
    Path dir = Files.createTempDirectory("bemi-bench-" + name);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    PgServer server = new PgServer(name, dir, port);
    server.start();
    return server;
  }

  int port() {
    return port;
  }

  /** Starts the postmaster on the existing data directory (initdb only the first time) and port. */
  synchronized void start() throws Exception {
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setDataDirectory(dataDirectory)
        .setCleanDataDirectory(false).setPort(port).setPGStartupWait(Duration.ofSeconds(120));
    // synchronous_commit=on (zonky's default is off): an immediate shutdown must not lose commits the
    // writer saw acknowledged, or the ledger would blame the ingester for the server's loss.
    // fsync=off is harmless here: the WAL still reaches the OS before COMMIT returns; only an OS crash could lose it.
    Map.of("synchronous_commit", "on", "wal_level", "logical", "max_replication_slots", "20", "max_wal_senders", "20",
        "fsync", "off", "full_page_writes", "off", "timezone", "UTC", "max_wal_size", "2GB", "shared_buffers", "128MB")
        .forEach(builder::setServerConfig);
    postmaster = builder.start();
  }

  /** Stops the postmaster with the signal {@code pg_ctl stop -m} would send and waits until it is gone. */
  synchronized void stop(Shutdown mode) throws Exception {
    long pid = Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0).trim());
    ProcessHandle process = ProcessHandle.of(pid).orElseThrow();
    String signal = mode == Shutdown.FAST ? "INT" : "QUIT";
    new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).inheritIO().start().waitFor();
    process.onExit().get(60, TimeUnit.SECONDS);
    while (portOpen()) {
      Thread.sleep(50);
    }
    try {
      postmaster.close(); // releases zonky's lock on the directory; its own pg_ctl stop finds nothing to stop
    } catch (Exception e) {
      // expected: the server is already down
    }
    postmaster = null;
  }

  private boolean portOpen() {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
  }

  String uri(String database) {
    return uri(database, port);
  }

  /** The URI of a database on this server as seen through another port (a proxy). */
  static String uri(String database, int port) {
    return "postgresql://postgres@127.0.0.1:" + port + "/" + database;
  }

  Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(database));
  }

  void createDatabase(String database) throws SQLException {
    execute("postgres", "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)", "CREATE DATABASE " + database);
  }

  void execute(String database, String... statements) throws SQLException {
    try (Connection c = connect(database); Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  long queryLong(String database, String sql) throws SQLException {
    try (Connection c = connect(database); Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Override
  public synchronized void close() throws Exception {
    if (postmaster != null) {
      stop(Shutdown.FAST);
    }
    try (var files = Files.walk(dataDirectory)) {
      files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
  }

  @Override
  public String toString() {
    return name + " PostgreSQL on port " + port;
  }
}

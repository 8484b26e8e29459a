package io.bemi.test;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * A primary and a streaming physical standby on loopback (zonky's embedded binaries, the version
 * the build chose), for failover tests. The standby is made from a low-level base backup
 * ({@code pg_backup_start}/{@code pg_backup_stop} and a file copy: zonky's bundle has no
 * pg_basebackup) and streams from the physical slot {@value #STANDBY_SLOT}, with
 * {@code hot_standby_feedback} and, on PostgreSQL 17+, {@code sync_replication_slots = on} and the
 * primary's {@code synchronized_standby_slots} naming that slot: what failover slots need.
 *
 * <p>{@link #failOver()} stops the primary (fast: its walsenders send everything first) and
 * promotes the standby; {@link #jdbcUrl} lists both hosts with {@code targetServerType=primary}, so
 * clients follow the promotion.
 */
public final class PrimaryAndStandby implements AutoCloseable {

  public static final String STANDBY_SLOT = "bemi_standby";
  /** Copied by pg_basebackup neither: server state of the running primary. */
  private static final Set<String> SKIPPED = Set.of("postmaster.pid", "postmaster.opts", "epg-lock",
      "standby.signal", "recovery.signal", "backup_label", "tablespace_map");
  private static final Set<String> EMPTIED = Set.of("pg_wal", "pg_replslot", "pg_stat_tmp", "pg_notify",
      "pg_serial", "pg_snapshots", "pg_subtrans", "pg_dynshmem");

  private final Path primaryDirectory;
  private final Path standbyDirectory;
  private final int primaryPort;
  private final int standbyPort;
  private EmbeddedPostgres primary;
  private EmbeddedPostgres standby;
  private final int majorVersion;

  private PrimaryAndStandby(Path primaryDirectory, Path standbyDirectory, int primaryPort, int standbyPort,
      EmbeddedPostgres primary, int majorVersion) {
    this.primaryDirectory = primaryDirectory;
    this.standbyDirectory = standbyDirectory;
    this.primaryPort = primaryPort;
    this.standbyPort = standbyPort;
    this.primary = primary;
    this.majorVersion = majorVersion;
  }

  /** Starts the primary, makes the standby from a base backup and waits until it streams. */
  public static PrimaryAndStandby start() {
    try {
      Path root = Files.createTempDirectory("bemi-failover");
      Path primaryDir = root.resolve("primary");
      Path standbyDir = root.resolve("standby");
      int primaryPort = freePort();
      int standbyPort = freePort();
      EmbeddedPostgres primary = postgres(primaryDir, primaryPort);
      int major;
      try (Connection c = connect(primaryPort, "postgres")) {
        major = c.getMetaData().getDatabaseMajorVersion();
      }
      PrimaryAndStandby pair = new PrimaryAndStandby(primaryDir, standbyDir, primaryPort, standbyPort, primary, major);
      pair.makeStandby();
      return pair;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (SQLException e) {
      throw new IllegalStateException("Could not build the primary and standby: " + e.getMessage(), e);
    }
  }

  private void makeStandby() throws IOException, SQLException {
    try (Connection c = connect(primaryPort, "postgres"); Statement s = c.createStatement()) {
      s.execute("SELECT pg_create_physical_replication_slot('" + STANDBY_SLOT + "', true)");
      s.execute(majorVersion >= 15 ? "SELECT pg_backup_start('bemi-standby', true)"
          : "SELECT pg_start_backup('bemi-standby', true, false)");
      copyDataDirectory(primaryDirectory, standbyDirectory);
      try (ResultSet rs = s.executeQuery(majorVersion >= 15 ? "SELECT labelfile FROM pg_backup_stop(false)"
          : "SELECT labelfile FROM pg_stop_backup(false, false)")) {
        rs.next();
        Files.writeString(standbyDirectory.resolve("backup_label"), rs.getString(1));
      }
      if (majorVersion >= 17) {
        s.execute("ALTER SYSTEM SET synchronized_standby_slots = '" + STANDBY_SLOT + "'");
        s.execute("SELECT pg_reload_conf()");
      }
    }
    String settings = "\nprimary_conninfo = 'host=127.0.0.1 port=" + primaryPort
        + " user=postgres password=postgres dbname=postgres application_name=bemi_standby'\n"
        + "primary_slot_name = '" + STANDBY_SLOT + "'\nhot_standby_feedback = on\n"
        + (majorVersion >= 17 ? "sync_replication_slots = on\n" : "");
    Files.writeString(standbyDirectory.resolve("postgresql.auto.conf"), settings,
        java.nio.file.StandardOpenOption.APPEND);
    Files.createFile(standbyDirectory.resolve("standby.signal"));
    standby = postgres(standbyDirectory, standbyPort);
    await(() -> queryLong(primaryPort, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") > 0,
        Duration.ofSeconds(60), "the standby streams");
  }

  public int majorVersion() {
    return majorVersion;
  }

  public int primaryPort() {
    return primaryPort;
  }

  public int standbyPort() {
    return standbyPort;
  }

  /** Both hosts, primary first, {@code targetServerType=primary}: clients reach whichever is the primary. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + primaryPort + ",127.0.0.1:" + standbyPort + "/" + database
        + "?targetServerType=primary&user=postgres&password=postgres";
  }

  public Connection connectPrimary(String database) throws SQLException {
    return connect(primaryPort, database);
  }

  public Connection connectStandby(String database) throws SQLException {
    return connect(standbyPort, database);
  }

  /** Waits until the standby has replayed everything the primary wrote so far. */
  public void awaitStandbyReplayed() throws SQLException {
    long target = queryLong(primaryPort, "SELECT pg_current_wal_lsn() - '0/0'");
    await(() -> queryLong(standbyPort, "SELECT pg_last_wal_replay_lsn() - '0/0'") >= target, Duration.ofSeconds(60),
        "the standby replays up to the primary's position");
  }

  /** Stops the primary (fast shutdown) and promotes the standby; waits until it accepts writes. */
  public void failOver() throws SQLException {
    try {
      primary.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    primary = null;
    try (Connection c = connect(standbyPort, "postgres"); Statement s = c.createStatement()) {
      s.execute("SELECT pg_promote(true, 60)");
    }
  }

  @Override
  public void close() {
    for (EmbeddedPostgres server : new EmbeddedPostgres[] {standby, primary}) {
      if (server != null) {
        try {
          server.close();
        } catch (IOException | RuntimeException e) {
          // already stopped
        }
      }
    }
    deleteQuietly(primaryDirectory.getParent());
  }

  private static EmbeddedPostgres postgres(Path directory, int port) throws IOException {
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setDataDirectory(directory)
        .setCleanDataDirectory(false).setPort(port).setPGStartupWait(Duration.ofSeconds(60));
    ServerSettings.LOGICAL_REPLICATION.forEach(builder::setServerConfig);
    builder.setServerConfig("wal_keep_size", "256MB");
    return builder.start();
  }

  private static void copyDataDirectory(Path from, Path to) throws IOException {
    Files.walkFileTree(from, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        Files.createDirectories(to.resolve(from.relativize(dir)));
        return dir.equals(from) || !EMPTIED.contains(dir.getFileName().toString()) ? FileVisitResult.CONTINUE
            : FileVisitResult.SKIP_SUBTREE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (!SKIPPED.contains(file.getFileName().toString())) {
          try {
            Files.copy(file, to.resolve(from.relativize(file)), StandardCopyOption.REPLACE_EXISTING);
          } catch (NoSuchFileException vanished) {
            // removed while copying (a temporary file): the WAL replay recreates what matters
          }
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) {
        return FileVisitResult.CONTINUE;
      }
    });
    Files.createDirectories(to.resolve("pg_wal/archive_status"));
    Files.setPosixFilePermissions(to, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
  }

  private static Connection connect(int port, String database) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, "postgres", "postgres");
  }

  private static long queryLong(int port, String sql) {
    try (Connection c = connect(port, "postgres"); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** Polls until the condition holds (false or an exception: not yet). */
  public static void await(BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException notYet) {
        // e.g. the server is restarting
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Not within " + timeout.toSeconds() + " s: " + what);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void deleteQuietly(Path root) {
    try (var files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory: the OS cleans it eventually
    }
  }
}

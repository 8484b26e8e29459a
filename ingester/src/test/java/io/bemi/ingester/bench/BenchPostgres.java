package io.bemi.ingester.bench;

import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.setup.SourceSetup;
import io.bemi.sql.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/**
 * A throwaway database for benchmarks: on an embedded PostgreSQL with logical replication (same
 * settings as the tests), or a fresh database on a server the user runs ({@link #onServer}).
 */
final class BenchPostgres implements AutoCloseable {

  private final EmbeddedPostgres postgres; // null on a server the user runs
  private final String host;
  private final int port;
  private final String user;
  private final String password;
  final String database;

  private BenchPostgres(EmbeddedPostgres postgres, String host, int port, String user, String password, String database) {
    this.postgres = postgres;
    this.host = host;
    this.port = port;
    this.user = user;
    this.password = password;
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
    BenchPostgres pg = new BenchPostgres(postgres, "localhost", postgres.getPort(), "postgres", "postgres", database);
    pg.maintenance("CREATE DATABASE " + database);
    return pg;
  }

  /**
   * A new database {@code database} on the server of {@code uri} ({@code postgresql://user:pass@host:port/db},
   * a user who may create databases), dropped again by {@link #close()}. Its processes are sampled
   * by {@link ProcessCpu} only when the server runs on this machine.
   */
  static BenchPostgres onServer(String uri, String database) throws Exception {
    URI u = new URI(uri);
    String[] userInfo = u.getUserInfo() == null ? new String[] {"postgres"} : u.getUserInfo().split(":", 2);
    BenchPostgres pg = new BenchPostgres(null, u.getHost(), u.getPort() > 0 ? u.getPort() : 5432, userInfo[0],
        userInfo.length > 1 ? userInfo[1] : "", database);
    pg.maintenance("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    pg.maintenance("CREATE DATABASE " + database);
    return pg;
  }

  int port() {
    return port;
  }

  String uri() {
    return "postgresql://" + user + ":" + password + "@" + host + ":" + port + "/" + database;
  }

  Connection connect() throws SQLException {
    return connect(database);
  }

  private Connection connect(String db) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + db, user, password);
  }

  private void maintenance(String sql) throws SQLException {
    try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /**
   * Migrates this database's trail and runs {@code -Dbench.alter}'s statements (separated by
   * {@code ;}) on it, when given: a benchmark then measures a variant of the layout.
   */
  void alterLayout() throws SQLException {
    String alter = System.getProperty("bench.alter");
    if (alter != null) {
      Migrations.migrate(PostgresUrl.parse(uri()).dataSource(), "bemi");
      execute(alter.split(";(?=(?:[^$]*\\$\\$[^$]*\\$\\$)*[^$]*$)")); // not inside $$…$$
    }
  }

  /**
   * Sets this database up as {@code setup} would (every table, publication and slot {@code slot}),
   * for an ingester started as a child process ({@code --slot slot --publication slot}).
   */
  void setUpSource(String slot) throws SQLException {
    try (Connection c = PostgresUrl.parse(uri()).connect()) {
      SourceSetup.execute(c, SourceSetup.setupStatements(c, SourceSetup.trackedTables(c, "bemi", List.of(),
          List.of()), slot, slot));
    }
  }

  /** Drops the slot and its ingester's replication origin, as teardown does: origins take the server's state slots. */
  void dropSlot(String slot) throws SQLException {
    execute("SELECT pg_drop_replication_slot('" + slot + "')",
        "SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin WHERE roname = 'bemi_" + slot + "'");
  }

  /** The fat jar a child-process benchmark runs: {@code -Dbench.ingesterJar}, else the module's build. */
  static File ingesterJar() {
    return new File(System.getProperty("bench.ingesterJar", new File("ingester/target/bemi-ingester.jar").isFile()
        ? "ingester/target/bemi-ingester.jar" : "target/bemi-ingester.jar")); // from the repository or the module
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
    if (postgres != null) {
      postgres.close();
    } else {
      maintenance("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }
  }
}

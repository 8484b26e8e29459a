package io.bemi.jdbc.bench;

import io.bemi.Bemi;
import io.bemi.jdbc.BemiJdbc;
import io.bemi.jdbc.RoundTripCounter;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Plain pgjdbc against {@code jdbc:bemi:postgresql} with a context set, side by side in one run,
 * on an embedded PostgreSQL (wal_level=logical), plus {@code jdbc:bemi} with no context set (the
 * wrappers' own cost). Runs are interleaved, the order and the connection rotating every round, so
 * drift of the shared machine and differences between backends hit all variants alike: many short
 * slices (default 30 x 0.25 s per variant and workload) rather than a few long ones. Prints TPS, the ratio, the network round
 * trips per transaction of each driver (counted by a loopback proxy), the CPU time per statement of
 * the client thread and of the server backend ({@link BackendCpu}), and the load average.
 *
 * <p>The embedded server runs, as in the tests, without durability ({@code fsync=off},
 * {@code synchronous_commit=off}), which shows the driver's cost at its largest. With
 * {@code -Dbench.durable=true} it runs with production durability instead ({@code fsync=on},
 * {@code synchronous_commit=on}): every commit waits for its WAL flush, as on a real server.
 *
 * <pre>
 * ./mvnw -q -o -pl driver test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.bemi.jdbc.bench.DriverBench \
 *     [-Dbench.seconds=0.25 -Dbench.rounds=30 -Dbench.only=tpc -Dbench.durable=true]
 * </pre>
 */
public final class DriverBench {

  private static final int ACCOUNTS = 100_000;
  private static final int TELLERS = 100;
  private static final int BRANCHES = 10;
  private static final int BATCH_ROWS = 1_000;

  interface Transaction {
    void run(Connection c) throws SQLException;
  }

  /** {@code statements}: JDBC executions per transaction, the commit included, for client CPU per statement. */
  record Workload(String name, double target, boolean autoCommit, int statements, Transaction transaction) {}

  record Result(String workload, double plainTps, double bemiTps, double noContextTps, double target,
      long plainTrips, long bemiTrips, List<Double> roundRatios, double[] clientMicros, double[] serverMicros,
      double[] allocatedBytes) {}

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  public static void main(String[] args) throws Exception {
    double seconds = Double.parseDouble(System.getProperty("bench.seconds", "0.25"));
    int rounds = Integer.parseInt(System.getProperty("bench.rounds", "30"));
    boolean durable = Boolean.getBoolean("bench.durable");
    EmbeddedPostgres.Builder server = EmbeddedPostgres.builder()
        .setServerConfig("wal_level", "logical")
        .setServerConfig("max_wal_senders", "4")
        .setServerConfig("max_replication_slots", "4")
        .setPGStartupWait(Duration.ofSeconds(60));
    if (durable) {
      // Zonky starts the server with -F (fsync off) and synchronous_commit=off; -c settings given later win.
      server.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on");
    }
    try (EmbeddedPostgres postgres = server.start()) {
      Properties credentials = new Properties();
      credentials.setProperty("user", "postgres");
      credentials.setProperty("password", "postgres");
      String pgUrl = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
      createSchema(pgUrl, credentials);

      List<Workload> workloads = List.of(
          new Workload("TPC-B-like transaction (3 updates, 1 select, 1 insert)", 0.95, false, 6, DriverBench::tpcb),
          new Workload("single-row UPDATE, autocommit", 0.90, true, 1, DriverBench::singleUpdate),
          new Workload("1,000-row batch INSERT (one transaction)", 0.95, false, 2, DriverBench::batchInsert));

      String only = System.getProperty("bench.only", "");
      workloads = workloads.stream().filter(w -> w.name.toLowerCase(Locale.ROOT).contains(only.toLowerCase(Locale.ROOT))).toList();
      Bemi.setContext(Map.of("user", "bench-user@example.com", "endpoint", "/accounts/transfer",
          "requestId", UUID.randomUUID().toString()));
      System.out.printf(Locale.ROOT, "PostgreSQL %s (%s), %d rounds x %.2f s per variant and workload, connections rotating%n",
          serverVersion(pgUrl, credentials), durability(pgUrl, credentials), rounds, seconds);
      System.out.println("load average at the start: " + BackendCpu.loadAverage());

      List<Result> results = new ArrayList<>();
      for (Workload workload : workloads) {
        results.add(measure(workload, pgUrl, credentials, seconds, rounds));
        try (Connection c = DriverManager.getConnection(pgUrl, credentials); Statement s = c.createStatement()) {
          s.execute("TRUNCATE history");
          s.execute("VACUUM ANALYZE");
        }
      }

      System.out.println();
      System.out.printf(Locale.ROOT, "%-58s %11s %11s %7s %7s %12s %11s%n", "workload", "pgjdbc TPS", "bemi TPS",
          "ratio", "target", "round trips", "no context");
      for (Result r : results) {
        System.out.printf(Locale.ROOT, "%-58s %11.1f %11.1f %7.3f %7s %12s %11.3f%n", r.workload, r.plainTps, r.bemiTps,
            r.bemiTps / r.plainTps, "≥" + r.target, r.plainTrips + " vs " + r.bemiTrips, r.noContextTps / r.plainTps);
        System.out.printf(Locale.ROOT, "    cumulative ratio every 10 rounds: %s%n", format(r.roundRatios));
        System.out.printf(Locale.ROOT, "    CPU per statement, client / server: pgjdbc %.1f / %.1f µs, bemi %.1f / %.1f µs"
            + " (%+.1f / %+.1f), bemi without context %.1f / %.1f µs%n", r.clientMicros[0], r.serverMicros[0],
            r.clientMicros[1], r.serverMicros[1], r.clientMicros[1] - r.clientMicros[0],
            r.serverMicros[1] - r.serverMicros[0], r.clientMicros[2], r.serverMicros[2]);
        System.out.printf(Locale.ROOT, "    client allocation per statement: pgjdbc %.0f B, bemi %.0f B, bemi without context %.0f B%n",
            r.allocatedBytes[0], r.allocatedBytes[1], r.allocatedBytes[2]);
      }
      System.out.println("(round trips: per transaction, plain pgjdbc vs jdbc:bemi, counted by a loopback proxy;");
      System.out.println(" no context: ratio of jdbc:bemi with no context set, i.e. the wrappers' own cost;");
      System.out.println(" CPU: client = the benchmark thread, server = the connection's backend process, the commit");
      System.out.println(" counted as a statement)");
      System.out.println("load average at the end: " + BackendCpu.loadAverage());
      Bemi.clearContext();
    }
  }

  private static Result measure(Workload workload, String pgUrl, Properties credentials, double seconds, int rounds)
      throws Exception {
    String bemiUrl = "jdbc:bemi:" + pgUrl.substring("jdbc:".length());
    // Backends differ: the same work costs up to a tenth more on one connection than on another
    // (where the scheduler puts each process on a shared machine). So no variant owns a connection:
    // every round, each variant runs on the next of three pgjdbc connections, wrapped for the
    // jdbc:bemi variants as the URL would wrap them.
    Connection[] raw = new Connection[3];
    Connection[] wrapped = new Connection[3];
    BackendCpu[] backends = new BackendCpu[3];
    try {
      for (int i = 0; i < 3; i++) {
        raw[i] = DriverManager.getConnection(pgUrl, credentials);
        backends[i] = BackendCpu.of(raw[i]);
        raw[i].setAutoCommit(workload.autoCommit);
        wrapped[i] = BemiJdbc.wrap(raw[i], null);
      }
      // warm-up: JIT, server-side prepared statements (every variant on every connection), caches
      for (int variant = 0; variant < 3; variant++) {
        for (int i = 0; i < 3; i++) {
          runVariant(variant == 0 ? raw[i] : wrapped[i], backends[i], variant, workload, 2.0 / 3);
        }
      }
      double[] ops = new double[3];
      double[] time = new double[3];
      double[] cpu = new double[3];
      double[] serverCpu = new double[3];
      double[] allocated = new double[3];
      List<Double> ratios = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        for (int step = 0; step < 3; step++) {
          int variant = (round + step) % 3; // rotate the order so no variant always runs first
          int i = (variant + round) % 3; // and the connection it runs on
          double[] result = runVariant(variant == 0 ? raw[i] : wrapped[i], backends[i], variant, workload, seconds);
          ops[variant] += result[0];
          time[variant] += result[1];
          cpu[variant] += result[2];
          serverCpu[variant] += result[3];
          allocated[variant] += result[4];
        }
        if (round % 10 == 9 || round == rounds - 1) {
          ratios.add((ops[1] / time[1]) / (ops[0] / time[0]));
        }
      }
      long plainTrips = roundTripsPerTransaction(pgUrl, credentials, workload);
      long bemiTrips = roundTripsPerTransaction(bemiUrl, credentials, workload);
      double[] clientMicros = new double[3];
      double[] serverMicros = new double[3];
      double[] allocatedBytes = new double[3];
      for (int variant = 0; variant < 3; variant++) {
        clientMicros[variant] = cpu[variant] / 1e3 / ops[variant] / workload.statements;
        serverMicros[variant] = serverCpu[variant] / 1e3 / ops[variant] / workload.statements;
        allocatedBytes[variant] = allocated[variant] / ops[variant] / workload.statements;
      }
      Result result = new Result(workload.name, ops[0] / time[0], ops[1] / time[1], ops[2] / time[2], workload.target,
          plainTrips, bemiTrips, ratios, clientMicros, serverMicros, allocatedBytes);
      System.out.printf(Locale.ROOT, "%s: pgjdbc %.1f TPS, bemi %.1f TPS, ratio %.3f (bemi without context %.3f)%n",
          workload.name, result.plainTps, result.bemiTps, result.bemiTps / result.plainTps,
          result.noContextTps / result.plainTps);
      return result;
    } finally {
      for (Connection c : wrapped) {
        if (c != null) {
          c.close(); // closes the pgjdbc connection too
        }
      }
    }
  }

  /** Variant 0: plain pgjdbc; 1: jdbc:bemi with the context; 2: jdbc:bemi with no context set. */
  private static double[] runVariant(Connection c, BackendCpu backend, int variant, Workload workload, double seconds)
      throws SQLException, IOException {
    if (variant != 2) {
      return run(c, backend, workload, seconds);
    }
    try (Bemi.Scope none = Bemi.withContext(Map.of())) {
      return run(c, backend, workload, seconds);
    }
  }

  /**
   * Runs the transaction for about {@code seconds}; returns {transactions, elapsed seconds, client
   * and server CPU ns, bytes the client thread allocated}.
   */
  private static double[] run(Connection c, BackendCpu backend, Workload workload, double seconds)
      throws SQLException, IOException {
    long serverStart = backend.nanos();
    long allocatedStart = THREADS.getCurrentThreadAllocatedBytes();
    long cpuStart = THREADS.getCurrentThreadCpuTime();
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    long count = 0;
    long now;
    do {
      workload.transaction.run(c);
      if (!workload.autoCommit) {
        c.commit();
      }
      count++;
      now = System.nanoTime();
    } while (now < end);
    long cpuEnd = THREADS.getCurrentThreadCpuTime();
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - allocatedStart;
    return new double[] {count, (now - start) / 1e9, cpuEnd - cpuStart, backend.nanos() - serverStart, allocated};
  }

  private static long roundTripsPerTransaction(String url, Properties credentials, Workload workload) throws Exception {
    try (RoundTripCounter counter = RoundTripCounter.forUrl(url);
        Connection c = DriverManager.getConnection(counter.proxied(url), credentials)) {
      c.setAutoCommit(workload.autoCommit);
      for (int i = 0; i < 10; i++) { // past prepareThreshold: statements are server-prepared, as in the timed runs
        workload.transaction.run(c);
        if (!workload.autoCommit) {
          c.commit();
        }
      }
      long before = counter.roundTrips();
      workload.transaction.run(c);
      if (!workload.autoCommit) {
        c.commit();
      }
      return counter.roundTrips() - before;
    }
  }

  // ---- the transactions -------------------------------------------------------------------

  private static void tpcb(Connection c) throws SQLException {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int account = random.nextInt(1, ACCOUNTS + 1);
    int teller = random.nextInt(1, TELLERS + 1);
    int branch = random.nextInt(1, BRANCHES + 1);
    int delta = random.nextInt(-5000, 5001);
    try (PreparedStatement updateAccount = c.prepareStatement("UPDATE accounts SET abalance = abalance + ? WHERE aid = ?");
        PreparedStatement selectAccount = c.prepareStatement("SELECT abalance FROM accounts WHERE aid = ?");
        PreparedStatement updateTeller = c.prepareStatement("UPDATE tellers SET tbalance = tbalance + ? WHERE tid = ?");
        PreparedStatement updateBranch = c.prepareStatement("UPDATE branches SET bbalance = bbalance + ? WHERE bid = ?");
        PreparedStatement insertHistory = c.prepareStatement(
            "INSERT INTO history (tid, bid, aid, delta, mtime) VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)")) {
      updateAccount.setInt(1, delta);
      updateAccount.setInt(2, account);
      updateAccount.executeUpdate();
      selectAccount.setInt(1, account);
      try (ResultSet rs = selectAccount.executeQuery()) {
        rs.next();
      }
      updateTeller.setInt(1, delta);
      updateTeller.setInt(2, teller);
      updateTeller.executeUpdate();
      updateBranch.setInt(1, delta);
      updateBranch.setInt(2, branch);
      updateBranch.executeUpdate();
      insertHistory.setInt(1, teller);
      insertHistory.setInt(2, branch);
      insertHistory.setInt(3, account);
      insertHistory.setInt(4, delta);
      insertHistory.executeUpdate();
    }
  }

  private static void singleUpdate(Connection c) throws SQLException {
    try (PreparedStatement update = c.prepareStatement("UPDATE accounts SET abalance = abalance + ? WHERE aid = ?")) {
      update.setInt(1, 1);
      update.setInt(2, ThreadLocalRandom.current().nextInt(1, ACCOUNTS + 1));
      update.executeUpdate();
    }
  }

  private static void batchInsert(Connection c) throws SQLException {
    try (PreparedStatement insert = c.prepareStatement(
        "INSERT INTO history (tid, bid, aid, delta, mtime) VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP)")) {
      for (int i = 0; i < BATCH_ROWS; i++) {
        insert.setInt(1, 1 + i % TELLERS);
        insert.setInt(2, 1 + i % BRANCHES);
        insert.setInt(3, 1 + i);
        insert.setInt(4, i);
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  private static void createSchema(String url, Properties credentials) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, credentials); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE branches (bid int PRIMARY KEY, bbalance int NOT NULL, filler char(88))");
      s.execute("CREATE TABLE tellers (tid int PRIMARY KEY, bid int NOT NULL, tbalance int NOT NULL, filler char(84))");
      s.execute("CREATE TABLE accounts (aid int PRIMARY KEY, bid int NOT NULL, abalance int NOT NULL, filler char(84))");
      s.execute("CREATE TABLE history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22))");
      s.execute("INSERT INTO branches SELECT g, 0 FROM generate_series(1, " + BRANCHES + ") g");
      s.execute("INSERT INTO tellers SELECT g, 1 + g % " + BRANCHES + ", 0 FROM generate_series(1, " + TELLERS + ") g");
      s.execute("INSERT INTO accounts SELECT g, 1 + g % " + BRANCHES + ", 0 FROM generate_series(1, " + ACCOUNTS + ") g");
      s.execute("VACUUM ANALYZE");
    }
  }

  private static String serverVersion(String url, Properties credentials) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, credentials); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW server_version")) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** The settings that decide what a commit waits for, as the server reports them. */
  private static String durability(String url, Properties credentials) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, credentials); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT 'fsync=' || current_setting('fsync') || ', synchronous_commit='"
            + " || current_setting('synchronous_commit') || ', full_page_writes=' || current_setting('full_page_writes')")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static String format(List<Double> ratios) {
    StringBuilder out = new StringBuilder();
    for (double ratio : ratios) {
      out.append(String.format(Locale.ROOT, "%.3f ", ratio));
    }
    return out.toString().trim();
  }
}

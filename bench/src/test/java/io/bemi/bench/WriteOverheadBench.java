package io.bemi.bench;

import io.bemi.Bemi;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Application write overhead, TPC-B-like (pgbench's transaction: update an account, read its
 * balance, update its teller and branch, insert a history row), four ways, interleaved in one run:
 *
 * <ol>
 *   <li>plain pgjdbc;</li>
 *   <li>{@code jdbc:bemi} with a new context per transaction (one {@code _bemi} message each);</li>
 *   <li>Bemi's own mechanism as its ORM packages install it: the context as a SQL comment
 *       {@code /*Bemi {...} Bemi*&#47;} on each write, and a {@code BEFORE} row trigger that reads
 *       it from {@code current_query()} and calls {@code pg_logical_emit_message} for every row;</li>
 *   <li>a classic audit trigger: an {@code AFTER} row trigger inserting {@code to_jsonb(OLD/NEW)}
 *       into an audit table.</li>
 * </ol>
 *
 * Each variant has its own database on the same server. Rounds rotate the variants' order; the
 * median TPS per variant and its ratio to plain are printed, and a bar chart is written.
 *
 * <pre>./mvnw -q -o -pl bench test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.bemi.bench.WriteOverheadBench [-Dbench.short=true]</pre>
 */
public final class WriteOverheadBench {

  private WriteOverheadBench() {}

  enum Variant { PLAIN, BEMI_DRIVER, BEMI_TRIGGER, AUDIT_TRIGGER }

  static final int ACCOUNTS = 100_000;
  static final int BRANCHES = 4;

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.log.io.zonky", "off");
    boolean quick = Boolean.getBoolean("bench.short");
    int rounds = Integer.getInteger("bench.rounds", quick ? 2 : 5);
    int seconds = Integer.getInteger("bench.seconds", quick ? 5 : 12);
    int clients = Integer.getInteger("bench.clients", 4);
    Map<Variant, List<Double>> tps = new LinkedHashMap<>();
    try (PgServer server = PgServer.create("overhead")) {
      for (Variant v : Variant.values()) {
        prepare(server, v);
        tps.put(v, new ArrayList<>());
      }
      System.out.printf("TPC-B-like, %d clients, %d branches, %,d accounts, %d rounds x %d s per variant%n", clients,
          BRANCHES, ACCOUNTS, rounds, seconds);
      run(server, Variant.PLAIN, clients, 2); // warm-up: JIT, caches
      for (int round = 0; round < rounds; round++) {
        Variant[] order = Variant.values();
        for (int i = 0; i < order.length; i++) {
          Variant v = order[(i + round) % order.length];
          double t = run(server, v, clients, seconds);
          tps.get(v).add(t);
          System.out.printf("  round %d %-14s %,8.0f TPS%n", round + 1, v, t);
        }
      }
    }
    double plain = median(tps.get(Variant.PLAIN));
    System.out.println();
    System.out.printf("%-14s %10s %8s   %s%n", "variant", "median TPS", "ratio", "all rounds");
    Map<String, Double> bars = new LinkedHashMap<>();
    for (var e : tps.entrySet()) {
      double m = median(e.getValue());
      bars.put(label(e.getKey()), m);
      System.out.printf("%-14s %10.0f %8.3f   %s%n", e.getKey(), m, m / plain, e.getValue().stream()
          .map(x -> String.format("%.0f", x)).toList());
    }
    Charts.bars("bench-write-overhead.png", "TPC-B-like write throughput (" + clients + " clients, median of "
        + rounds + " rounds)", "transactions/s", bars);
  }

  static String label(Variant v) {
    return switch (v) {
      case PLAIN -> "plain pgjdbc";
      case BEMI_DRIVER -> "jdbc:bemi + context";
      case BEMI_TRIGGER -> "Bemi comment + trigger";
      case AUDIT_TRIGGER -> "audit trigger (to_jsonb)";
    };
  }

  static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static String database(Variant v) {
    return "tpcb_" + v.name().toLowerCase();
  }

  private static void prepare(PgServer server, Variant v) throws SQLException {
    String db = database(v);
    server.createDatabase(db);
    server.execute(db,
        "CREATE TABLE branches (bid int PRIMARY KEY, bbalance int NOT NULL, filler char(88))",
        "CREATE TABLE tellers (tid int PRIMARY KEY, bid int NOT NULL, tbalance int NOT NULL, filler char(84))",
        "CREATE TABLE accounts (aid int PRIMARY KEY, bid int NOT NULL, abalance int NOT NULL, filler char(84))",
        "CREATE TABLE history (id bigserial PRIMARY KEY, tid int, bid int, aid int, delta int, mtime timestamptz, "
            + "filler char(22))",
        "INSERT INTO branches SELECT b, 0, '' FROM generate_series(1, " + BRANCHES + ") b",
        "INSERT INTO tellers SELECT t, 1 + (t - 1) / 10, 0, '' FROM generate_series(1, " + BRANCHES * 10 + ") t",
        "INSERT INTO accounts SELECT a, 1 + (a - 1) / (" + ACCOUNTS / BRANCHES + "), 0, '' FROM generate_series(1, "
            + ACCOUNTS + ") a",
        "VACUUM ANALYZE");
    List<String> tables = List.of("branches", "tellers", "accounts", "history");
    if (v == Variant.BEMI_TRIGGER) {
      // The row trigger Bemi's ORM packages install: the context travels as a SQL comment on the
      // write and every row emits it as a transactional _bemi message.
      server.execute(db, """
          CREATE FUNCTION _bemi_row_trigger_func() RETURNS trigger LANGUAGE plpgsql AS $$
          DECLARE
            metadata text := split_part(split_part(current_query(), '/*Bemi ', 2), ' Bemi*/', 1);
          BEGIN
            IF metadata <> '' THEN
              PERFORM pg_logical_emit_message(true, '_bemi', metadata);
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
          END $$""");
      for (String t : tables) {
        server.execute(db, "CREATE TRIGGER _bemi_row_trigger_" + t + " BEFORE INSERT OR UPDATE OR DELETE ON " + t
            + " FOR EACH ROW EXECUTE FUNCTION _bemi_row_trigger_func()");
      }
    }
    if (v == Variant.AUDIT_TRIGGER) {
      server.execute(db,
          "CREATE TABLE audit_log (id bigserial PRIMARY KEY, table_name text NOT NULL, operation text NOT NULL, "
              + "old_row jsonb, new_row jsonb, changed_by text, changed_at timestamptz NOT NULL DEFAULT now())",
          """
          CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            INSERT INTO audit_log (table_name, operation, old_row, new_row, changed_by)
            VALUES (TG_TABLE_NAME, TG_OP,
                    CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) END,
                    CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) END,
                    current_setting('app.user_id', true));
            RETURN NULL;
          END $$""");
      for (String t : tables) {
        server.execute(db, "CREATE TRIGGER audit_" + t + " AFTER INSERT OR UPDATE OR DELETE ON " + t
            + " FOR EACH ROW EXECUTE FUNCTION audit_row()");
      }
    }
  }

  /** Runs {@code clients} threads for {@code seconds}; returns committed transactions per second. */
  private static double run(PgServer server, Variant v, int clients, int seconds) throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong committed = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    Throwable[] failure = new Throwable[1];
    String url = (v == Variant.BEMI_DRIVER ? "jdbc:bemi:postgresql" : "jdbc:postgresql") + "://127.0.0.1:"
        + server.port() + "/" + database(v) + "?user=postgres";
    for (int i = 0; i < clients; i++) {
      int client = i;
      Thread t = new Thread(() -> {
        try (Connection c = DriverManager.getConnection(url)) {
          c.setAutoCommit(false);
          Client worker = new Client(c, v, client);
          while (running.get()) {
            worker.transaction();
            committed.incrementAndGet();
          }
          worker.close();
        } catch (Throwable e) {
          failure[0] = e;
        }
      });
      threads.add(t);
    }
    long t0 = System.nanoTime();
    threads.forEach(Thread::start);
    Thread.sleep(seconds * 1000L);
    long n = committed.get();
    double elapsed = (System.nanoTime() - t0) / 1e9;
    running.set(false);
    for (Thread t : threads) {
      t.join();
    }
    if (failure[0] != null) {
      throw new IllegalStateException(v + " failed", failure[0]);
    }
    return n / elapsed;
  }

  /** One client's connection and statements. */
  private static final class Client {
    private final Connection c;
    private final Variant variant;
    private final int client;
    private final PreparedStatement updateAccount;
    private final PreparedStatement selectBalance;
    private final PreparedStatement updateTeller;
    private final PreparedStatement updateBranch;
    private final PreparedStatement insertHistory;
    private long seq;

    Client(Connection c, Variant variant, int client) throws SQLException {
      this.c = c;
      this.variant = variant;
      this.client = client;
      this.updateAccount = c.prepareStatement(UPDATE_ACCOUNT);
      this.selectBalance = c.prepareStatement("SELECT abalance FROM accounts WHERE aid = ?");
      this.updateTeller = c.prepareStatement(UPDATE_TELLER);
      this.updateBranch = c.prepareStatement(UPDATE_BRANCH);
      this.insertHistory = c.prepareStatement(INSERT_HISTORY);
    }

    static final String UPDATE_ACCOUNT = "UPDATE accounts SET abalance = abalance + ? WHERE aid = ?";
    static final String UPDATE_TELLER = "UPDATE tellers SET tbalance = tbalance + ? WHERE tid = ?";
    static final String UPDATE_BRANCH = "UPDATE branches SET bbalance = bbalance + ? WHERE bid = ?";
    static final String INSERT_HISTORY = "INSERT INTO history (tid, bid, aid, delta, mtime) VALUES (?, ?, ?, ?, now())";

    void transaction() throws SQLException {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      int aid = 1 + random.nextInt(ACCOUNTS);
      int bid = 1 + random.nextInt(BRANCHES);
      int tid = 1 + random.nextInt(BRANCHES * 10);
      int delta = random.nextInt(-5000, 5001);
      seq++;
      String context = "{\"user_id\": " + client + ", \"endpoint\": \"POST /transfer\", \"request_id\": \"" + client
          + "-" + seq + "\"}";
      if (variant == Variant.BEMI_TRIGGER) {
        // As Bemi's ORM packages send it: context (with the statement) in a comment on each write.
        write(withComment(UPDATE_ACCOUNT, context), delta, aid);
        query(aid);
        write(withComment(UPDATE_TELLER, context), delta, tid);
        write(withComment(UPDATE_BRANCH, context), delta, bid);
        try (PreparedStatement p = c.prepareStatement(withComment(INSERT_HISTORY, context))) {
          history(p, tid, bid, aid, delta);
        }
        c.commit();
        return;
      }
      Bemi.Scope scope = variant == Variant.BEMI_DRIVER
          ? Bemi.withContext(Map.of("user_id", client, "endpoint", "POST /transfer", "request_id", client + "-" + seq))
          : null;
      try {
        updateAccount.setInt(1, delta);
        updateAccount.setInt(2, aid);
        updateAccount.executeUpdate();
        query(aid);
        updateTeller.setInt(1, delta);
        updateTeller.setInt(2, tid);
        updateTeller.executeUpdate();
        updateBranch.setInt(1, delta);
        updateBranch.setInt(2, bid);
        updateBranch.executeUpdate();
        history(insertHistory, tid, bid, aid, delta);
        c.commit();
      } finally {
        if (scope != null) {
          scope.close();
        }
      }
    }

    private static String withComment(String sql, String context) {
      String json = context.substring(0, context.length() - 1) + ", \"SQL\": \"" + sql + "\"}";
      return sql + " /*Bemi " + json + " Bemi*/";
    }

    private void write(String sql, int delta, int id) throws SQLException {
      try (PreparedStatement p = c.prepareStatement(sql)) {
        p.setInt(1, delta);
        p.setInt(2, id);
        p.executeUpdate();
      }
    }

    private void query(int aid) throws SQLException {
      selectBalance.setInt(1, aid);
      try (ResultSet rs = selectBalance.executeQuery()) {
        rs.next();
      }
    }

    private static void history(PreparedStatement p, int tid, int bid, int aid, int delta) throws SQLException {
      p.setInt(1, tid);
      p.setInt(2, bid);
      p.setInt(3, aid);
      p.setInt(4, delta);
      p.executeUpdate();
    }

    void close() throws SQLException {
      for (PreparedStatement p : Arrays.asList(updateAccount, selectBalance, updateTeller, updateBranch,
          insertHistory)) {
        p.close();
      }
    }
  }
}

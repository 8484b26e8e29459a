package io.bemi.jdbc.bench;

import com.sun.management.ThreadMXBean;
import io.bemi.Bemi;
import io.bemi.jdbc.BemiJdbc;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where the cost of the message goes in the autocommit single-row UPDATE: the same UPDATE run
 * plainly, through {@code jdbc:bemi}, and as hand-built two-part queries through plain pgjdbc
 * (the message, a bare {@code SELECT ?}, other forms of the message), interleaved in rounds whose
 * order rotates. Besides TPS it prints CPU time per transaction, split into the client thread
 * (JVM thread CPU time) and the server backend ({@code /proc/<pid>/schedstat}, so Linux and a
 * local server only): CPU time is less disturbed by other work on a shared machine than wall
 * time, and it says on which side of the socket a cost lies. The second plain-UPDATE row runs the
 * same work as the first: its distance from 1.000 is the noise of the run.
 *
 * <p>Backends differ: the same work costs up to a tenth more on one connection than on another
 * (where the scheduler puts each process on a shared machine). So no variant owns a connection:
 * in every round each variant runs on the next of as many pgjdbc connections, wrapped with
 * {@link BemiJdbc#wrap} for the {@code jdbc:bemi} variant.
 *
 * <p>All two-part variants put the same protocol messages on the wire as the driver: one Bind and
 * Execute per part and one Sync, with no Parse or Describe once server-prepared (read once from a
 * logging proxy, see docs/driver.md). Before timing starts, the harness checks that each variant
 * meant to emit sends exactly one message per transaction.
 *
 * <pre>
 * ./mvnw -q -o -pl driver test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.bemi.jdbc.bench.MessageCostBench [-Dbench.seconds=0.25 -Dbench.rounds=20]
 * </pre>
 */
public final class MessageCostBench {

  private static final int ACCOUNTS = 100_000;
  private static final String UPDATE = "UPDATE accounts SET abalance = abalance + ? WHERE aid = ?";
  private static final String JSON = "{\"user\":\"bench-user@example.com\",\"endpoint\":\"/accounts/transfer\","
      + "\"requestId\":\"8a0e1f5e-2d53-4c4f-9c1e-2f3b7c9d0a11\"}";

  private static final String SHORT_JSON = "{\"user\":\"u1\"}";

  /**
   * One way of running the UPDATE; {@code prefix} is null for the UPDATE alone. {@code spare}: also
   * prepare (and close, unused) the UPDATE alone, as the wrapper does beside its two-part statement.
   * {@code after}: the message statement follows the UPDATE ({@code prefix} without its semicolon).
   */
  record Variant(String name, boolean bemi, String prefix, boolean bytes, boolean spare, boolean after, String json) {
    Variant(String name, boolean bemi, String prefix, boolean bytes) {
      this(name, bemi, prefix, bytes, false, false, JSON);
    }
  }

  static final class Tally {
    double transactions;
    double seconds;
    double clientNanos;
    double serverNanos;
    double allocatedBytes;
  }

  public static void main(String[] args) throws Exception {
    double seconds = Double.parseDouble(System.getProperty("bench.seconds", "0.25"));
    int rounds = Integer.parseInt(System.getProperty("bench.rounds", "20"));
    List<Variant> all = List.of(
        new Variant("pgjdbc: UPDATE", false, null, false),
        new Variant("pgjdbc: UPDATE again (A/A: this run's noise)", false, null, false),
        new Variant("jdbc:bemi with context", true, null, false),
        new Variant("pgjdbc: SELECT pg_logical_emit_message(true,'_bemi',?::text);UPDATE", false,
            "SELECT pg_logical_emit_message(true, '_bemi', ?::text);", false),
        new Variant("pgjdbc: the same, plus a spare prepareStatement(UPDATE) as the wrapper makes", false,
            "SELECT pg_logical_emit_message(true, '_bemi', ?::text);", false, true, false, JSON),
        new Variant("pgjdbc: UPDATE;SELECT pg_logical_emit_message(true,'_bemi',?::text) (message after)", false,
            "SELECT pg_logical_emit_message(true, '_bemi', ?::text)", false, false, true, JSON),
        new Variant("pgjdbc: SELECT pg_logical_emit_message(…);UPDATE with a 15-byte JSON", false,
            "SELECT pg_logical_emit_message(true, '_bemi', ?::text);", false, false, false, SHORT_JSON),
        new Variant("pgjdbc: SELECT ?::text;UPDATE", false, "SELECT ?::text;", false),
        new Variant("pgjdbc: SELECT WHERE pg_logical_emit_message(…) IS NULL;UPDATE (no row)", false,
            "SELECT WHERE pg_logical_emit_message(true, '_bemi', ?::text) IS NULL;", false),
        new Variant("pgjdbc: SELECT pg_logical_emit_message(true,'_bemi',?::bytea);UPDATE (binary)", false,
            "SELECT pg_logical_emit_message(true, '_bemi', ?::bytea);", true));
    // -Dbench.variants=0,3,7: only these rows of the list above (the first is the base of the ratios)
    String only = System.getProperty("bench.variants");
    List<Variant> variants = only == null ? all
        : Arrays.stream(only.split(",")).map(i -> all.get(Integer.parseInt(i.trim()))).toList();
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder()
        .setServerConfig("wal_level", "logical")
        .setPGStartupWait(Duration.ofSeconds(60))
        .start()) {
      Properties credentials = new Properties();
      credentials.setProperty("user", "postgres");
      credentials.setProperty("password", "postgres");
      String pgUrl = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
      try (Connection c = DriverManager.getConnection(pgUrl, credentials); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE accounts (aid int PRIMARY KEY, bid int NOT NULL, abalance int NOT NULL, filler char(84))");
        s.execute("INSERT INTO accounts SELECT g, 1 + g % 10, 0 FROM generate_series(1, " + ACCOUNTS + ") g");
        s.execute("VACUUM ANALYZE");
      }
      Bemi.setContext(Map.of("user", "bench-user@example.com", "endpoint", "/accounts/transfer",
          "requestId", "8a0e1f5e-2d53-4c4f-9c1e-2f3b7c9d0a11"));
      int n = variants.size();
      Connection[] raw = new Connection[n];
      Connection[] wrapped = new Connection[n];
      BackendCpu[] backends = new BackendCpu[n];
      try {
        for (int i = 0; i < n; i++) {
          raw[i] = DriverManager.getConnection(pgUrl, credentials);
          wrapped[i] = BemiJdbc.wrap(raw[i], null);
          backends[i] = BackendCpu.of(raw[i]);
        }
        checkMessages(raw[0], wrapped[0], variants);
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int v = 0; v < n; v++) {
          for (int i = 0; i < n; i++) { // warm-up: every statement server-prepared on every connection
            run(variants.get(v).bemi ? wrapped[i] : raw[i], variants.get(v), backends[i], threads, 0.3, new Tally());
          }
        }
        printPreparedStatements(raw[0]);
        Tally[] tallies = new Tally[variants.size()];
        for (int v = 0; v < tallies.length; v++) {
          tallies[v] = new Tally();
        }
        for (int round = 0; round < rounds; round++) {
          for (int step = 0; step < n; step++) {
            int v = (round + step) % n; // the order rotates...
            int i = (v + round) % n; // ...and so does the connection each variant runs on
            run(variants.get(v).bemi ? wrapped[i] : raw[i], variants.get(v), backends[i], threads, seconds, tallies[v]);
          }
        }
        double baseTps = tallies[0].transactions / tallies[0].seconds;
        System.out.printf(Locale.ROOT, "%d rounds x %.2f s per variant; load average at the end: %s%n", rounds, seconds,
            BackendCpu.loadAverage());
        System.out.printf(Locale.ROOT, "%-82s %9s %6s %10s %10s %10s %9s%n", "variant", "TPS", "ratio", "client µs",
            "server µs", "total µs", "client B");
        for (int v = 0; v < tallies.length; v++) {
          Tally t = tallies[v];
          double tps = t.transactions / t.seconds;
          double client = t.clientNanos / t.transactions / 1000;
          double server = t.serverNanos / t.transactions / 1000;
          System.out.printf(Locale.ROOT, "%-82s %9.1f %6.3f %10.1f %10.1f %10.1f %9.0f%n", variants.get(v).name, tps,
              tps / baseTps, client, server, client + server, t.allocatedBytes / t.transactions);
        }
        System.out.println("(CPU time per transaction: client = the benchmark thread, server = its backend process;"
            + " client B = bytes the benchmark thread allocated per transaction)");
      } finally {
        for (Connection c : wrapped) {
          if (c != null) {
            c.close(); // closes the pgjdbc connection too
          }
        }
        Bemi.clearContext();
      }
    }
  }

  private static void run(Connection c, Variant variant, BackendCpu backend, ThreadMXBean threads,
      double seconds, Tally tally) throws SQLException, IOException {
    long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
    long serverBefore = backend.nanos();
    long clientBefore = threads.getCurrentThreadCpuTime();
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    long count = 0;
    long now;
    do {
      transaction(c, variant);
      count++;
      now = System.nanoTime();
    } while (now < end);
    tally.clientNanos += threads.getCurrentThreadCpuTime() - clientBefore;
    tally.serverNanos += backend.nanos() - serverBefore;
    tally.allocatedBytes += threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
    tally.transactions += count;
    tally.seconds += (now - start) / 1e9;
  }

  private static void transaction(Connection c, Variant variant) throws SQLException {
    int account = ThreadLocalRandom.current().nextInt(1, ACCOUNTS + 1);
    if (variant.prefix == null) {
      try (PreparedStatement update = c.prepareStatement(UPDATE)) {
        update.setInt(1, 1);
        update.setInt(2, account);
        update.executeUpdate();
      }
      return;
    }
    try (PreparedStatement spare = variant.spare ? c.prepareStatement(UPDATE) : null;
        PreparedStatement twoPart = c.prepareStatement(variant.after ? UPDATE + ";" + variant.prefix
            : variant.prefix + UPDATE)) {
      int json = variant.after ? 3 : 1;
      int first = variant.after ? 1 : 2;
      if (variant.bytes) {
        twoPart.setBytes(json, variant.json.getBytes(StandardCharsets.UTF_8));
      } else {
        twoPart.setString(json, variant.json);
      }
      twoPart.setInt(first, 1);
      twoPart.setInt(first + 1, account);
      twoPart.execute();
      boolean counted = variant.after ? twoPart.getUpdateCount() == 1 && twoPart.getMoreResults()
          : !twoPart.getMoreResults() && twoPart.getUpdateCount() == 1;
      if (!counted) {
        throw new IllegalStateException("expected the UPDATE's count of 1 and the message's row");
      }
    }
  }

  /** What the server holds prepared on one connection after the warm-up: every part of every variant. */
  private static void printPreparedStatements(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT name, generic_plans, custom_plans, statement FROM pg_prepared_statements"
            + " ORDER BY name")) {
      System.out.println("server-prepared on one connection (name, generic plans, custom plans, statement):");
      while (rs.next()) {
        System.out.printf(Locale.ROOT, "  %-6s %7d %5d  %s%n", rs.getString(1), rs.getLong(2), rs.getLong(3),
            rs.getString(4));
      }
    }
  }

  /** Each variant that should emit a message does, once per transaction (read back through test_decoding). */
  private static void checkMessages(Connection raw, Connection wrapped, List<Variant> variants) throws SQLException {
    try (Statement s = raw.createStatement()) {
      s.execute("SELECT pg_create_logical_replication_slot('message_check', 'test_decoding')");
      s.execute("SET synchronous_commit = on"); // decoding reads flushed WAL only; our commits below flush it
      try {
        for (int v = 0; v < variants.size(); v++) {
          s.execute("SELECT pg_logical_slot_get_changes('message_check', NULL, NULL)");
          transaction(variants.get(v).bemi ? wrapped : raw, variants.get(v));
          // A commit that wrote WAL, with synchronous_commit on, flushes everything before it.
          s.execute("SELECT pg_logical_emit_message(true, 'flush', '')");
          int messages = 0;
          try (ResultSet rs = s.executeQuery("SELECT data FROM pg_logical_slot_get_changes('message_check', NULL, NULL)")) {
            while (rs.next()) {
              messages += rs.getString(1).contains("prefix: _bemi") ? 1 : 0;
            }
          }
          int expected = variants.get(v).bemi || (variants.get(v).prefix != null
              && variants.get(v).prefix.contains("emit_message")) ? 1 : 0;
          if (messages != expected) {
            throw new IllegalStateException(variants.get(v).name + ": " + messages + " messages, expected " + expected);
          }
        }
      } finally {
        s.execute("SELECT pg_drop_replication_slot('message_check')");
      }
    }
  }
}

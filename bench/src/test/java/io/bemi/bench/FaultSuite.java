package io.bemi.bench;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Fault scenarios with a ledger. Two PostgreSQL 17 servers (source and a separate destination)
 * whose postmasters this process owns; the ingester runs as its fat jar; a writer commits a mixed
 * workload through {@code jdbc:bemi} and records every committed change and its context; at the
 * end the ledger is compared with {@code bemi.changes}. Prints PASS/FAIL per scenario.
 *
 * <pre>./mvnw -q -o -pl bench test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.bemi.bench.FaultSuite [-Dbench.short=true] [-Dbench.only=kill,source,destination,proxy,privilege,timeout,standby,failover,hostile,writer,kafka,webhook]</pre>
 */
public final class FaultSuite {

  private FaultSuite() {}

  record Outcome(String scenario, boolean passed, String detail) {}

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.log.io.zonky", "off");
    boolean quick = Boolean.getBoolean("bench.short");
    String only = System.getProperty("bench.only",
        "kill,source,destination,proxy,privilege,timeout,standby,failover,hostile,writer,kafka,webhook");
    List<Outcome> outcomes = new ArrayList<>();
    try (PgServer source = PgServer.create("source"); PgServer destination = PgServer.create("destination")) {
      System.out.println("source: " + source + ", destination: " + destination + ", ingester: " + IngesterProcess.JAR);
      if (only.contains("kill")) {
        outcomes.add(run("kill -9 the ingester x" + (quick ? 5 : 20),
            () -> killScenario(source, destination, quick ? 5 : 20)));
      }
      if (only.contains("source")) {
        outcomes.add(run("source restarted (fast, then immediate)", () -> sourceRestart(source, destination)));
      }
      if (only.contains("destination")) {
        int seconds = quick ? 10 : 30;
        outcomes.add(run("destination down " + seconds + " s", () -> destinationOutage(source, destination, seconds)));
      }
      if (only.contains("proxy")) {
        outcomes.add(run("source connection cut via TCP proxy", () -> proxyCuts(source, destination, quick)));
      }
      if (only.contains("privilege")) {
        int seconds = quick ? 10 : 30;
        outcomes.add(run("destination INSERT privilege revoked " + seconds + " s",
            () -> privilegeRevoked(source, destination, seconds)));
      }
      if (only.contains("timeout")) {
        int seconds = quick ? 10 : 30;
        outcomes.add(run("destination statement timeout (lock held) " + seconds + " s",
            () -> statementTimeout(source, destination, seconds)));
      }
      if (only.contains("standby")) {
        outcomes.add(run("leader killed (standby takes over)", () -> StandbyScenarios.leaderKilled(source, destination)));
        outcomes.add(run("leader paused then resumed", () -> StandbyScenarios.leaderPaused(source, destination)));
      }
      if (only.contains("failover")) {
        outcomes.add(run("primary failover (17, failover slot)", () -> FailoverScenarios.withFailoverSlot(destination)));
        outcomes.add(run("failover without failover slots (as 14-16)",
            () -> FailoverScenarios.withoutFailoverSlot(destination)));
      }
      if (only.contains("hostile")) {
        outcomes.add(run("hostile input", () -> HostileInput.run(source, destination)));
      }
      if (only.contains("writer")) {
        outcomes.add(run("hostile writer, minimal privileges", () -> HostileWriter.run(source, destination, quick)));
      }
      outcomes.addAll(SinkFaults.run(only, quick, source, destination, FaultSuite::run));
    }
    System.out.println();
    System.out.println("== fault suite summary ==");
    for (Outcome o : outcomes) {
      System.out.printf("%s  %-45s %s%n", o.passed() ? "PASS" : "FAIL", o.scenario(), o.detail());
    }
    boolean allPassed = outcomes.stream().allMatch(Outcome::passed);
    System.out.println(allPassed ? "ALL PASSED" : "FAILURES");
    System.exit(allPassed ? 0 : 1);
  }

  interface Scenario {
    Outcome run() throws Exception;
  }

  private static Outcome run(String name, Scenario scenario) {
    System.out.println();
    System.out.println("== " + name + " ==");
    long t0 = System.nanoTime();
    Outcome outcome;
    try {
      Outcome o = scenario.run();
      outcome = new Outcome(name, o.passed(), o.detail());
    } catch (Exception e) {
      e.printStackTrace(System.out);
      outcome = new Outcome(name, false, "error: " + e);
    }
    System.out.printf("%s %s (%.0f s): %s%n", outcome.passed() ? "PASS" : "FAIL", name, (System.nanoTime() - t0) / 1e9,
        outcome.detail());
    return outcome;
  }

  /** A fresh source database with the workload's tables, set up for the ingester, and a fresh destination database. */
  static IngesterProcess prepare(PgServer source, PgServer destination, String name, int sourcePort)
      throws Exception {
    return prepare(source, destination, name, sourcePort, destination.uri("d_" + name));
  }

  private static IngesterProcess prepare(PgServer source, PgServer destination, String name, int sourcePort,
      String destinationUri) throws Exception {
    source.createDatabase("s_" + name);
    destination.createDatabase("d_" + name);
    source.execute("s_" + name, LedgerWriter.SCHEMA.split(";"));
    IngesterProcess ingester = new IngesterProcess(PgServer.uri("s_" + name, sourcePort), destinationUri,
        "bench_" + name);
    ingester.setup();
    return ingester;
  }

  /** Lets the ingester catch up, stops it with SIGTERM, compares the ledger, drops the slot. */
  static Outcome finish(String name, IngesterProcess ingester, Ledger ledger, PgServer destination,
      String extra) throws Exception {
    long stored = ledger.awaitStored(destination, "d_" + name, LedgerWriter.TABLES, 300);
    Thread.sleep(1000); // anything stored twice would show up now
    int exit = ingester.terminate();
    Ledger.Result result;
    try (Connection c = destination.connect("d_" + name)) {
      result = ledger.compare(c, LedgerWriter.TABLES);
    }
    ingester.teardown();
    String detail = String.format("%,d transactions; %s; %s; SIGTERM exit %d%s", ledger.transactions(), result,
        ledger.inDoubtSummary(), exit, extra.isEmpty() ? "" : "; " + extra);
    return new Outcome(name, result.passed() && exit == 0 && stored == result.expected(), detail);
  }

  static Outcome killScenario(PgServer source, PgServer destination, int kills) throws Exception {
    Ledger ledger = new Ledger();
    Random random = new Random(1);
    try (IngesterProcess ingester = prepare(source, destination, "kill", source.port())) {
      ingester.start();
      try (LedgerWriter writer = new LedgerWriter(source, "s_kill", ledger)) {
        for (int k = 1; k <= kills; k++) {
          if (k % 4 == 0) {
            writer.requestBulk(20_000); // so some kills land inside a large transaction
          }
          Thread.sleep(300 + random.nextInt(3000));
          ingester.kill();
          System.out.printf("  kill %d: %,d transactions committed so far%n", k, ledger.transactions());
          ingester.start();
        }
        Thread.sleep(2000);
      }
      return finish("kill", ingester, ledger, destination, kills + " SIGKILLs");
    }
  }

  static Outcome sourceRestart(PgServer source, PgServer destination) throws Exception {
    Ledger ledger = new Ledger();
    try (IngesterProcess ingester = prepare(source, destination, "source", source.port())) {
      ingester.start();
      try (LedgerWriter writer = new LedgerWriter(source, "s_source", ledger)) {
        int sessions = 1;
        for (PgServer.Shutdown mode : PgServer.Shutdown.values()) {
          ingester.awaitStreamingSessions(sessions++, 120); // each stop hits a streaming ingester, not one in backoff
          Thread.sleep(4000);
          writer.requestBulk(30_000);
          Thread.sleep(700);
          System.out.printf("  stopping the source (%s) after %,d transactions%n", mode, ledger.transactions());
          source.stop(mode);
          Thread.sleep(3000);
          source.start();
        }
        Thread.sleep(4000);
        System.out.printf("  the writer lost its connection %d times%n", writer.reconnects());
      }
      return finish("source", ingester, ledger, destination, "ingester streaming sessions after reconnects: "
          + (ingester.logLines("Streaming slot") - 1));
    }
  }

  static Outcome destinationOutage(PgServer source, PgServer destination, int seconds) throws Exception {
    Ledger ledger = new Ledger();
    try (IngesterProcess ingester = prepare(source, destination, "destination", source.port())) {
      ingester.start();
      try (LedgerWriter writer = new LedgerWriter(source, "s_destination", ledger)) {
        Thread.sleep(3000);
        System.out.printf("  destination down (immediate) for %d s after %,d transactions%n", seconds,
            ledger.transactions());
        destination.stop(PgServer.Shutdown.IMMEDIATE);
        Thread.sleep(seconds * 1000L);
        destination.start();
        System.out.printf("  destination back; %,d transactions committed meanwhile%n", ledger.transactions());
        Thread.sleep(3000);
      }
      return finish("destination", ingester, ledger, destination, "ingester alive through the outage: "
          + ingester.isAlive());
    }
  }

  /**
   * A destination failure that is not an outage (as disk-full would be): the server is up but
   * refuses the ingester's batches. {@code prepare} runs before the ingester starts, {@code cause}
   * and {@code fix} while it runs, each given the ingester's destination role; the log must name
   * the failure ({@code logFragment}).
   */
  record Refusal(String logFragment, Step prepare, Step cause, Step fix) {}

  interface Step {
    void run(String role) throws Exception;
  }

  /** The ingester's role loses INSERT on bemi.changes. */
  static Outcome privilegeRevoked(PgServer source, PgServer destination, int seconds) throws Exception {
    return destinationRefuses(source, destination, "privilege", seconds, new Refusal("permission denied",
        role -> {},
        role -> destination.execute("d_privilege", "REVOKE INSERT ON bemi.changes FROM " + role),
        role -> destination.execute("d_privilege", "GRANT INSERT ON bemi.changes TO " + role)));
  }

  /**
   * The ingester's role has a statement_timeout (as many production roles do), and another session
   * holds a lock on bemi.changes that blocks inserts (a long migration, a VACUUM FULL): every batch
   * waits, then is canceled with SQLSTATE 57014. The fix is to release the lock.
   */
  static Outcome statementTimeout(PgServer source, PgServer destination, int seconds) throws Exception {
    AtomicReference<Connection> lockHolder = new AtomicReference<>();
    return destinationRefuses(source, destination, "timeout", seconds, new Refusal("statement timeout",
        // a role setting applies to sessions opened after it, so it is in place before the ingester starts
        role -> destination.execute("postgres", "ALTER ROLE " + role + " IN DATABASE d_timeout SET statement_timeout = '2s'"),
        role -> {
          Connection c = destination.connect("d_timeout");
          c.setAutoCommit(false);
          try (Statement s = c.createStatement()) {
            s.execute("LOCK TABLE bemi.changes IN SHARE MODE"); // conflicts with INSERT, not with SELECT
          }
          lockHolder.set(c);
        },
        role -> {
          try (Connection c = lockHolder.getAndSet(null)) {
            c.commit();
          }
        }));
  }

  /**
   * While the destination refuses, nothing is stored (the stored checkpoint stays where it was) and
   * the slot is not confirmed past it; the ingester must say why without flooding its log and keep
   * running, and once fixed it must store everything by itself.
   */
  private static Outcome destinationRefuses(PgServer source, PgServer destination, String name, int seconds,
      Refusal refusal) throws Exception {
    Ledger ledger = new Ledger();
    String role = "ingest_" + name;
    destination.execute("postgres", "DROP ROLE IF EXISTS " + role, "CREATE ROLE " + role + " LOGIN");
    String destinationUri = "postgresql://" + role + "@127.0.0.1:" + destination.port() + "/d_" + name;
    try (IngesterProcess ingester = prepare(source, destination, name, source.port(), destinationUri)) {
      destination.execute("d_" + name, "GRANT CREATE ON DATABASE d_" + name + " TO " + role); // it creates schema bemi
      refusal.prepare().run(role);
      ingester.start();
      List<String> problems = new ArrayList<>();
      String detail;
      try (LedgerWriter writer = new LedgerWriter(source, "s_" + name, ledger)) {
        Thread.sleep(3000);
        refusal.cause().run(role);
        long causedAt = System.nanoTime();
        if (!ingester.awaitLogLine(refusal.logFragment(), 60)) {
          problems.add("the log never named '" + refusal.logFragment() + "'");
        }
        System.out.printf("  the ingester logged '%s' %.1f s after the fault%n", refusal.logFragment(),
            (System.nanoTime() - causedAt) / 1e9);
        String slotSql = "SELECT confirmed_flush_lsn - '0/0'::pg_lsn FROM pg_replication_slots "
            + "WHERE slot_name = 'bench_" + name + "'";
        String checkpointSql = "SELECT end_lsn FROM bemi.ingester_checkpoints WHERE slot = 'bench_" + name + "'";
        long checkpoint = destination.queryLong("d_" + name, checkpointSql); // the last batch stored before the fault
        long confirmedFirst = source.queryLong("s_" + name, slotSql);
        long confirmedMax = confirmedFirst;
        boolean checkpointMoved = false;
        long linesAtStart = ingester.logLines("");
        long sessionsAtStart = ingester.logLines("Streaming slot");
        // Polled through the window: the slot may still confirm what was stored before the fault
        // (a session confirms its checkpoint), never more; nothing new may be stored.
        long windowEnd = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < windowEnd) {
          Thread.sleep(500);
          confirmedMax = Math.max(confirmedMax, source.queryLong("s_" + name, slotSql));
          checkpointMoved |= destination.queryLong("d_" + name, checkpointSql) != checkpoint;
        }
        long linesDuring = ingester.logLines("") - linesAtStart;
        long retries = ingester.logLines("Streaming slot") - sessionsAtStart;
        long namingLines = ingester.logLines(refusal.logFragment());
        Integer exit = ingester.exitCode();
        refusal.fix().run(role);
        long fixedAt = System.nanoTime();
        if (exit != null) {
          problems.add("the ingester exited with code " + exit + " instead of retrying");
          ingester.start(); // a supervisor (systemd, Kubernetes) would start it again
        } else if (!ingester.awaitLogLine("Storing again after", 120)) {
          problems.add("no 'Storing again after' line within 120 s of the fix");
        }
        double recovery = (System.nanoTime() - fixedAt) / 1e9;
        if (checkpointMoved) {
          problems.add("the stored checkpoint MOVED while the destination refused");
        }
        if (confirmedMax > checkpoint) {
          problems.add("the slot confirmed past the stored checkpoint (" + confirmedMax + " > " + checkpoint + ")");
        }
        // The documented backoff doubles from 1 s (up to 30 s): about log2(seconds) retries, not a spin.
        long retryBound = 2 + (long) Math.ceil(Math.log(seconds) / Math.log(2));
        if (retries > retryBound) {
          problems.add(retries + " retries in " + seconds + " s (backoff allows " + retryBound + ")");
        }
        detail = String.format("while refused: stored checkpoint %s, slot confirmed LSN %s; %d log line(s) naming "
            + "'%s'; %d retries and %d log lines in the %d s; ingester %s; stored again %.1f s after the fix",
            checkpointMoved ? "MOVED" : "still", confirmedMax > checkpoint ? "PAST IT"
                : confirmedMax == confirmedFirst ? "still" : "caught up with it (" + (confirmedMax - confirmedFirst)
                + " bytes stored before the fault), never past it", namingLines,
            refusal.logFragment(), retries, linesDuring, seconds, exit == null ? "kept running and retried"
                : "exited with code " + exit + " and was restarted after the fix", recovery);
        System.out.println("  " + detail);
        problems.forEach(p -> System.out.println("  PROBLEM: " + p));
        Thread.sleep(3000);
      }
      Outcome outcome = finish(name, ingester, ledger, destination,
          problems.isEmpty() ? detail : "FAIL: " + String.join("; ", problems) + "; " + detail);
      return new Outcome(outcome.scenario(), outcome.passed() && problems.isEmpty(), outcome.detail());
    }
  }

  static Outcome proxyCuts(PgServer source, PgServer destination, boolean quick) throws Exception {
    Ledger ledger = new Ledger();
    Random random = new Random(3);
    try (TcpProxy proxy = new TcpProxy(source.port());
         IngesterProcess ingester = prepare(source, destination, "proxy", proxy.port())) {
      ingester.start();
      try (LedgerWriter writer = new LedgerWriter(source, "s_proxy", ledger)) {
        int cuts = quick ? 3 : 8;
        for (int i = 1; i <= cuts; i++) {
          proxy.awaitConnections(2, 60_000); // the ingester is back: its catalog and replication connections
          Thread.sleep(1000 + random.nextInt(3000));
          int connections = proxy.cut();
          System.out.printf("  cut %d (%d connections) after %,d transactions%n", i, connections,
              ledger.transactions());
          Thread.sleep(500 + random.nextInt(2500));
          proxy.restore();
        }
        // A cut while the ingester receives a large transaction.
        int rows = 200_000;
        proxy.awaitConnections(2, 60_000);
        long before = writer.bulkCommits();
        writer.requestBulk(rows);
        while (writer.bulkCommits() == before) {
          Thread.sleep(20);
        }
        long bytesAtCommit = proxy.bytesForwarded();
        // Cut once the stream of the large transaction is flowing (a few MB of its rows through the proxy).
        long waitUntil = System.nanoTime() + 120_000_000_000L;
        while (proxy.bytesForwarded() - bytesAtCommit < 1_000_000 && System.nanoTime() < waitUntil) {
          Thread.sleep(2);
        }
        int connections = proxy.cut();
        Thread.sleep(500);
        long storedBulk = destination.queryLong("d_proxy", "SELECT count(*) FROM bemi.changes WHERE \"table\" = 'bulk'");
        System.out.printf("  cut (%d connections) during a %,d-row transaction: %,d bytes had passed the proxy since "
            + "its commit, %,d of its rows committed at the destination just after the cut%n", connections, rows,
            proxy.bytesForwarded() - bytesAtCommit, storedBulk);
        Thread.sleep(3000);
        proxy.restore();
        Thread.sleep(3000);
      }
      return finish("proxy", ingester, ledger, destination, "ingester streaming sessions after reconnects: "
          + (ingester.logLines("Streaming slot") - 1));
    }
  }
}

package io.bemi.bench;

import io.bemi.test.PrimaryAndStandby;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

/**
 * The source fails over: a primary and a streaming physical standby (test-support's
 * {@link PrimaryAndStandby}, PostgreSQL 17), the ingester and the writer on a URL naming both
 * hosts ({@code targetServerType=primary}), the primary stopped (fast) and the standby promoted.
 *
 * <ul>
 *   <li>{@code failover}: the slot is a failover slot (what {@code setup} makes on 17+); the writer
 *       keeps writing through the failover; the ledger must match, and the time from the stop to
 *       the ingester streaming from the new primary is reported.
 *   <li>{@code failover-gap}: the slot is not a failover slot (as on PostgreSQL 14-16); the writer
 *       is held while the primary goes, then 100 rows are written on the new primary before a slot
 *       exists. The ingester must exit with code 2 naming the gap, {@code bemi.gaps} must start at
 *       the last stored commit, none of the 100 rows may be stored; after {@code setup} and a
 *       restart the gap is closed and the ledger (every other change) matches.
 * </ul>
 */
final class FailoverScenarios {

  private FailoverScenarios() {}

  static FaultSuite.Outcome withFailoverSlot(PgServer destination) throws Exception {
    String name = "failover";
    Ledger ledger = new Ledger();
    try (PrimaryAndStandby pair = PrimaryAndStandby.start();
         IngesterProcess ingester = prepare(pair, destination, name)) {
      ingester.start();
      double streamingAgain;
      double promotedAfter;
      try (LedgerWriter writer = new LedgerWriter(writerUrl(pair, name), ledger, 0)) {
        Thread.sleep(3000);
        PrimaryAndStandby.await(() -> synced(pair, name), Duration.ofSeconds(120), "the slot is synced to the standby");
        writer.requestBulk(20_000);
        Thread.sleep(500);
        System.out.printf("  stopping the primary and promoting the standby after %,d transactions%n",
            ledger.transactions());
        long stoppedAt = System.nanoTime();
        pair.failOver();
        promotedAfter = (System.nanoTime() - stoppedAt) / 1e9;
        ingester.awaitStreamingSessions(2, 120);
        streamingAgain = (System.nanoTime() - stoppedAt) / 1e9;
        System.out.printf("  primary stopped and standby promoted after %.1f s; the ingester streams from the new "
            + "primary %.1f s after the stop began%n", promotedAfter, streamingAgain);
        Thread.sleep(4000);
        System.out.printf("  the writer reconnected %d time(s)%n", writer.reconnects());
      }
      return FaultSuite.finish(name, ingester, ledger, destination, String.format(
          "stop + promotion %.1f s, streaming from the new primary %.1f s after the stop began; promotion logged: %s",
          promotedAfter, streamingAgain,
          ingester.logLines("survived it (a failover slot)") > 0));
    }
  }

  static FaultSuite.Outcome withoutFailoverSlot(PgServer destination) throws Exception {
    String name = "failovergap";
    Ledger ledger = new Ledger();
    try (PrimaryAndStandby pair = PrimaryAndStandby.start();
         IngesterProcess ingester = prepare(pair, destination, name)) {
      try (Connection c = io.bemi.ingester.PostgresUrl.parse(sourceUrl(pair, name)).connectForReplication();
           Statement s = c.createStatement()) {
        s.execute("ALTER_REPLICATION_SLOT bench_" + name + " (FAILOVER false)"); // as on PostgreSQL 14-16
      }
      ingester.start();
      long gapRows = 100;
      long lastStoredCommit;
      try (LedgerWriter writer = new LedgerWriter(writerUrl(pair, name), ledger, 0)) {
        Thread.sleep(3000);
        writer.pause(true);
        ledger.awaitStored(destination, "d_" + name, LedgerWriter.TABLES, 120);
        lastStoredCommit = destination.queryLong("d_" + name, "SELECT commit_lsn FROM bemi.ingester_checkpoints");
        System.out.printf("  stopping the primary after %,d transactions (all stored), promoting the standby%n",
            ledger.transactions());
        pair.failOver();
        try (Connection c = DriverManager.getConnection(sourceUrl(pair, name)); Statement s = c.createStatement()) {
          s.execute("INSERT INTO gap_rows SELECT g FROM generate_series(1, " + gapRows + ") g");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (ingester.exitCode() == null && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        Integer exit = ingester.exitCode();
        System.out.printf("  the ingester exited with %s: %s%n", exit, ingester.logLines("GAP IN THE TRAIL") > 0
            ? "GAP IN THE TRAIL logged" : "no gap logged");
        if (exit == null || exit != 2) {
          return new FaultSuite.Outcome(name, false, "the ingester did not exit with code 2 after the failover");
        }
        ingester.setup("--accept-gap"); // the new slot on the new primary, the gap accepted as it is (no baseline)
        ingester.start();
        writer.pause(false);
        Thread.sleep(4000);
      }
      long gapStart = destination.queryLong("d_" + name, "SELECT start_lsn FROM bemi.gaps");
      long gapClosed = destination.queryLong("d_" + name, "SELECT count(*) FROM bemi.gaps WHERE end_lsn IS NOT NULL");
      long gapRowsStored = destination.queryLong("d_" + name,
          "SELECT count(*) FROM bemi.changes WHERE \"table\" = 'gap_rows'");
      FaultSuite.Outcome outcome = FaultSuite.finish(name, ingester, ledger, destination, String.format(
          "gap recorded from the last stored commit: %s, closed at the new slot: %s, %d of %d rows written in the gap "
              + "stored", gapStart == lastStoredCommit, gapClosed == 1, gapRowsStored, gapRows));
      boolean gapRight = gapStart == lastStoredCommit && gapClosed == 1 && gapRowsStored == 0;
      return new FaultSuite.Outcome(outcome.scenario(), outcome.passed() && gapRight, outcome.detail());
    }
  }

  private static IngesterProcess prepare(PrimaryAndStandby pair, PgServer destination, String name) throws Exception {
    try (Connection c = pair.connectPrimary("postgres"); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE s_" + name);
    }
    try (Connection c = pair.connectPrimary("s_" + name); Statement s = c.createStatement()) {
      for (String statement : LedgerWriter.SCHEMA.split(";")) {
        if (!statement.isBlank()) {
          s.execute(statement);
        }
      }
      s.execute("CREATE TABLE gap_rows (id int PRIMARY KEY)");
    }
    destination.createDatabase("d_" + name);
    IngesterProcess ingester = new IngesterProcess(sourceUrl(pair, name), destination.uri("d_" + name),
        "bench_" + name);
    ingester.setup();
    return ingester;
  }

  private static String sourceUrl(PrimaryAndStandby pair, String name) {
    return pair.jdbcUrl("s_" + name);
  }

  private static String writerUrl(PrimaryAndStandby pair, String name) {
    return sourceUrl(pair, name).replace("jdbc:postgresql:", "jdbc:bemi:postgresql:");
  }

  private static boolean synced(PrimaryAndStandby pair, String name) {
    try (Connection c = pair.connectStandby("postgres"); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT synced AND NOT temporary FROM pg_replication_slots "
             + "WHERE slot_name = 'bench_" + name + "'")) {
      return rs.next() && rs.getBoolean(1);
    } catch (Exception e) {
      return false;
    }
  }
}

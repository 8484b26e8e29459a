package io.bemi.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * A hostile writer with minimal privileges (INSERT on one tracked table, EXECUTE on
 * {@code pg_logical_emit_message}) sends every class of input jsonb refuses or the ingester once
 * choked on, while the ledger workload runs. Passes when the ledger shows 0 lost, 0 duplicated and
 * right contexts, every hostile change committed is stored once (or quarantined), and the ingester
 * never restarted (one streaming session, SIGTERM exit 0).
 */
final class HostileWriter {

  private HostileWriter() {}

  private static final String NAME = "hostilewriter";

  /** Message contents PostgreSQL accepts; jsonb refuses most of them. */
  static final List<String> MESSAGES = List.of("{\"n\": 1e999999}", "{\"s\": \"a\\u0000b\"}", "{\"s\": \"\\ud800\"}",
      "{\"a\":".repeat(5000) + "1" + "}".repeat(5000), "not json", "[1, 2]", "{\"n\": -0, \"m\": 1E-400}",
      "{\"user\": \"admin\", \"blob\": \"" + "x".repeat(200_000) + "\"}", "{\"user\": \"forged\"}");
  /** Values for a json column (not jsonb), same classes. */
  static final List<String> JSON_VALUES = List.of("{\"n\": 1e999999}", "{\"s\": \"\\u0000\"}", "\"\\udc00\"",
      "[".repeat(3000) + "]".repeat(3000), "-0", "1E-400");

  static FaultSuite.Outcome run(PgServer source, PgServer destination, boolean quick) throws Exception {
    Ledger ledger = new Ledger();
    try (IngesterProcess ingester = FaultSuite.prepare(source, destination, NAME, source.port())) {
      source.execute("s_" + NAME, "CREATE TABLE guestbook (id bigserial PRIMARY KEY, note text, doc json)",
          "DROP ROLE IF EXISTS hostile", "CREATE ROLE hostile LOGIN",
          "GRANT USAGE ON SCHEMA public TO hostile", "GRANT INSERT ON guestbook TO hostile",
          "GRANT USAGE ON SEQUENCE guestbook_id_seq TO hostile",
          // Every signature (PostgreSQL 17 added a flush argument).
          """
          DO $$ DECLARE f regprocedure; BEGIN
            FOR f IN SELECT oid::regprocedure FROM pg_proc WHERE proname = 'pg_logical_emit_message' LOOP
              EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO hostile', f);
            END LOOP;
          END $$""");
      ingester.setup(); // again: the publication now includes guestbook (ALTER PUBLICATION path)
      ingester.start();
      long committed = 0;
      int rounds = quick ? 3 : 40;
      try (LedgerWriter writer = new LedgerWriter(source, "s_" + NAME, ledger);
           Connection hostile = DriverManager.getConnection(
               "jdbc:postgresql://127.0.0.1:" + source.port() + "/s_" + NAME + "?user=hostile")) {
        hostile.setAutoCommit(false);
        for (int round = 0; round < rounds; round++) {
          for (String message : MESSAGES) {
            committed += send(hostile, message, null);
          }
          for (String value : JSON_VALUES) {
            committed += send(hostile, "{\"round\": " + round + "}", value);
          }
          committed += sendBytes(hostile, new byte[] {(byte) 0xff, (byte) 0xfe, '{', '}'});
          try (Statement s = hostile.createStatement()) { // non-transactional: no transaction to describe
            s.execute("SELECT pg_logical_emit_message(false, '_bemi', '{\"non\": \"transactional\"}')");
          }
          hostile.commit();
          Thread.sleep(500);
        }
        Thread.sleep(2000);
      }
      System.out.printf("  hostile writer: %,d transactions committed%n", committed);
      long sessions = ingester.logLines("Streaming slot");
      FaultSuite.Outcome outcome = FaultSuite.finish(NAME, ingester, ledger, destination, "");
      long stored = destination.queryLong("d_" + NAME, "SELECT count(*) FROM bemi.changes WHERE \"table\" = 'guestbook'");
      long distinct = destination.queryLong("d_" + NAME,
          "SELECT count(DISTINCT primary_key) FROM bemi.changes WHERE \"table\" = 'guestbook'");
      long quarantined = destination.queryLong("d_" + NAME, "SELECT count(*) FROM bemi.quarantine");
      boolean passed = outcome.passed() && stored + quarantined == committed && distinct == stored && sessions == 1;
      return new FaultSuite.Outcome(NAME, passed, outcome.detail() + String.format(
          "; hostile changes: %,d committed, %,d stored, %,d quarantined; streaming sessions: %d",
          committed, stored, quarantined, sessions));
    }
  }

  /** One transaction: a message, then a row; returns 1 (the row committed). */
  private static long send(Connection c, String message, String jsonValue) throws SQLException {
    try (PreparedStatement m = c.prepareStatement("SELECT pg_logical_emit_message(true, '_bemi', ?)");
         PreparedStatement i = c.prepareStatement("INSERT INTO guestbook (note, doc) VALUES (?, ?::json)")) {
      m.setString(1, message);
      m.execute();
      i.setString(1, "hostile");
      i.setString(2, jsonValue);
      i.executeUpdate();
      c.commit();
      return 1;
    }
  }

  private static long sendBytes(Connection c, byte[] content) throws SQLException {
    try (PreparedStatement m = c.prepareStatement("SELECT pg_logical_emit_message(true, '_bemi', ?::bytea)");
         PreparedStatement i = c.prepareStatement("INSERT INTO guestbook (note) VALUES ('bytes')")) {
      m.setBytes(1, content);
      m.execute();
      i.executeUpdate();
      c.commit();
      return 1;
    }
  }
}

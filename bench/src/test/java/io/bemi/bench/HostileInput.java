package io.bemi.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hostile input: malformed {@code _bemi} messages, a 10 MB context, odd identifiers, a 1,600-column
 * table, a 10 MB text value, deeply nested JSON. Passes when every row's last stored {@code after}
 * equals {@code to_jsonb(row)} on the source, each table has the expected number of changes, the
 * contexts follow the documented rules (malformed: its text under {@code _bemi_unparsed};
 * oversized: reduced, with {@code _bemi_truncated}), and the ingester is still running.
 */
final class HostileInput {

  private HostileInput() {}

  /** An expected context given as "?key": the stored context has that top-level key. */
  private static final String UNPARSED = "?_bemi_unparsed";
  private static final String TRUNCATED = "?_bemi_truncated";

  private static final String WEIRD = "\"we\"\"ird tab le\"";

  static FaultSuite.Outcome run(PgServer source, PgServer destination) throws Exception {
    source.createDatabase("s_hostile");
    destination.createDatabase("d_hostile");
    StringBuilder wide = new StringBuilder("CREATE TABLE wide (id int PRIMARY KEY");
    for (int i = 1; i < 1600; i++) {
      wide.append(", c").append(i).append(" int");
    }
    source.execute("s_hostile",
        "CREATE TABLE " + WEIRD + " (\"id\" int PRIMARY KEY, \"a b\" text, \"Ünïcödé ✓\" text, \"select\" int, "
            + "\"from\" text, \"x\"\"y\" text)",
        "CREATE TABLE \"select\" (id int PRIMARY KEY, \"order\" text)",
        wide.append(")").toString(),
        "CREATE TABLE docs (id int PRIMARY KEY, body text, doc jsonb)");
    List<String> failures = new ArrayList<>();
    Map<Integer, String> expectedContext = new LinkedHashMap<>();
    try (IngesterProcess ingester = new IngesterProcess(source.uri("s_hostile"), destination.uri("d_hostile"),
        "bench_hostile")) {
      ingester.setup();
      ingester.start();
      try (Connection c = source.connect("s_hostile")) {
        c.setAutoCommit(false);
        // Malformed messages: each counts as context {} for the changes after it.
        message(c, "not json", 1, expectedContext, UNPARSED);
        message(c, "[1,2]", 2, expectedContext, UNPARSED);
        message(c, "\"text\"", 3, expectedContext, UNPARSED);
        try (Statement s = c.createStatement()) {
          s.execute("SELECT pg_logical_emit_message(true, '_bemi', '\\xfffe7b7d'::bytea)"); // not UTF-8
        }
        insertDoc(c, 4, "after invalid UTF-8", null);
        c.commit();
        expectedContext.put(4, UNPARSED);
        try (Statement s = c.createStatement()) {
          s.execute("SELECT pg_logical_emit_message(false, '_bemi', '{\"non\": \"transactional\"}')");
        }
        c.commit();
        message(c, "{\"nul\": \"\\u0000\"}", 5, expectedContext, UNPARSED);
        String big = "{\"blob\": \"" + "x".repeat(10 * 1024 * 1024) + "\"}";
        message(c, big, 6, expectedContext, TRUNCATED); // larger than --max-context-bytes (64 KiB)
        String odd = "{\"ü ✓ \\\"key\\\"\": \"line\\nbreak 'quote' \\\"dq\\\" 😀\", \"n\": 1.50, \"deep\": {\"a\": [1, {\"b\": null}]}}";
        message(c, odd, 7, expectedContext, odd);
        // A good message then a bad one then a write: the bad one resets to {}.
        try (PreparedStatement p = c.prepareStatement("SELECT pg_logical_emit_message(true, '_bemi', ?)")) {
          p.setString(1, "{\"good\": 1}");
          p.execute();
          insertDoc(c, 8, "under good", null);
          p.setString(1, "oops");
          p.execute();
          insertDoc(c, 9, "under bad", null);
        }
        c.commit();
        expectedContext.put(8, "{\"good\": 1}");
        expectedContext.put(9, UNPARSED);
        // Odd identifiers and values.
        try (Statement s = c.createStatement()) {
          s.execute("INSERT INTO " + WEIRD + " VALUES (1, 'a''b', 'ünï ✓ 😀', 1, 'from', 'x\"y'), "
              + "(2, E'tab\\tnew\\nline', '', 2, NULL, '\\\\'), (3, '\"', 'Ω', 3, 'z', 'q')");
          s.execute("UPDATE " + WEIRD + " SET \"a b\" = 'changed', \"select\" = \"select\" + 10 WHERE id = 1");
          s.execute("DELETE FROM " + WEIRD + " WHERE id = 3");
          s.execute("INSERT INTO \"select\" VALUES (1, 'by'), (2, 'asc')");
          StringBuilder insert = new StringBuilder("INSERT INTO wide VALUES (1");
          for (int i = 1; i < 1600; i++) {
            insert.append(", ").append(i);
          }
          s.execute(insert.append(")").toString());
          s.execute("UPDATE wide SET c7 = -7, c1599 = NULL WHERE id = 1");
        }
        c.commit();
        insertDoc(c, 10, "x".repeat(10 * 1024 * 1024), null); // 10 MB text
        c.commit();
        expectedContext.put(10, "{}");
        insertDoc(c, 11, "deep", "[".repeat(2000) + "]".repeat(2000));
        c.commit();
        expectedContext.put(11, "{}");
        insertDoc(c, 12, "deep object", "{\"a\":".repeat(1500) + "1" + "}".repeat(1500));
        c.commit();
        expectedContext.put(12, "{}");
        message(c, "{\"last\": true}", 13, expectedContext, "{\"last\": true}");
      }

      // Expected change counts per table: weird 3 inserts + 1 update + 1 delete; select 2; wide 2; docs 13.
      Map<String, Long> expectedCounts = Map.of("we\"ird tab le", 5L, "select", 2L, "wide", 2L, "docs", 13L);
      long total = expectedCounts.values().stream().mapToLong(Long::longValue).sum();
      long deadline = System.nanoTime() + 180_000_000_000L;
      long stored = 0;
      while (System.nanoTime() < deadline && ingester.isAlive()) {
        try {
          stored = destination.queryLong("d_hostile", "SELECT count(*) FROM bemi.changes");
        } catch (java.sql.SQLException e) {
          stored = 0;
        }
        if (stored >= total) {
          break;
        }
        Thread.sleep(250);
      }
      boolean alive = ingester.isAlive();
      if (!alive) {
        failures.add("the ingester exited; see " + ingester.log());
      }
      try (Connection src = source.connect("s_hostile"); Connection dst = destination.connect("d_hostile")) {
        for (var e : expectedCounts.entrySet()) {
          long n = count(dst, e.getKey());
          if (n != e.getValue()) {
            failures.add("table " + e.getKey() + ": " + n + " changes stored, expected " + e.getValue());
          }
        }
        for (String[] table : new String[][] {{WEIRD, "we\"ird tab le"}, {"\"select\"", "select"}, {"wide", "wide"},
            {"docs", "docs"}}) {
          compareRows(src, dst, table[0], table[1], failures);
        }
        for (var e : expectedContext.entrySet()) {
          boolean hasKey = e.getValue().startsWith("?");
          try (PreparedStatement p = dst.prepareStatement("SELECT " + (hasKey ? "jsonb_exists(context, ?)" : "context = ?::jsonb")
              + ", left(context::text, 200) FROM bemi.changes WHERE \"table\" = 'docs' AND primary_key = ?")) {
            p.setString(1, hasKey ? e.getValue().substring(1) : e.getValue());
            p.setString(2, e.getKey().toString());
            try (ResultSet rs = p.executeQuery()) {
              if (!rs.next()) {
                failures.add("docs row " + e.getKey() + " not stored");
              } else if (!rs.getBoolean(1)) {
                failures.add("docs row " + e.getKey() + ": context " + rs.getString(2) + ", expected "
                    + (e.getValue().length() > 200 ? e.getValue().substring(0, 200) : e.getValue()));
              }
            }
          }
        }
      }
      if (alive) {
        ingester.terminate();
      }
      ingester.teardown();
      failures.forEach(f -> System.out.println("    " + f));
      long malformedLogged = ingester.logLines("alformed");
      return new FaultSuite.Outcome("hostile", failures.isEmpty(), String.format(
          "%,d of %,d changes stored; %d problems; malformed-message log lines: %d", stored, total, failures.size(),
          malformedLogged));
    }
  }

  private static void message(Connection c, String content, int docId, Map<Integer, String> expected,
      String expectedContext) throws Exception {
    try (PreparedStatement p = c.prepareStatement("SELECT pg_logical_emit_message(true, '_bemi', ?)")) {
      p.setString(1, content);
      p.execute();
    }
    insertDoc(c, docId, "doc " + docId, null);
    c.commit();
    expected.put(docId, expectedContext);
  }

  private static void insertDoc(Connection c, int id, String body, String doc) throws Exception {
    try (PreparedStatement p = c.prepareStatement("INSERT INTO docs VALUES (?, ?, ?::jsonb)")) {
      p.setInt(1, id);
      p.setString(2, body);
      p.setString(3, doc);
      p.executeUpdate();
    }
  }

  private static long count(Connection dst, String table) throws Exception {
    try (PreparedStatement p = dst.prepareStatement("SELECT count(*) FROM bemi.changes WHERE \"table\" = ?")) {
      p.setString(1, table);
      try (ResultSet rs = p.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Each source row's to_jsonb equals the last stored after for its key (compared as jsonb on the destination). */
  private static void compareRows(Connection src, Connection dst, String quoted, String name, List<String> failures)
      throws Exception {
    try (Statement s = src.createStatement();
         ResultSet rs = s.executeQuery("SELECT id::text, to_jsonb(t)::text FROM " + quoted + " t");
         PreparedStatement last = dst.prepareStatement("SELECT after = ?::jsonb FROM bemi.changes "
             + "WHERE \"table\" = ? AND primary_key = ? ORDER BY commit_lsn DESC, change_index DESC LIMIT 1")) {
      while (rs.next()) {
        last.setString(1, rs.getString(2));
        last.setString(2, name);
        last.setString(3, rs.getString(1));
        try (ResultSet r = last.executeQuery()) {
          if (!r.next()) {
            failures.add(name + " row " + rs.getString(1) + ": no change stored");
          } else if (!r.getBoolean(1)) {
            failures.add(name + " row " + rs.getString(1) + ": stored after differs from to_jsonb on the source");
          }
        }
      }
    }
  }
}

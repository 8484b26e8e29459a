package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.sql.SqlNames;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The whole ingest path (real PostgreSQL, real ingester) against random input: tables with random
 * identifiers, values of many built-in types including extremes and special values, random
 * {@code _bemi} payloads, random interleavings of writes, messages, commits and rollbacks, beside
 * a control table written with well-formed contexts.
 *
 * <p>Invariants: the ingester keeps running; every committed change is stored once or
 * quarantined; the control table's changes are stored exactly (after = to_jsonb on the source,
 * context as sent). The seed is fixed ({@value #DEFAULT_SEED}); replay another with
 * {@code -Dbemi.seed=N}; a failure names its seed.
 */
@WithPostgres
@Tag("replication")
class GenerativeIngestTest {

  private static final long DEFAULT_SEED = 20261202L;
  private static final int TABLES = 5;
  private static final int OPERATIONS = 800;

  private static final String[] NAME_PIECES = {"$bemi$", "\n", "\"", ".", "select", "ü", "😀", " ", "$$", "'", ";",
      "x", "${tables}", "-- ", "Ω", "end", "\\", "%s"};

  /** Column types with generators of their literal text (cast by the column type on insert). */
  private static final Map<String, Function<Random, String>> TYPES = new LinkedHashMap<>();

  static {
    TYPES.put("numeric", r -> pick(r, "NaN", "Infinity", "-Infinity", "9".repeat(1000) + "." + "1".repeat(500),
        "-0.000000000000000000001", "0", "1e-300"));
    TYPES.put("float8", r -> pick(r, "NaN", "Infinity", "-Infinity", "-0", "1e308", "4.9e-324", "3.14"));
    TYPES.put("float4", r -> pick(r, "NaN", "-Infinity", "3.4e38", "1.5"));
    TYPES.put("int8", r -> pick(r, "-9223372036854775808", "9223372036854775807", "0"));
    TYPES.put("json", GenerativeIngestTest::hostileJson);
    TYPES.put("jsonb", r -> pick(r, "{}", "[]", "{\"a\": [1, 2.50, null, \"ü\"]}", "\"\\\\u0000 escaped\"",
        "[".repeat(500) + "]".repeat(500)));
    TYPES.put("json[]", r -> "{" + quoteArrayElement(hostileJson(r)) + "," + quoteArrayElement(hostileJson(r)) + "}");
    TYPES.put("int2vector", r -> pick(r, "", "1", "1 -2 3"));
    TYPES.put("oidvector", r -> pick(r, "", "23 25"));
    TYPES.put("text", r -> pick(r, "", "tab\there", "line\nbreak", "\\N", "😀 ü Ω", "x".repeat(3000), "$bemi$"));
    TYPES.put("text[]", r -> pick(r, "{}", "{NULL,\"a,b\",\"q\\\"uote\",\"\\\\\"}", "{{1,2},{3,4}}", "[0:1]={a,b}"));
    TYPES.put("bytea", r -> pick(r, "\\x", "\\x00ff", "\\x" + "ab".repeat(500)));
    TYPES.put("timestamptz", r -> pick(r, "infinity", "-infinity", "4713-01-01 00:00:00+00 BC", "294276-12-31 23:59:59+00",
        "2024-02-29 12:00:00.123456+05:30"));
    TYPES.put("timestamp", r -> pick(r, "infinity", "2000-01-01 00:00:00", "0001-01-01 00:00:00 BC"));
    TYPES.put("date", r -> pick(r, "infinity", "-infinity", "5874897-12-31"));
    TYPES.put("interval", r -> pick(r, "-178000000 years", "1 day -1 second", "00:00:00"));
    TYPES.put("int4range", r -> pick(r, "empty", "[1,5)", "(,)"));
    TYPES.put("int4multirange", r -> pick(r, "{}", "{[1,2),[5,7)}"));
    TYPES.put("point", r -> pick(r, "(1,2)", "(NaN,Infinity)"));
    TYPES.put("box[]", r -> pick(r, "{(1,1),(0,0);(2,2),(1,1)}", "{}"));
    TYPES.put("circle", r -> "<(0,0),1>");
    TYPES.put("inet", r -> pick(r, "::1", "192.168.0.1/24"));
    TYPES.put("cidr", r -> "10.0.0.0/8");
    TYPES.put("macaddr8", r -> "08:00:2b:01:02:03:04:05");
    TYPES.put("bit varying", r -> pick(r, "", "10101"));
    TYPES.put("tsvector", r -> "'a':1 'b''c':2");
    TYPES.put("uuid", r -> "00000000-0000-0000-0000-000000000000");
    TYPES.put("money", r -> "-92233720368547758.08");
    TYPES.put("pair", r -> pick(r, "(1,\"a,b\")", "(,)"));
    TYPES.put("bool", r -> pick(r, "t", "f"));
  }

  private static String pick(Random r, String... options) {
    return options[r.nextInt(options.length)];
  }

  private static String hostileJson(Random r) {
    return pick(r, "{\"n\": 1e999999}", "{\"s\": \"a\\u0000b\"}", "\"\\ud800\"", "\"\\udc00x\"",
        "[".repeat(2000) + "]".repeat(2000), "-0", "1E-400", "{\"ok\": 1.50}", "null", "{\"dup\": 1, \"dup\": 2}",
        "123456789012345678901234567890e-5", "1e1001");
  }

  private static String quoteArrayElement(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String messageContent(Random r) {
    return switch (r.nextInt(12)) {
      case 0 -> "not json";
      case 1 -> "[1, 2]";
      case 2 -> "{\"n\": 1e999999}";
      case 3 -> "{\"s\": \"\\u0000\"}";
      case 4 -> "{\"s\": \"\\ud800\"}";
      case 5 -> "{\"a\":".repeat(3000) + "1" + "}".repeat(3000);
      case 6 -> "{\"user\": \"u\", \"blob\": \"" + "x".repeat(70_000) + "\"}";
      case 7 -> "{\"n\": -0, \"m\": 1E-400, \"k\": 1e999}";
      case 8 -> "";
      default -> "{\"user\": \"u" + r.nextInt(100) + "\", \"ü 😀\": \"" + "y".repeat(r.nextInt(50)) + "\"}";
    };
  }

  /** A random identifier PostgreSQL accepts: at most 63 bytes, no NUL. */
  private static String identifier(Random r, int n) {
    StringBuilder name = new StringBuilder("t" + n);
    int pieces = 1 + r.nextInt(6);
    for (int i = 0; i < pieces; i++) {
      String piece = pick(r, NAME_PIECES);
      if ((name + piece).getBytes(StandardCharsets.UTF_8).length > 63) {
        break;
      }
      name.append(piece);
    }
    if (r.nextInt(4) == 0) { // pad to exactly 63 bytes
      while (name.toString().getBytes(StandardCharsets.UTF_8).length < 63) {
        name.append('z');
      }
    }
    return name.toString();
  }

  @Test
  void randomIdentifiersValuesAndMessagesNeverStopTheStreamNorLoseAChange(TestDatabase db) throws Exception {
    long seed = Long.getLong("bemi.seed", DEFAULT_SEED);
    System.out.println("GenerativeIngestTest seed " + seed + " (replay: -Dbemi.seed=" + seed + ")");
    try {
      run(db, seed);
    } catch (AssertionError | Exception e) {
      throw new AssertionError("Generative ingest failed with seed " + seed + " (replay: -Dbemi.seed=" + seed + "): "
          + e.getMessage(), e);
    }
  }

  private static void run(TestDatabase db, long seed) throws Exception {
    Random r = new Random(seed);
    db.execute("CREATE TYPE pair AS (a int, b text)", "CREATE TABLE control (id int PRIMARY KEY, v text)");
    List<String> tables = new ArrayList<>();
    Map<String, List<String>> columns = new HashMap<>();
    for (int t = 0; t < TABLES; t++) {
      String table = identifier(r, t);
      List<String> types = new ArrayList<>(TYPES.keySet());
      java.util.Collections.shuffle(types, r);
      List<String> chosen = types.subList(0, 8 + r.nextInt(8));
      StringBuilder ddl = new StringBuilder("CREATE TABLE " + SqlNames.identifier(table) + " (id int PRIMARY KEY");
      for (int c = 0; c < chosen.size(); c++) {
        ddl.append(", ").append(SqlNames.identifier(identifier(r, c))).append(' ').append(chosen.get(c));
      }
      db.execute(ddl.append(")").toString());
      tables.add(table);
      columns.put(table, chosen);
    }
    Map<String, Long> committedChanges = new HashMap<>();
    Map<Integer, String> controlContexts = new HashMap<>();
    try (IngesterHarness harness = IngesterHarness.start(db); Connection c = db.connect()) {
      c.setAutoCommit(false);
      Map<String, Long> pending = new HashMap<>();
      Map<Integer, String> pendingControl = new HashMap<>();
      String lastContext = null;
      int nextId = 1;
      for (int op = 0; op < OPERATIONS; op++) {
        int kind = r.nextInt(10);
        if (kind <= 4) { // insert into a random table
          String table = tables.get(r.nextInt(tables.size()));
          List<String> types = columns.get(table);
          StringBuilder sql = new StringBuilder("INSERT INTO " + SqlNames.identifier(table) + " VALUES (?");
          types.forEach(t -> sql.append(", ?::").append(t));
          try (PreparedStatement p = c.prepareStatement(sql.append(")").toString())) {
            p.setInt(1, nextId++);
            for (int i = 0; i < types.size(); i++) {
              p.setString(i + 2, r.nextInt(8) == 0 ? null : TYPES.get(types.get(i)).apply(r));
            }
            p.executeUpdate();
          }
          pending.merge(table, 1L, Long::sum);
        } else if (kind == 5) { // a control row, attributed to the latest well-formed context
          int id = nextId++;
          try (PreparedStatement m = c.prepareStatement("SELECT pg_logical_emit_message(true, '_bemi', ?)");
               PreparedStatement p = c.prepareStatement("INSERT INTO control VALUES (?, ?)")) {
            lastContext = "{\"control\": " + id + "}";
            m.setString(1, lastContext);
            m.execute();
            p.setInt(1, id);
            p.setString(2, "v" + id);
            p.executeUpdate();
          }
          pending.merge("control", 1L, Long::sum);
          pendingControl.put(id, lastContext);
        } else if (kind <= 7) { // a random message (applies to what follows in this transaction)
          try (PreparedStatement m = c.prepareStatement("SELECT pg_logical_emit_message(?, '_bemi', ?)")) {
            m.setBoolean(1, r.nextInt(10) != 0);
            m.setString(2, messageContent(r));
            m.execute();
          }
        } else if (kind == 8) {
          c.commit();
          pending.forEach((table, n) -> committedChanges.merge(table, n, Long::sum));
          controlContexts.putAll(pendingControl);
          pending.clear();
          pendingControl.clear();
        } else {
          c.rollback();
          pending.clear();
          pendingControl.clear();
        }
      }
      c.commit();
      pending.forEach((table, n) -> committedChanges.merge(table, n, Long::sum));
      controlContexts.putAll(pendingControl);
      harness.awaitCaughtUp();

      assertThat(harness.failure()).as("the ingester keeps running").isNull();
      for (Map.Entry<String, Long> e : committedChanges.entrySet()) {
        long stored = count(db, "SELECT count(*) FROM bemi.changes WHERE \"table\" = ?", e.getKey());
        long distinct = count(db, "SELECT count(DISTINCT primary_key) FROM bemi.changes WHERE \"table\" = ?", e.getKey());
        long quarantined = count(db, "SELECT count(*) FROM bemi.quarantine WHERE \"table\" = ?", e.getKey());
        assertThat(stored + quarantined).as("changes of %s stored or quarantined", e.getKey()).isEqualTo(e.getValue());
        assertThat(distinct).as("changes of %s stored once", e.getKey()).isEqualTo(stored);
      }
      assertThat(db.queryLong("SELECT count(*) FROM control s JOIN bemi.changes c ON c.\"table\" = 'control'"
          + " AND c.primary_key = s.id::text AND c.after = to_jsonb(s.*)")).isEqualTo(controlContexts.size());
      for (Map.Entry<Integer, String> e : controlContexts.entrySet()) {
        assertThat(count(db, "SELECT count(*) FROM bemi.changes WHERE \"table\" = 'control' AND primary_key = ?"
            + " AND context = '" + e.getValue() + "'::jsonb", e.getKey().toString())).as("context of control row %s",
            e.getKey()).isEqualTo(1);
      }
    }
  }

  private static long count(TestDatabase db, String sql, String parameter) throws Exception {
    try (Connection c = db.connect(); PreparedStatement p = c.prepareStatement(sql)) {
      p.setString(1, parameter);
      try (var rs = p.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}

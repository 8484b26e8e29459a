package io.bemi.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Restore and roll forward on real writes (captured into bemi.changes by the test trigger): the
 * statements run on the source (here the same database) and must leave the tables exactly as they
 * were at the instant, foreign keys respected.
 */
@WithPostgres
class RestoreTest {

  private static final List<String> TABLES = List.of("public.parent", "public.child");

  private static void schema(TestDatabase db) throws SQLException {
    Trail.install(db);
    db.execute("""
        CREATE TABLE parent (a int, b text, name text, score numeric, at timestamptz, tags text[], PRIMARY KEY (a, b));
        CREATE TABLE child (id int PRIMARY KEY, pa int, pb text, qty int NOT NULL, data jsonb,
                            FOREIGN KEY (pa, pb) REFERENCES parent (a, b))""");
    Trail.capture(db, "parent");
    Trail.capture(db, "child");
  }

  private static BemiChanges bemi(TestDatabase db) {
    return BemiChanges.of(db.dataSource());
  }

  private static void apply(TestDatabase db, String sql) throws SQLException {
    try (Connection c = db.connect()) {
      BemiChanges.apply(c, sql);
    }
  }

  /** Both tables as PostgreSQL's own text form, ordered: exact values. */
  private static String copy(Connection c) throws SQLException {
    StringBuilder out = new StringBuilder();
    for (String table : TABLES) {
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT t::text FROM " + table + " t ORDER BY t::text")) {
        out.append(table).append(":\n");
        while (rs.next()) {
          out.append("  ").append(rs.getString(1)).append('\n');
        }
      }
    }
    return out.toString();
  }

  private static Instant instant(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT clock_timestamp()")) {
      rs.next();
      return rs.getObject(1, OffsetDateTime.class).toInstant();
    }
  }

  /** A random transaction of 1-4 writes (key updates too) over the two tables, keeping the foreign keys valid. */
  private static void randomTransaction(Connection c, Random random) throws SQLException {
    try (Statement s = c.createStatement()) {
      int writes = 1 + random.nextInt(4);
      for (int i = 0; i < writes; i++) {
        int a = random.nextInt(6);
        String b = "k" + random.nextInt(3);
        int id = random.nextInt(12);
        switch (random.nextInt(9)) {
          case 0 -> s.execute("INSERT INTO parent VALUES (" + a + ", '" + b + "', 'p" + random.nextInt(1000) + "', "
              + random.nextInt(100000) + ".0" + random.nextInt(10) + ", '2024-01-0" + (1 + random.nextInt(9))
              + " 10:00:00.12345+02', '{x," + random.nextInt(9) + "}') ON CONFLICT DO NOTHING");
          case 1 -> s.execute("UPDATE parent SET name = name || '!', score = score * 2, tags = tags || 'y'::text"
              + " WHERE a = " + a + " AND b = '" + b + "'");
          case 2 -> {
            s.execute("DELETE FROM child WHERE pa = " + a + " AND pb = '" + b + "'");
            s.execute("DELETE FROM parent WHERE a = " + a + " AND b = '" + b + "'");
          }
          case 3, 4 -> s.execute("INSERT INTO child SELECT " + id + ", p.a, p.b, " + random.nextInt(50)
              + ", '{\"n\": " + random.nextInt(99) + ", \"deep\": [1, {\"x\": null}]}'"
              + " FROM parent p ORDER BY p.a, p.b OFFSET " + random.nextInt(4) + " LIMIT 1 ON CONFLICT (id) DO UPDATE"
              + " SET qty = excluded.qty, pa = excluded.pa, pb = excluded.pb, data = excluded.data");
          case 5 -> s.execute("UPDATE child SET qty = qty + 1, data = NULL WHERE id = " + id);
          case 6 -> s.execute("DELETE FROM child WHERE id = " + id);
          // key updates: the record keeps its identity in the trail (previous_primary_key)
          case 7 -> s.execute("UPDATE child SET id = " + (id + 1) + ", qty = qty + 2 WHERE id = " + id
              + " AND NOT EXISTS (SELECT 1 FROM child WHERE id = " + (id + 1) + ")");
          default -> s.execute("UPDATE parent SET a = " + (a + 1) + " WHERE a = " + a + " AND b = '" + b + "'"
              + " AND NOT EXISTS (SELECT 1 FROM child WHERE pa = " + a + " AND pb = '" + b + "')"
              + " AND NOT EXISTS (SELECT 1 FROM parent WHERE a = " + (a + 1) + " AND b = '" + b + "')");
        }
      }
    }
    c.commit();
  }

  @Test
  void restoringToRandomInstantsYieldsExactlyTheTablesAsTheyWereThen(TestDatabase shared) throws SQLException {
    long seed = 18_2024L;
    TestDatabase db = shared.createSibling("restore_property");
    schema(db);
    Random random = new Random(seed);
    Map<Instant, String> copies = new TreeMap<>();
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      for (int tx = 0; tx < 80; tx++) {
        randomTransaction(c, random);
        if (random.nextInt(8) == 0) {
          copies.put(instant(c), copy(c));
          c.commit();
        }
      }
      List<Instant> instants = new ArrayList<>(copies.keySet());
      for (int round = 0; round < 5; round++) {
        Instant at = instants.get(random.nextInt(instants.size()));
        String sql = bemi(db).restoreTablesSql(TABLES, at, false);
        c.commit();
        BemiChanges.apply(c, sql);
        assertThat(copy(c)).as("seed %s, round %s, restore to %s", seed, round, at).isEqualTo(copies.get(at));
        randomTransaction(c, random); // the trail goes on after a restore
      }
    }
  }

  @Test
  void theDryRunCountsWhatTheRestoreDoesPerTable(TestDatabase shared) throws SQLException {
    TestDatabase db = shared.createSibling("restore_counts");
    schema(db);
    db.execute("INSERT INTO parent VALUES (1, 'x', 'one', 1, now(), '{}'), (2, 'x', 'two', 2, now(), '{}')");
    Instant at = Instant.now();
    db.execute("UPDATE parent SET name = 'uno' WHERE a = 1", "DELETE FROM parent WHERE a = 2",
        "INSERT INTO parent VALUES (3, 'x', 'three', 3, now(), '{}')");

    assertThat(bemi(db).restoreCounts(TABLES, at)).containsExactly(
        new RestoreCount("public", "child", 0, 0, 0), new RestoreCount("public", "parent", 1, 1, 1));
  }

  @Test
  void aRowChangedOnTheSourceSinceTheTrailSawItIsAConflictThatChangesNothing(TestDatabase shared) throws SQLException {
    TestDatabase db = shared.createSibling("restore_conflict");
    schema(db);
    db.execute("INSERT INTO parent VALUES (1, 'x', 'one', 1, now(), '{}')");
    Instant at = Instant.now();
    db.execute("UPDATE parent SET name = 'uno' WHERE a = 1", "INSERT INTO parent VALUES (2, 'x', 'two', 2, now(), '{}')");
    String sql = bemi(db).restoreTableSql("public.parent", at, false);
    db.execute("ALTER TABLE parent DISABLE TRIGGER USER", "UPDATE parent SET score = 42 WHERE a = 1"); // not in the trail

    assertThatThrownBy(() -> apply(db, sql)).isInstanceOf(RevertConflictException.class)
        .hasMessageContaining("bemi restore conflict").hasMessageContaining("column(s) score").hasMessageNotContaining("42");
    assertThat(db.queryLong("SELECT count(*) FROM parent")).isEqualTo(2);
  }

  @Test
  void aConflictInOneTableChangesNoTableBeforeItIsFound(TestDatabase shared) throws SQLException {
    TestDatabase db = shared.createSibling("restore_conflict_two_tables");
    schema(db);
    db.execute("INSERT INTO parent VALUES (1, 'x', 'one', 1, now(), '{}')", "INSERT INTO child VALUES (7, 1, 'x', 3, NULL)");
    Instant at = Instant.now();
    db.execute("UPDATE child SET qty = 4 WHERE id = 7", "UPDATE parent SET name = 'uno' WHERE a = 1");
    String sql = bemi(db).restoreTablesSql(TABLES, at, false); // checks "public"."child" first, then "public"."parent"
    db.execute("ALTER TABLE parent DISABLE TRIGGER USER", "UPDATE parent SET score = 42 WHERE a = 1"); // not in the trail

    assertThatThrownBy(() -> apply(db, sql)).isInstanceOf(RevertConflictException.class)
        .hasMessageContaining("bemi restore conflict at step 2 (update public.parent key [1,\"x\"])")
        .hasMessageContaining("column(s) score");
    assertThat(db.queryLong("SELECT qty FROM child WHERE id = 7")).isEqualTo(4);
  }

  @Test
  void aForcedRestoreOverwritesWhatItRestoresAndSkipsRowsThatAreGone(TestDatabase shared) throws SQLException {
    TestDatabase db = shared.createSibling("restore_forced");
    schema(db);
    db.execute("INSERT INTO parent VALUES (1, 'x', 'one', 1, '2024-01-01 00:00+00', '{a}'),"
        + " (2, 'x', 'two', 2, '2024-01-02 00:00+00', '{b}'), (3, 'x', 'three', 3, NULL, '{}')");
    Instant at = Instant.now();
    db.execute("UPDATE parent SET name = 'uno' WHERE a = 1", "DELETE FROM parent WHERE a = 2",
        "UPDATE parent SET name = 'tres' WHERE a = 3");
    db.execute("ALTER TABLE parent DISABLE TRIGGER USER", "UPDATE parent SET score = 42 WHERE a = 1", // not in the trail
        "INSERT INTO parent VALUES (2, 'x', 'again', 9, NULL, '{}')", "DELETE FROM parent WHERE a = 3");

    assertThatThrownBy(() -> apply(db, bemi(db).restoreTableSql("parent", at, false)))
        .isInstanceOf(RevertConflictException.class).hasMessageContaining("column(s) score");
    apply(db, bemi(db).restoreTableSql("parent", at, true));
    try (Connection c = db.connect()) {
      assertThat(copy(c)).isEqualTo("""
          public.parent:
            (1,x,one,42,"2024-01-01 00:00:00+00",{a})
            (2,x,two,2,"2024-01-02 00:00:00+00",{b})
          public.child:
          """);
    }
  }

  @Test
  void aRestoreRefusesColumnsTheTableNoLongerHasOrCanNoLongerHold(TestDatabase shared) throws SQLException {
    TestDatabase db = shared.createSibling("restore_altered");
    schema(db);
    db.execute("INSERT INTO parent VALUES (1, 'x', 'one', 1, NULL, '{a}')");
    Instant at = Instant.now();
    db.execute("UPDATE parent SET name = 'uno', tags = '{}' WHERE a = 1");
    String sql = bemi(db).restoreTableSql("parent", at, false);

    db.execute("ALTER TABLE parent ALTER COLUMN tags TYPE int[] USING '{}'");
    assertThatThrownBy(() -> apply(db, sql))
        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("BM007"))
        .hasMessageContaining("no longer fit the columns of public.parent");
    db.execute("ALTER TABLE parent DROP COLUMN name");
    assertThatThrownBy(() -> apply(db, sql))
        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("BM007"))
        .hasMessageContaining("has no column name any more");
    assertThat(db.queryValue("SELECT tags::text FROM parent")).isEqualTo("{}");
  }

  @Test
  void redactedColumnsAreNeitherComparedNorWrittenAndARowToInsertWithThemIsRefused(TestDatabase shared) throws SQLException {
    TestDatabase db = shared.createSibling("restore_redacted");
    schema(db);
    db.execute("INSERT INTO parent VALUES (1, 'x', 'one', 1, NULL, '{}'), (2, 'x', 'two', 2, NULL, '{}')");
    Instant at = Instant.now();
    db.execute("UPDATE parent SET name = 'uno', score = 10 WHERE a = 1");
    // the ingester's --redact-columns: the trail never holds parent.name
    db.execute("UPDATE bemi.changes SET after = jsonb_set(after, '{name}', '\"[REDACTED]\"'),"
        + " before = CASE WHEN before ? 'name' THEN jsonb_set(before, '{name}', '\"[REDACTED]\"') ELSE before END"
        + " WHERE \"table\" = 'parent'");

    apply(db, bemi(db).restoreTableSql("parent", at, false));
    try (Connection c = db.connect()) {
      assertThat(copy(c)).contains("(1,x,uno,1,,{})", "(2,x,two,2,,{})"); // score restored, name left as it is
    }
    Instant beforeDelete = Instant.now();
    db.execute("DELETE FROM parent WHERE a = 2");
    db.execute("UPDATE bemi.changes SET before = jsonb_set(before, '{name}', '\"[REDACTED]\"')"
        + " WHERE \"table\" = 'parent' AND operation = 'DELETE'");
    assertThatThrownBy(() -> bemi(db).restoreTableSql("parent", beforeDelete, false))
        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("BM006"))
        .hasMessageContaining("public.parent key [2,\"x\"]: name");
  }

  @Test
  void aValueKeptInTheFallbackFormIsNeverWrittenBackByARestore(TestDatabase shared) throws SQLException {
    TestDatabase db = shared.createSibling("restore_unparsed");
    Trail.install(db);
    db.execute("CREATE TABLE docs (id int PRIMARY KEY, body json)");
    Trail.capture(db, "docs");
    db.execute("INSERT INTO docs VALUES (1, '{}')");
    Instant at = Instant.now();
    db.execute("DELETE FROM docs WHERE id = 1");
    db.execute("UPDATE bemi.changes SET after = jsonb_set(after, '{body}', '{\"_bemi_unparsed\": {\"text\": \"x\"}}'),"
        + " before = CASE WHEN before ? 'body' THEN jsonb_set(before, '{body}', '{\"_bemi_unparsed\": {\"text\": \"x\"}}')"
        + " ELSE before END WHERE \"table\" = 'docs'");

    assertThatThrownBy(() -> apply(db, bemi(db).restoreTableSql("docs", at, false)))
        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("BM009"))
        .hasMessageContaining("column(s) body of public.docs");
    assertThat(db.queryLong("SELECT count(*) FROM docs")).isZero();
  }

  @Test
  void aRestoreAnnouncesItselfWithARestoreOfContext(TestDatabase shared) throws SQLException {
    TestDatabase db = shared.createSibling("restore_context");
    schema(db);
    Instant at = Instant.now();
    db.execute("INSERT INTO parent VALUES (1, 'x', 'one', 1, now(), '{}')");

    assertThat(bemi(db).restoreTableSql("parent", at, false))
        .contains("pg_logical_emit_message(true, '_bemi', '{\"restoreOf\": {\"at\": ");
  }

  @Test
  void rollingForwardReplaysARangeOntoAnotherDatabaseWithTheSameSchema(TestDatabase shared) throws SQLException {
    TestDatabase db = shared.createSibling("replay_source");
    TestDatabase target = shared.createSibling("replay_target");
    schema(db);
    target.execute("""
        CREATE TABLE parent (a int, b text, name text, score numeric, at timestamptz, tags text[], PRIMARY KEY (a, b));
        CREATE TABLE child (id int PRIMARY KEY, pa int, pb text, qty int NOT NULL, data jsonb,
                            FOREIGN KEY (pa, pb) REFERENCES parent (a, b))""");
    db.execute("INSERT INTO parent VALUES (1, 'x', 'one', 1.50, '2024-01-01 00:00+00', '{a}')");
    target.execute("INSERT INTO parent VALUES (1, 'x', 'one', 1.50, '2024-01-01 00:00+00', '{a}')");
    Instant from = Instant.now();
    db.execute("INSERT INTO parent VALUES (2, 'y', 'two', 2, now(), '{}')", "INSERT INTO child VALUES (7, 2, 'y', 3, '{\"z\": 1}')",
        "UPDATE parent SET name = 'uno', tags = '{a,b}' WHERE a = 1", "UPDATE child SET qty = 4 WHERE id = 7",
        "DELETE FROM child WHERE id = 7");
    Instant to = Instant.now();

    String sql = bemi(db).replaySql(from, to, List.of());
    try (Connection c = target.connect()) {
      BemiChanges.apply(c, sql);
      try (Connection s = db.connect()) {
        assertThat(copy(c)).isEqualTo(copy(s));
      }
    }
  }

  @Test
  void rollingForwardOntoARowThatDiffersIsAConflict(TestDatabase shared) throws SQLException {
    TestDatabase db = shared.createSibling("replay_conflict");
    TestDatabase target = shared.createSibling("replay_conflict_target");
    schema(db);
    target.execute("CREATE TABLE parent (a int, b text, name text, score numeric, at timestamptz, tags text[], PRIMARY KEY (a, b))");
    db.execute("INSERT INTO parent VALUES (1, 'x', 'one', 1, NULL, '{}')");
    target.execute("INSERT INTO parent VALUES (1, 'x', 'ONE', 1, NULL, '{}')");
    Instant from = Instant.now();
    db.execute("UPDATE parent SET score = 5 WHERE a = 1");

    String sql = bemi(db).replaySql(from, Instant.now(), List.of("public.parent"));
    try (Connection c = target.connect()) {
      assertThatThrownBy(() -> BemiChanges.apply(c, sql)).isInstanceOf(RevertConflictException.class)
          .hasMessageContaining("column(s) name");
    }
  }

  /**
   * Rows the table held before the trail began (no baseline): a restore to an instant before their
   * first recorded change brings them back as that UPDATE or DELETE found them when it holds the
   * whole old row (REPLICA IDENTITY FULL), and is refused otherwise: it used to plan to delete them.
   */
  @Test
  void rowsOlderThanTheTrailComeBackAsTheirFirstChangeFoundThemOrTheRestoreIsRefused(TestDatabase shared)
      throws SQLException {
    TestDatabase db = shared.createSibling("restore_before_trail");
    Trail.install(db);
    db.execute("CREATE TABLE account (id int PRIMARY KEY, owner text, balance int)",
        "INSERT INTO account VALUES (1, 'ann', 10), (2, 'bob', 20), (3, 'cy', 30), (5, 'eve', 50)");
    Trail.capture(db, "account"); // the trail begins: the rows above are in no change
    Instant at = Instant.now();
    db.execute("UPDATE account SET balance = 11 WHERE id = 1", "DELETE FROM account WHERE id = 2",
        "INSERT INTO account VALUES (4, 'dee', 40)", "UPDATE account SET id = 6, balance = 51 WHERE id = 5");

    apply(db, bemi(db).restoreTableSql("public.account", at, false));
    assertThat(Trail.column(db, "SELECT a::text FROM account a ORDER BY id"))
        .containsExactly("(1,ann,10)", "(2,bob,20)", "(3,cy,30)", "(5,eve,50)");

    db.execute("CREATE TABLE ledger (id int PRIMARY KEY, note text)",
        "INSERT INTO ledger VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')");
    Trail.capture(db, "ledger");
    Instant beforeItsChanges = Instant.now();
    db.execute("UPDATE ledger SET note = 'a2' WHERE id = 1", "DELETE FROM ledger WHERE id = 2",
        "INSERT INTO ledger VALUES (5, 'e')");
    // as the ingester stores them without REPLICA IDENTITY FULL: no old row for the UPDATE, the key for the DELETE
    db.execute("UPDATE bemi.changes SET before = '{}' WHERE \"table\" = 'ledger' AND operation = 'UPDATE'",
        "UPDATE bemi.changes SET before = '{\"id\": 2}' WHERE \"table\" = 'ledger' AND operation = 'DELETE'",
        // and a baseline copy of row 3 taken after the instant (setup --snapshot)
        "INSERT INTO bemi.changes (primary_key, after, database, schema, \"table\", operation, committed_at, queued_at,"
            + " transaction_id, position, commit_lsn, change_index) VALUES ('3', '{\"id\": 3, \"note\": \"c\"}',"
            + " current_database(), 'public', 'ledger', 'SNAPSHOT', now(), now(), 1, 1, 1, 0)");

    assertThatThrownBy(() -> bemi(db).restoreTableSql("public.ledger", beforeItsChanges, false))
        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("BM010"))
        .hasMessageContaining("the trail does not hold what these rows were at")
        .hasMessageContaining("3 row(s), public.ledger key 1; public.ledger key 2; public.ledger key 3");
    assertThat(Trail.column(db, "SELECT action || ' ' || primary_key FROM bemi.restore_plan(ARRAY['public.ledger'], ?)",
        java.sql.Timestamp.from(beforeItsChanges))).containsExactly("unknown 1", "unknown 2", "unknown 3", "delete 5");
  }

  @Test
  void aTableWithoutAKeyCannotBeRestored(TestDatabase shared) throws SQLException {
    TestDatabase db = shared.createSibling("restore_keyless");
    Trail.install(db);
    db.execute("CREATE TABLE logs (line text)");
    Trail.capture(db, "logs");
    Instant at = Instant.now();
    db.execute("INSERT INTO logs VALUES ('a')");

    assertThatThrownBy(() -> bemi(db).restoreTableSql("logs", at, false))
        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("BM003"))
        .hasMessageContaining("has no key");
  }

  /**
   * The plan reads the changes since the instant through changes_table_time_idx, however many
   * changes of the table came before it. The planner sees the tables as an array: it estimated
   * the changes since as a share of the whole trail and read all of it (29 s at 100M changes, for
   * 10,000 changes since).
   */
  @Test
  void thePlanReadsOnlyTheChangesSinceTheInstantHoweverManyCameBefore(TestDatabase shared) throws SQLException {
    TestDatabase db = shared.createSibling("restore_changes_since");
    Trail.install(db);
    db.execute("CREATE TABLE accounts (id int PRIMARY KEY, balance int)");
    String insert = """
        INSERT INTO bemi.changes (primary_key, before, after, context, database, schema, "table", operation,
                                  committed_at, queued_at, transaction_id, position, commit_lsn, change_index)
        SELECT k::text, '{}', jsonb_build_object('id', k, 'balance', v), '{}', 'test', 'public', t, 'UPDATE', ts, ts, g, g,
               g * 100, 0
          FROM generate_series(%d, %d) g, LATERAL (SELECT %s) x""";
    // 100,000 changes of accounts in the first 10 minutes, interleaved with 100,000 of another
    // table in the day after them (no order the planner could lean on), then 10 of accounts.
    db.execute(String.format(insert, 0, 199_999, "CASE WHEN g % 2 = 0 THEN 'accounts' ELSE 'other' END AS t, g % 100 AS k,"
        + " g AS v, timestamptz '2024-01-01' + CASE WHEN g % 2 = 0 THEN g * interval '3 ms' ELSE interval '1 hour' + g * interval '400 ms' END AS ts"));
    db.execute(String.format(insert, 200_000, 200_009, "'accounts' AS t, (g * 2) % 100 AS k, -1 AS v,"
        + " timestamptz '2024-01-02' + g * interval '1 ms' AS ts"), "ANALYZE bemi.changes");
    String partition = Trail.column(db, "SELECT DISTINCT tableoid::regclass::text FROM bemi.changes").get(0).replace("bemi.", "");

    StringBuilder plans = new StringBuilder();
    List<String> counts = new ArrayList<>();
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("LOAD 'auto_explain'");
      s.execute("SET auto_explain.log_min_duration = 0");
      s.execute("SET auto_explain.log_nested_statements = on");
      s.execute("SET client_min_messages = log"); // the plans come back as warnings
      // A scan of 200,000 changes costs the planner little; these make it as cheap as the parallel
      // scan it chose on a trail of 100M.
      s.execute("SET parallel_setup_cost = 0");
      s.execute("SET parallel_tuple_cost = 0");
      s.execute("SET min_parallel_table_scan_size = 0");
      try (ResultSet rs = s.executeQuery("SELECT table_name, inserts, updates, deletes"
          + " FROM bemi.restore_counts(ARRAY['public.accounts'], '2024-01-01 00:30:00+00')")) {
        while (rs.next()) {
          counts.add(rs.getString(1) + " " + rs.getLong(2) + "/" + rs.getLong(3) + "/" + rs.getLong(4));
        }
      }
      for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
        plans.append(w.getMessage()).append('\n');
      }
    }

    assertThat(counts).containsExactly("accounts 0/10/0");
    assertThat(plans.toString()).contains(partition + "_table_committed_at_idx")
        .doesNotContain("Seq Scan on " + partition);
  }
}

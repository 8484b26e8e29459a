package io.bemi.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reverts generated on the destination and run on the source (here the same database): the
 * source must come back exactly as it was, for every type the ingestion maps.
 */
@WithPostgres
class RevertTest {

  /** One column per mapped type, with hostile text. */
  private static final String EVERY_TYPE_TABLE = """
      CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
      CREATE DOMAIN positive_int AS int CHECK (VALUE > 0);
      CREATE TYPE pair AS (a int, b text);
      CREATE TABLE everything (
        id int PRIMARY KEY, i int, b bigint, n numeric, f8 float8, f4 real, t text, by bytea, u uuid, j json,
        jb jsonb, ia int[], ta2 text[], ts timestamp, tstz timestamptz, d date, tm time, tmtz timetz,
        iv interval, ip inet, cd cidr, m mood, pi positive_int, r int4range, tr tstzrange, mo money,
        bo boolean, comp pair, bits varbit, x xml, pt point, ch char(3))""";

  private static final String ROW_A = """
      INSERT INTO everything VALUES (1, 2147483647, 9223372036854775807,
        12345678901234567890.123456789012345678901234567890, 'NaN', 0.1,
        E'it''s "quoted" \\\\ back $bemi_revert$ $$ %s %% ünïcødé 🎉 \\n line', '\\x000102ff',
        'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"k": [1, "two", null]}', '{"nested": {"a": [1, 2.50]}}',
        '{1,NULL,3}', '{{a,NULL},{"c d","e,f"}}', '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05.123456+02',
        '2024-02-29', '23:59:59.999999', '10:00:00+05:30', '1 year 2 mons 3 days 04:05:06.789', '192.168.0.1/24',
        '10.0.0.0/8', 'happy', 5, '[1,10)', '[2024-01-01 00:00:00+00,2024-02-01 00:00:00+00)', '$1,234.56', true,
        '(1,"x y")', B'10101', '<a>b &amp; c</a>', '(1.5,-2)', 'ab')""";

  private static final String TO_ROW_B = """
      UPDATE everything SET i = -1, b = -9223372036854775808, n = 'NaN', f8 = 'Infinity', f4 = '-Infinity',
        t = '', by = '\\x', u = '00000000-0000-0000-0000-000000000000', j = '[]', jb = '"text"', ia = '{}',
        ta2 = '{{NULL}}', ts = 'infinity', tstz = '-infinity', d = '1970-01-01', tm = '00:00', tmtz = '00:00:00-08',
        iv = '-1 days', ip = '::1', cd = '2001:db8::/32', m = 'sad', pi = 1, r = 'empty', tr = '(,)', mo = '-$0.01',
        bo = false, comp = '(,)', bits = B'', x = '', pt = '(0,0)', ch = NULL
      WHERE id = 1""";

  private static final String TO_NULLS = """
      UPDATE everything SET i = NULL, b = NULL, n = NULL, f8 = NULL, f4 = NULL, t = NULL, by = NULL, u = NULL,
        j = NULL, jb = NULL, ia = NULL, ta2 = NULL, ts = NULL, tstz = NULL, d = NULL, tm = NULL, tmtz = NULL,
        iv = NULL, ip = NULL, cd = NULL, m = NULL, pi = NULL, r = NULL, tr = NULL, mo = NULL, bo = NULL,
        comp = NULL, bits = NULL, x = NULL, pt = NULL, ch = NULL
      WHERE id = 1""";

  @BeforeAll
  static void createTables(TestDatabase db) throws SQLException {
    Trail.install(db);
    db.execute(EVERY_TYPE_TABLE);
    Trail.capture(db, "everything");
  }

  private static void write(TestDatabase db, String... statements) throws SQLException {
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      for (String sql : statements) {
        s.execute(sql);
      }
      c.commit();
    }
  }

  /** Every row of a table as PostgreSQL's own text form, ordered: exact values, not JSON. */
  private static List<String> rows(TestDatabase db, String table) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT t::text FROM " + table + " t ORDER BY t::text")) {
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
    }
    return rows;
  }

  private static String text(TestDatabase db, String sql, Object... args) throws SQLException {
    try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** The id of the latest change of a table with the given operation. */
  private static UUID lastChange(TestDatabase db, String table, String operation) throws SQLException {
    return UUID.fromString(text(db, "SELECT id::text FROM bemi.changes WHERE \"table\" = ? AND operation = ?"
        + " ORDER BY commit_lsn DESC, change_index DESC LIMIT 1", table, operation));
  }

  private static BemiChanges bemi(TestDatabase db) {
    return BemiChanges.of(db.dataSource());
  }

  private static void applyOnSource(TestDatabase db, String revertSql) throws SQLException {
    try (Connection source = db.connect()) {
      BemiChanges.apply(source, revertSql);
    }
  }

  @Test
  void revertingAnInsertOfEveryTypeDeletesTheRow(TestDatabase db) throws SQLException {
    db.execute("DELETE FROM everything");
    List<String> before = rows(db, "everything");
    write(db, ROW_A);

    applyOnSource(db, bemi(db).revertSql(lastChange(db, "everything", "CREATE"), false));

    assertThat(rows(db, "everything")).isEqualTo(before).isEmpty();
  }

  @Test
  void revertingAnUpdateOfEveryTypeRestoresEveryValueExactly(TestDatabase db) throws SQLException {
    db.execute("DELETE FROM everything");
    write(db, ROW_A);
    List<String> before = rows(db, "everything");
    write(db, TO_ROW_B);
    assertThat(rows(db, "everything")).isNotEqualTo(before);

    applyOnSource(db, bemi(db).revertSql(lastChange(db, "everything", "UPDATE"), false));

    assertThat(rows(db, "everything")).isEqualTo(before);
  }

  @Test
  void revertingAnUpdateToNullsRestoresEveryValueExactly(TestDatabase db) throws SQLException {
    db.execute("DELETE FROM everything");
    write(db, ROW_A, TO_ROW_B);
    List<String> before = rows(db, "everything");
    write(db, TO_NULLS);

    applyOnSource(db, bemi(db).revertSql(lastChange(db, "everything", "UPDATE"), false));

    assertThat(rows(db, "everything")).isEqualTo(before);
  }

  @Test
  void revertingADeleteOfEveryTypeInsertsTheRowAgainExactly(TestDatabase db) throws SQLException {
    db.execute("DELETE FROM everything");
    write(db, ROW_A);
    List<String> before = rows(db, "everything");
    write(db, "DELETE FROM everything WHERE id = 1");

    applyOnSource(db, bemi(db).revertSql(lastChange(db, "everything", "DELETE"), false));

    assertThat(rows(db, "everything")).isEqualTo(before);
  }

  @Test
  void aRevertAnnouncesItselfWithARevertOfContextMessage(TestDatabase db) throws SQLException {
    db.execute("DELETE FROM everything");
    write(db, ROW_A);
    UUID change = lastChange(db, "everything", "CREATE");

    String sql = text(db, "SELECT bemi.revert_sql(?, false, '{\"userId\": 7}')", change);

    assertThat(sql).startsWith("DO $bemi_revert")
        .contains("PERFORM pg_logical_emit_message(true, '_bemi', '{\"userId\": 7, \"revertOf\": {\"changeId\": \""
            + change + "\"}}');");
  }

  @Test
  void theDollarQuoteOfARevertNeverOccursInItsData(TestDatabase db) throws SQLException {
    db.execute("DELETE FROM everything");
    write(db, ROW_A);

    String sql = bemi(db).revertSql(lastChange(db, "everything", "CREATE"), false);

    String tag = sql.substring(3, sql.indexOf('$', 4) + 1);
    assertThat(tag).isEqualTo("$bemi_revert_$");
    assertThat(sql.split(java.util.regex.Pattern.quote(tag), -1)).hasSize(3);
  }

  @Test
  void revertingATransactionUndoesItsChangesNewestFirst(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE parents (id int PRIMARY KEY, name text)",
        "CREATE TABLE children (id int PRIMARY KEY, parent int NOT NULL REFERENCES parents, note text)");
    Trail.capture(db, "parents");
    Trail.capture(db, "children");
    write(db, "INSERT INTO parents VALUES (1, 'one'), (2, 'two')", "INSERT INTO children VALUES (10, 1, 'x')");
    List<String> parents = rows(db, "parents");
    List<String> children = rows(db, "children");
    write(db, "INSERT INTO parents VALUES (3, 'three')", "INSERT INTO children VALUES (11, 3, 'y')",
        "UPDATE children SET parent = 3, note = 'moved' WHERE id = 10", "DELETE FROM parents WHERE id = 1",
        "UPDATE parents SET name = 'TWO' WHERE id = 2", "UPDATE parents SET name = 'Two!' WHERE id = 2");
    long xid = Long.parseLong(text(db, "SELECT transaction_id::text FROM bemi.changes WHERE \"table\" = 'children'"
        + " AND primary_key = '11'"));

    applyOnSource(db, bemi(db).revertTransactionSql(xid, false));

    assertThat(rows(db, "parents")).isEqualTo(parents);
    assertThat(rows(db, "children")).isEqualTo(children);
  }

  @Test
  void revertingAContextUndoesWhatThatRequestDidAcrossTransactions(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE carts (id int PRIMARY KEY, items int)");
    Trail.capture(db, "carts");
    write(db, "INSERT INTO carts VALUES (1, 0), (2, 0)");
    List<String> before = rows(db, "carts");
    write(db, "SET LOCAL bemi.test_context = '{\"requestId\": \"bad\"}'", "UPDATE carts SET items = 5 WHERE id = 1");
    write(db, "SET LOCAL bemi.test_context = '{\"requestId\": \"good\"}'", "INSERT INTO carts VALUES (3, 1)");
    write(db, "SET LOCAL bemi.test_context = '{\"requestId\": \"bad\", \"step\": 2}'",
        "UPDATE carts SET items = items + 1 WHERE id = 1", "DELETE FROM carts WHERE id = 2");

    applyOnSource(db, bemi(db).revertContextSql(Map.of("requestId", "bad"), false));

    assertThat(rows(db, "carts")).containsExactly("(1,0)", "(2,0)", "(3,1)");
    assertThat(rows(db, "carts")).containsAll(before);
  }

  @Test
  void compositeKeysLocateTheRowToRestore(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE lines (\"order\" text, line int, qty numeric, PRIMARY KEY (\"order\", line))");
    Trail.capture(db, "lines");
    write(db, "INSERT INTO lines VALUES ('o''1', 1, 1), ('o''1', 2, 2), ('o2', 1, 3)");
    List<String> before = rows(db, "lines");
    write(db, "UPDATE lines SET qty = qty * 10");
    write(db, "DELETE FROM lines WHERE line = 1");
    UUID update = UUID.fromString(text(db, "SELECT id::text FROM bemi.changes WHERE \"table\" = 'lines'"
        + " AND operation = 'UPDATE' AND primary_key = '[\"o''1\",2]'"));

    applyOnSource(db, text(db, "SELECT bemi.revert_changes_sql(ARRAY(SELECT id FROM bemi.changes"
        + " WHERE \"table\" = 'lines' AND operation <> 'CREATE'))"));

    assertThat(bemi(db).history("lines", List.of("o'1", 2))).extracting(Change::id).contains(update);
    assertThat(rows(db, "lines")).isEqualTo(before);
  }

  @Test
  void tablesWithoutAKeyAreRevertedByMatchingTheWholeRow(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE events (kind text, payload jsonb)");
    Trail.capture(db, "events");
    write(db, "INSERT INTO events VALUES ('a', '{\"x\": 1}'), ('a', '{\"x\": 1}'), ('b', NULL)");
    List<String> before = rows(db, "events");
    write(db, "UPDATE events SET payload = '{\"x\": 2}' WHERE kind = 'b'");
    write(db, "DELETE FROM events WHERE kind = 'a'");

    applyOnSource(db, text(db, "SELECT bemi.revert_changes_sql(ARRAY(SELECT id FROM bemi.changes"
        + " WHERE \"table\" = 'events' AND operation <> 'CREATE'))"));

    assertThat(rows(db, "events")).isEqualTo(before);
  }

  @Test
  void aRowChangedSinceIsAConflictThatChangesNothing(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE wallets (id int PRIMARY KEY, owner text, balance int)");
    Trail.capture(db, "wallets");
    write(db, "INSERT INTO wallets VALUES (1, 'ann', 10)");
    write(db, "UPDATE wallets SET balance = 20 WHERE id = 1");
    UUID balanceChange = lastChange(db, "wallets", "UPDATE");
    write(db, "UPDATE wallets SET owner = 'bob' WHERE id = 1");
    List<String> current = rows(db, "wallets");

    List<RevertStep> plan = bemi(db).revertPlan(List.of(balanceChange));
    String sql = bemi(db).revertSql(balanceChange, false);

    assertThat(plan).singleElement().satisfies(step -> {
      assertThat(step.conflict()).isTrue();
      assertThat(step.conflictReason()).startsWith("changed later by UPDATE change");
    });
    assertThatThrownBy(() -> applyOnSource(db, sql))
        .isInstanceOf(RevertConflictException.class)
        .hasMessageContaining("bemi revert conflict at step 1")
        .hasMessageContaining("the row changed since");
    assertThat(rows(db, "wallets")).isEqualTo(current);
  }

  @Test
  void aForcedRevertRestoresTheChangedColumnsAndKeepsLaterChangesToOthers(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE purses (id int PRIMARY KEY, owner text, balance int)");
    Trail.capture(db, "purses");
    write(db, "INSERT INTO purses VALUES (1, 'ann', 10)");
    write(db, "UPDATE purses SET balance = 20 WHERE id = 1");
    UUID balanceChange = lastChange(db, "purses", "UPDATE");
    write(db, "UPDATE purses SET owner = 'bob' WHERE id = 1");

    applyOnSource(db, bemi(db).revertSql(balanceChange, true));

    assertThat(rows(db, "purses")).containsExactly("(1,bob,10)");
  }

  @Test
  void aRowThatChangedOnTheSourceButNotYetInTheTrailIsStillAConflict(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE boxes (id int PRIMARY KEY, label text)");
    Trail.capture(db, "boxes");
    write(db, "INSERT INTO boxes VALUES (1, 'a')");
    UUID insert = lastChange(db, "boxes", "CREATE");
    db.execute("ALTER TABLE boxes DISABLE TRIGGER bemi_test_capture", "UPDATE boxes SET label = 'b'");

    assertThat(bemi(db).revertPlan(List.of(insert))).singleElement().extracting(RevertStep::conflict).isEqualTo(false);
    assertThatThrownBy(() -> applyOnSource(db, bemi(db).revertSql(insert, false)))
        .isInstanceOf(RevertConflictException.class);
    assertThat(rows(db, "boxes")).containsExactly("(1,b)");
  }

  @Test
  void undoingADeleteWhoseKeyIsTakenAgainIsAConflict(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE seats (id int PRIMARY KEY, who text)");
    Trail.capture(db, "seats");
    write(db, "INSERT INTO seats VALUES (1, 'ann')");
    write(db, "DELETE FROM seats WHERE id = 1");
    UUID delete = lastChange(db, "seats", "DELETE");
    write(db, "INSERT INTO seats VALUES (1, 'bob')");

    assertThatThrownBy(() -> applyOnSource(db, bemi(db).revertSql(delete, false)))
        .isInstanceOf(RevertConflictException.class)
        .hasMessageContaining("a row with this key exists again");
    applyOnSource(db, bemi(db).revertSql(delete, true));
    assertThat(rows(db, "seats")).containsExactly("(1,ann)");
  }

  @Test
  void withoutFullReplicaIdentityTheRowToRestoreComesFromTheRecordsPreviousChange(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE docs (id int PRIMARY KEY, title text, body text)");
    Trail.capture(db, "docs");
    write(db, "INSERT INTO docs VALUES (1, 't', 'b'), (2, 'u', 'c')");
    List<String> before = rows(db, "docs");
    write(db, "SET LOCAL bemi.test_identity = 'default'", "UPDATE docs SET title = 'T' WHERE id = 1",
        "DELETE FROM docs WHERE id = 2");
    long xid = Long.parseLong(text(db, "SELECT transaction_id::text FROM bemi.changes WHERE \"table\" = 'docs'"
        + " AND operation = 'DELETE'"));
    assertThat(text(db, "SELECT before::text FROM bemi.changes WHERE \"table\" = 'docs' AND operation = 'DELETE'"))
        .isEqualTo("{\"id\": 2}");

    applyOnSource(db, bemi(db).revertTransactionSql(xid, false));

    assertThat(rows(db, "docs")).isEqualTo(before);
  }

  @Test
  void identityAndGeneratedColumnsAreRestored(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE tickets (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, price int,"
        + " total int GENERATED ALWAYS AS (price * 2) STORED)");
    Trail.capture(db, "tickets");
    write(db, "INSERT INTO tickets (price) VALUES (5), (7)");
    List<String> before = rows(db, "tickets");
    write(db, "DELETE FROM tickets");

    applyOnSource(db, text(db, "SELECT bemi.revert_changes_sql(ARRAY(SELECT id FROM bemi.changes"
        + " WHERE \"table\" = 'tickets' AND operation = 'DELETE'))"));

    assertThat(rows(db, "tickets")).isEqualTo(before);
  }

  @Test
  void hostileTableAndColumnNamesAreQuoted(TestDatabase db) throws SQLException {
    db.execute("CREATE SCHEMA \"Sch'ema\"",
        "CREATE TABLE \"Sch'ema\".\"T\"\"able; DROP TABLE x\" (\"i\"\"d\" int PRIMARY KEY, \"va'l$1\" text)");
    Trail.capture(db, "\"Sch'ema\".\"T\"\"able; DROP TABLE x\"");
    write(db, "INSERT INTO \"Sch'ema\".\"T\"\"able; DROP TABLE x\" VALUES (1, '$1'')')");
    List<String> before = rows(db, "\"Sch'ema\".\"T\"\"able; DROP TABLE x\"");
    write(db, "UPDATE \"Sch'ema\".\"T\"\"able; DROP TABLE x\" SET \"va'l$1\" = 'x'");

    applyOnSource(db, bemi(db).revertSql(lastChange(db, "T\"able; DROP TABLE x", "UPDATE"), false));

    assertThat(rows(db, "\"Sch'ema\".\"T\"\"able; DROP TABLE x\"")).isEqualTo(before);
  }

  @Test
  void aTruncateCannotBeReverted(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE logs (id int PRIMARY KEY)");
    Trail.capture(db, "logs");
    write(db, "INSERT INTO logs VALUES (1)");
    write(db, "TRUNCATE logs");

    assertThatThrownBy(() -> bemi(db).revertSql(lastChange(db, "logs", "TRUNCATE"), false))
        .hasMessageContaining("cannot be reverted");
  }

  @Test
  void anUpdateWhoseOldValuesAreNowhereInTheTrailCannotBeReverted(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE notes (id int PRIMARY KEY, body text)", "INSERT INTO notes VALUES (1, 'before capture')");
    Trail.capture(db, "notes");
    write(db, "SET LOCAL bemi.test_identity = 'default'", "UPDATE notes SET body = 'x'");
    UUID update = lastChange(db, "notes", "UPDATE");

    assertThat(bemi(db).revertPlan(List.of(update))).singleElement().extracting(RevertStep::action)
        .asString().startsWith("impossible: the row before this change is unknown");
    assertThatThrownBy(() -> bemi(db).revertSql(update, false))
        .hasMessageContaining("cannot be reverted").hasMessageContaining("REPLICA IDENTITY FULL");
  }

  @Test
  void valuesStoredInAnotherTextFormThanToJsonbAreComparedAsTheSourceReadsThem(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE pairs (id int PRIMARY KEY, p pair, at timestamptz)");
    Trail.capture(db, "pairs");
    write(db, "INSERT INTO pairs VALUES (1, '(1,\"x y\")', '2024-01-02 03:04:05+00')");
    List<String> before = rows(db, "pairs");
    write(db, "UPDATE pairs SET p = '(2,z)'");
    // The ingester stores composite values as their text form and may render timestamps differently.
    db.execute("UPDATE bemi.changes SET after = after || jsonb_build_object('p', (jsonb_populate_record(NULL::pairs, after)).p::text,"
        + " 'at', '2024-01-02 03:04:05+00'), before = before || jsonb_build_object('p', '(1,\"x y\")')"
        + " WHERE \"table\" = 'pairs' AND operation = 'UPDATE'");

    applyOnSource(db, bemi(db).revertSql(lastChange(db, "pairs", "UPDATE"), false));

    assertThat(rows(db, "pairs")).isEqualTo(before);
  }
}

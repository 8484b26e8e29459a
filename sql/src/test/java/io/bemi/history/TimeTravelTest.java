package io.bemi.history;

import static io.bemi.history.Trail.column;
import static io.bemi.history.Trail.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** History, as-of and diff functions over changes captured from real writes. */
@WithPostgres
class TimeTravelTest {

  @BeforeAll
  static void installTrail(TestDatabase db) throws SQLException {
    Trail.install(db);
  }

  private static String query(TestDatabase db, String sql, Object... args) throws SQLException {
    try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** The live rows of a table as primary key text -> to_jsonb text, as PostgreSQL renders them. */
  private static Map<String, String> liveRows(TestDatabase db, String table, String keyExpression) throws SQLException {
    Map<String, String> rows = new TreeMap<>();
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT " + keyExpression + ", to_jsonb(t.*)::text FROM " + table + " t")) {
      while (rs.next()) {
        rs.getString(1);
        rows.put(rs.getString(1), rs.getString(2));
      }
    }
    return rows;
  }

  @Test
  void aRecordAsOfEveryRecordedInstantEqualsTheRowAsItWasThen(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE accounts (id int PRIMARY KEY, owner text, balance numeric(30,10), opened timestamptz)");
    Trail.capture(db, "accounts");
    Map<Timestamp, String> states = new LinkedHashMap<>();
    states.put(write(db, "SELECT 1"), null);
    states.put(write(db, "INSERT INTO accounts VALUES (1, 'Ann', 10.5, '2024-01-02 03:04:05.123456+00')"),
        query(db, "SELECT to_jsonb(a.*)::text FROM accounts a WHERE id = 1"));
    states.put(write(db, "UPDATE accounts SET balance = 12345678901234567890.0123456789 WHERE id = 1",
            "UPDATE accounts SET owner = 'Ann O''Neil' WHERE id = 1"),
        query(db, "SELECT to_jsonb(a.*)::text FROM accounts a WHERE id = 1"));
    states.put(write(db, "DELETE FROM accounts WHERE id = 1"), null);
    states.put(write(db, "INSERT INTO accounts VALUES (1, 'Bob', 0, NULL)"),
        query(db, "SELECT to_jsonb(a.*)::text FROM accounts a WHERE id = 1"));
    states.put(write(db, "TRUNCATE accounts"), null);

    for (Map.Entry<Timestamp, String> state : states.entrySet()) {
      assertThat(query(db, "SELECT bemi.record_as_of('public.accounts', '1', ?)::text", state.getKey()))
          .as("as of %s", state.getKey())
          .isEqualTo(state.getValue());
    }
  }

  @Test
  void aTableAsOfEveryRecordedInstantEqualsTheTableAsItWasThen(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE items (shop text, sku int, qty int, PRIMARY KEY (shop, sku))");
    Trail.capture(db, "items");
    String key = "jsonb_build_array(shop, sku)::text";
    Map<Timestamp, Map<String, String>> states = new LinkedHashMap<>();
    states.put(write(db, "INSERT INTO items SELECT 'shop ' || (i % 3), i, i FROM generate_series(1, 30) i"),
        liveRows(db, "items", key));
    states.put(write(db, "UPDATE items SET qty = qty * 2 WHERE sku % 2 = 0", "DELETE FROM items WHERE sku % 5 = 0"),
        liveRows(db, "items", key));
    states.put(write(db, "TRUNCATE items", "INSERT INTO items VALUES ('new \"shop\"', 1, 1)"),
        liveRows(db, "items", key));
    states.put(write(db, "UPDATE items SET qty = 5 WHERE sku = 1", "INSERT INTO items VALUES ('b', 1, 1)"),
        liveRows(db, "items", key));

    for (Map.Entry<Timestamp, Map<String, String>> state : states.entrySet()) {
      Map<String, String> asOf = new TreeMap<>();
      try (Connection c = db.connect();
          PreparedStatement ps = c.prepareStatement("SELECT primary_key, \"row\"::text FROM bemi.table_as_of('items', ?)")) {
        ps.setTimestamp(1, state.getKey());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            asOf.put(query(db, "SELECT (?::jsonb)::text", rs.getString(1)), rs.getString(2));
          }
        }
      }
      assertThat(asOf).as("as of %s", state.getKey()).isEqualTo(state.getValue());
    }
  }

  /**
   * The chosen changes are read in commit order, the trail's physical order, not in key order: on a
   * cold cache that is 3x faster for a large table (docs/benchmarks.md, "Table as of on a cold cache").
   */
  @Test
  void aTableAsOfReadsTheChosenChangesInCommitOrder(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE parcels (id int PRIMARY KEY, status text)");
    Trail.capture(db, "parcels");
    Timestamp at = write(db, "INSERT INTO parcels SELECT i, 'new' FROM generate_series(1, 50) i",
        "UPDATE parcels SET status = 'sent' WHERE id % 7 = 0");
    StringBuilder plans = new StringBuilder();
    int rows = 0;
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("LOAD 'auto_explain'");
      s.execute("SET auto_explain.log_min_duration = 0");
      s.execute("SET auto_explain.log_nested_statements = on");
      s.execute("SET auto_explain.log_verbose = on");
      s.execute("SET client_min_messages = log"); // the plans come back as warnings
      try (PreparedStatement ps = c.prepareStatement("SELECT * FROM bemi.table_as_of('parcels', ?)")) {
        ps.setTimestamp(1, at);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rows++;
          }
        }
        for (SQLWarning w = ps.getWarnings(); w != null; w = w.getNextWarning()) {
          plans.append(w.getMessage()).append('\n');
        }
      }
    }

    assertThat(rows).isEqualTo(50);
    // ascending: the probes' order (the DESC sorts pick each key's latest change)
    assertThat(plans.toString()).containsPattern("Sort Key: \\w+\\.commit_lsn, \\w+\\.change_index\n");
  }

  @Test
  void aRecordsHistoryListsItsChangesInCommitOrder(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE notes (id bigint PRIMARY KEY, body text)");
    Trail.capture(db, "notes");
    write(db, "INSERT INTO notes VALUES (7, 'a'), (8, 'other')");
    write(db, "UPDATE notes SET body = 'b' WHERE id = 7", "UPDATE notes SET body = 'c' WHERE id = 7");
    write(db, "DELETE FROM notes WHERE id = 7");

    assertThat(column(db, "SELECT operation || ' ' || coalesce(after ->> 'body', '-') FROM bemi.record_history('public.notes', '7')"))
        .containsExactly("CREATE a", "UPDATE b", "UPDATE c", "DELETE -");
  }

  @Test
  void aSnapshotIsTheBaselineOfARecordAsOf(TestDatabase db) throws SQLException {
    db.execute("INSERT INTO bemi.changes (primary_key, after, database, schema, \"table\", operation, committed_at, queued_at,"
        + " transaction_id, position, commit_lsn, change_index) VALUES ('5', '{\"id\": 5, \"name\": \"baseline\"}', 'db',"
        + " 'public', 'snapshotted', 'SNAPSHOT', '2024-01-01', '2024-01-01', 1, 1, 1, 0)");

    assertThat(query(db, "SELECT bemi.record_as_of('snapshotted', '5', '2023-12-31')::text")).isNull();
    assertThat(query(db, "SELECT bemi.record_as_of('snapshotted', '5', '2024-06-01')::text"))
        .isEqualTo("{\"id\": 5, \"name\": \"baseline\"}");
  }

  @Test
  void aRowOlderThanTheTrailIsAsItsFirstChangeFoundItWhenThatChangeHoldsTheWholeRow(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE wallets (id int PRIMARY KEY, owner text, balance int)",
        "INSERT INTO wallets VALUES (1, 'ann', 10), (2, 'bob', 20), (3, 'cy', 30), (4, 'dee', 40)");
    Trail.capture(db, "wallets"); // the trail begins: no change holds the rows above
    Timestamp before = Timestamp.from(java.time.Instant.now());
    write(db, "UPDATE wallets SET balance = 11 WHERE id = 1");
    write(db, "DELETE FROM wallets WHERE id = 2");
    write(db, "UPDATE wallets SET id = 5 WHERE id = 3");
    write(db, "UPDATE wallets SET balance = 41 WHERE id = 4");
    // as stored without REPLICA IDENTITY FULL: the UPDATE of 4 carries no old row
    db.execute("UPDATE bemi.changes SET before = '{}' WHERE \"table\" = 'wallets' AND primary_key = '4'");

    assertThat(query(db, "SELECT bemi.record_as_of('wallets', '1', ?)::text", before))
        .isEqualTo("{\"id\": 1, \"owner\": \"ann\", \"balance\": 10}");
    assertThat(query(db, "SELECT bemi.record_as_of('wallets', '2', ?)::text", before))
        .isEqualTo("{\"id\": 2, \"owner\": \"bob\", \"balance\": 20}");
    assertThat(query(db, "SELECT bemi.record_as_of('wallets', '3', ?)::text", before)).as("moved away to key 5 since")
        .isEqualTo("{\"id\": 3, \"owner\": \"cy\", \"balance\": 30}");
    assertThat(query(db, "SELECT bemi.record_as_of('wallets', '5', ?)::text", before))
        .as("asked by the key it has since: the record, followed across its key update")
        .isEqualTo("{\"id\": 3, \"owner\": \"cy\", \"balance\": 30}");
    assertThat(query(db, "SELECT bemi.record_as_of('wallets', '4', ?)::text", before)).as("not known").isNull();
  }

  @Test
  void aDiffListsOnlyTheColumnsAnUpdateChangedWithOldAndNewValues(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE profiles (id int PRIMARY KEY, name text, tags text[], score float8)");
    Trail.capture(db, "profiles");
    write(db, "INSERT INTO profiles VALUES (1, 'x', '{a,NULL}', 1.5)");
    write(db, "UPDATE profiles SET tags = '{a,b}', score = 'NaN' WHERE id = 1");
    String id = query(db, "SELECT id FROM bemi.changes WHERE \"table\" = 'profiles' AND operation = 'UPDATE'");

    assertThat(column(db, "SELECT column_name || ': ' || old_value || ' -> ' || new_value FROM bemi.change_diff(?::uuid)", id))
        .containsExactly("score: 1.5 -> \"NaN\"", "tags: [\"a\", null] -> [\"a\", \"b\"]");
  }

  @Test
  void aDiffOfAnUpdateWithoutFullReplicaIdentityTakesOldValuesFromThePreviousChange(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE counters (id int PRIMARY KEY, n int, label text)");
    Trail.capture(db, "counters");
    write(db, "INSERT INTO counters VALUES (1, 1, 'same')");
    write(db, "SET LOCAL bemi.test_identity = 'default'", "UPDATE counters SET n = 2 WHERE id = 1");
    String id = query(db, "SELECT id FROM bemi.changes WHERE \"table\" = 'counters' AND operation = 'UPDATE'");

    assertThat(query(db, "SELECT before::text FROM bemi.changes WHERE id = ?::uuid", id)).isEqualTo("{}");
    assertThat(column(db, "SELECT column_name || ': ' || old_value || ' -> ' || new_value FROM bemi.change_diff(?::uuid)", id))
        .containsExactly("n: 1 -> 2");
  }

  @Test
  void aColumnAnUpdatesAfterLeavesOutIsNotReportedAsChangedToNull(TestDatabase db) throws SQLException {
    // an unchanged TOAST value of a table without REPLICA IDENTITY FULL: the server does not send it
    db.execute("INSERT INTO bemi.changes (primary_key, before, after, database, schema, \"table\", operation, committed_at,"
        + " queued_at, transaction_id, position, commit_lsn, change_index) VALUES"
        + " ('1', '{}', '{\"id\": 1, \"big\": \"c4ca\", \"small\": 1}', 'db', 'public', 'toasted', 'CREATE', '2024-01-01',"
        + " '2024-01-01', 1, 1, 9001, 0),"
        + " ('1', '{}', '{\"id\": 1, \"small\": 2}', 'db', 'public', 'toasted', 'UPDATE', '2024-01-02', '2024-01-02', 2, 2, 9002, 0)");
    String id = query(db, "SELECT id FROM bemi.changes WHERE \"table\" = 'toasted' AND operation = 'UPDATE'");

    assertThat(column(db, "SELECT column_name || ': ' || old_value || ' -> ' || new_value FROM bemi.change_diff(?::uuid)", id))
        .containsExactly("small: 1 -> 2");
  }

  @Test
  void theChangeColumnsViewHasOneRowPerChangedColumn(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE tasks (id int PRIMARY KEY, title text, done boolean)");
    Trail.capture(db, "tasks");
    write(db, "INSERT INTO tasks VALUES (1, 't', false)");
    write(db, "UPDATE tasks SET done = true WHERE id = 1");
    write(db, "DELETE FROM tasks WHERE id = 1");

    assertThat(column(db, "SELECT operation || ' ' || column_name || ' ' || coalesce(old_value::text, '-') || ' '"
        + " || coalesce(new_value::text, '-') FROM bemi.change_columns WHERE \"table\" = 'tasks'"
        + " ORDER BY committed_at, column_name"))
        .containsExactly("CREATE done - false", "CREATE id - 1", "CREATE title - \"t\"",
            "UPDATE done false true",
            "DELETE done true -", "DELETE id 1 -", "DELETE title \"t\" -");
  }

  @Test
  void aTransactionsChangesComeInTheOrderTheyWereMade(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE steps (id int PRIMARY KEY)");
    Trail.capture(db, "steps");
    write(db, "INSERT INTO steps VALUES (3)", "INSERT INTO steps VALUES (1)", "DELETE FROM steps WHERE id = 3");
    write(db, "INSERT INTO steps VALUES (9)");
    String xid = query(db, "SELECT transaction_id FROM bemi.changes WHERE \"table\" = 'steps' AND primary_key = '1'");

    assertThat(column(db, "SELECT operation || ' ' || primary_key FROM bemi.transaction_changes(?::bigint)", xid))
        .containsExactly("CREATE 3", "CREATE 1", "DELETE 3");
    // one of the transactions transaction_commits lists, by the commit LSN it gives
    assertThat(column(db, "SELECT operation || ' ' || primary_key FROM bemi.transaction_commits(?::bigint) t,"
        + " bemi.transaction_changes(?::bigint, p_commit_lsn => t.commit_lsn) c", xid, xid))
        .containsExactly("CREATE 3", "CREATE 1", "DELETE 3");
    assertThat(column(db, "SELECT count(*) FROM bemi.transaction_changes(?::bigint, '0/1')", xid)).containsExactly("0");
  }

  @Test
  void contextChangesFindEveryChangeWhoseContextContainsTheGivenJsonAcrossTransactions(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE orders (id int PRIMARY KEY)");
    Trail.capture(db, "orders");
    write(db, "SET LOCAL bemi.test_context = '{\"requestId\": \"r1\", \"userId\": 1}'", "INSERT INTO orders VALUES (1)");
    write(db, "SET LOCAL bemi.test_context = '{\"requestId\": \"r2\", \"userId\": 1}'", "INSERT INTO orders VALUES (2)");
    write(db, "SET LOCAL bemi.test_context = '{\"requestId\": \"r1\"}'", "UPDATE orders SET id = 3 WHERE id = 1");

    assertThat(column(db, "SELECT operation || ' ' || primary_key FROM bemi.context_changes('{\"requestId\": \"r1\"}')"))
        .containsExactly("CREATE 1", "UPDATE 3");
  }

  @Test
  void tableNamesSplitAtTheFirstDotKeepTheirCaseAndDefaultToPublic(TestDatabase db) throws SQLException {
    assertThat(column(db, "SELECT p.schema_name || '|' || p.table_name FROM (VALUES (1, 'users'), (2, 'app.Users'),"
        + " (3, '\"my.schema\".\"T\"'), (4, '\"Quoted\"')) v(n, x), bemi.table_name_parts(v.x) p ORDER BY v.n"))
        .containsExactly("public|users", "app|Users", "my.schema|T", "public|Quoted");
  }
}

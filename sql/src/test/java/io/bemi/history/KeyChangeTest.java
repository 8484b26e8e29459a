package io.bemi.history;

import static io.bemi.history.Trail.column;
import static io.bemi.history.Trail.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A record keeps one identity when its primary key is updated: history, as-of, diff and restore
 * follow it through previous_primary_key (written here by the test capture trigger, as the ingester
 * writes it).
 */
@WithPostgres
class KeyChangeTest {

  private static TestDatabase fresh(TestDatabase shared, String name, String table) throws SQLException {
    TestDatabase db = shared.createSibling(name);
    Trail.install(db);
    db.execute(table);
    Trail.capture(db, "public." + table.split("[ (]")[2]);
    return db;
  }

  private static String value(TestDatabase db, String sql, Object... args) throws SQLException {
    List<String> values = column(db, sql, args);
    return values.isEmpty() ? null : values.get(0);
  }

  @Test
  void theHistoryByTheOldKeyOrByTheNewKeyIsTheWholeLifeOfTheRecord(TestDatabase shared) throws SQLException {
    TestDatabase db = fresh(shared, "key_history", "CREATE TABLE users (id int PRIMARY KEY, name text)");
    write(db, "INSERT INTO users VALUES (1, 'a'), (9, 'other')");
    write(db, "UPDATE users SET name = 'b' WHERE id = 1");
    write(db, "UPDATE users SET id = 2, name = 'c' WHERE id = 1");
    write(db, "UPDATE users SET id = 3 WHERE id = 2", "UPDATE users SET name = 'd' WHERE id = 3");
    write(db, "DELETE FROM users WHERE id = 3");
    List<String> life = List.of("CREATE 1 a", "UPDATE 1 b", "UPDATE 2 c", "UPDATE 3 c", "UPDATE 3 d", "DELETE 3 -");

    for (String key : List.of("1", "2", "3")) {
      assertThat(column(db, "SELECT operation || ' ' || primary_key || ' ' || coalesce(after ->> 'name', '-')"
          + " FROM bemi.record_history('users', ?)", key)).as("by key %s", key).isEqualTo(life);
    }
    assertThat(column(db, "SELECT previous_primary_key FROM bemi.changes WHERE previous_primary_key IS NOT NULL"
        + " ORDER BY commit_lsn, change_index")).containsExactly("1", "2");
  }

  @Test
  void aKeyInsertedAgainAfterItsRecordMovedAwayNamesBothButEachInstantItsOwnRow(TestDatabase shared) throws SQLException {
    TestDatabase db = fresh(shared, "key_reused", "CREATE TABLE items (shop text, sku int, qty int, PRIMARY KEY (shop, sku))");
    Timestamp created = write(db, "INSERT INTO items VALUES ('s', 1, 10)");
    Timestamp moved = write(db, "UPDATE items SET sku = 2 WHERE sku = 1");
    Timestamp reused = write(db, "INSERT INTO items VALUES ('s', 1, 99)");

    String oldKey = "[\"s\",1]";
    String newKey = "[\"s\",2]";
    // before the key change, by the new key: the row under its old key
    assertThat(value(db, "SELECT bemi.record_as_of('items', ?, ?)::text", newKey, created))
        .isEqualTo("{\"qty\": 10, \"sku\": 1, \"shop\": \"s\"}");
    // after it, by the old key: the record under its new key, until another row takes the old key
    assertThat(value(db, "SELECT bemi.record_as_of('items', ?, ?)::text", oldKey, moved))
        .isEqualTo("{\"qty\": 10, \"sku\": 2, \"shop\": \"s\"}");
    assertThat(value(db, "SELECT bemi.record_as_of('items', ?, ?)::text", oldKey, reused))
        .isEqualTo("{\"qty\": 99, \"sku\": 1, \"shop\": \"s\"}");
    // a table as of an instant has each row once, under the key it had then
    assertThat(column(db, "SELECT primary_key FROM bemi.table_as_of('items', ?) ORDER BY 1", created)).containsExactly(oldKey);
    assertThat(column(db, "SELECT primary_key FROM bemi.table_as_of('items', ?) ORDER BY 1", moved)).containsExactly(newKey);
    assertThat(column(db, "SELECT primary_key FROM bemi.table_as_of('items', ?) ORDER BY 1", reused))
        .containsExactly(oldKey, newKey);
  }

  @Test
  void aKeyUpdateWithoutFullReplicaIdentityTakesItsOldValuesFromTheOldKey(TestDatabase shared) throws SQLException {
    TestDatabase db = fresh(shared, "key_diff", "CREATE TABLE counters (id int PRIMARY KEY, n int, label text)");
    write(db, "INSERT INTO counters VALUES (1, 1, 'same')");
    write(db, "SET LOCAL bemi.test_identity = 'default'", "UPDATE counters SET id = 5, n = 2 WHERE id = 1");
    String id = value(db, "SELECT id FROM bemi.changes WHERE operation = 'UPDATE'");

    assertThat(value(db, "SELECT before::text FROM bemi.changes WHERE id = ?::uuid", id)).isEqualTo("{\"id\": 1}");
    assertThat(column(db, "SELECT column_name || ': ' || old_value || ' -> ' || new_value FROM bemi.change_diff(?::uuid)", id))
        .containsExactly("id: 1 -> 5", "n: 1 -> 2");
  }

  @Test
  void restoringToBeforeAKeyChangeMovesTheRowBackUnderItsOldKey(TestDatabase shared) throws SQLException {
    TestDatabase db = fresh(shared, "key_restore", "CREATE TABLE accounts (id int PRIMARY KEY, email text UNIQUE, balance int)");
    Timestamp before = write(db, "INSERT INTO accounts VALUES (1, 'a@example.com', 10), (2, 'b@example.com', 20)");
    write(db, "UPDATE accounts SET id = 7, balance = 11 WHERE id = 1");
    write(db, "UPDATE accounts SET id = 3 WHERE id = 7", "DELETE FROM accounts WHERE id = 2");
    String then = "1 a@example.com 10, 2 b@example.com 20";

    assertThat(column(db, "SELECT primary_key || ' ' || action FROM bemi.restore_plan(ARRAY['accounts'], ?)", before))
        .containsExactly("2 insert", "3 update");
    try (Connection c = db.connect()) {
      BemiChanges.apply(c, BemiChanges.of(db.dataSource()).restoreTableSql("accounts", before.toInstant(), false));
    }

    // one UPDATE of the key (the unique email cannot collide), so the record keeps its identity
    assertThat(value(db, "SELECT string_agg(id || ' ' || email || ' ' || balance, ', ' ORDER BY id) FROM accounts")).isEqualTo(then);
    assertThat(column(db, "SELECT operation || ' ' || primary_key FROM bemi.record_history('accounts', '1')"))
        .containsExactly("CREATE 1", "UPDATE 7", "UPDATE 3", "UPDATE 1");
  }
}

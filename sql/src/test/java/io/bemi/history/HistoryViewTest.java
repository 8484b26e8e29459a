package io.bemi.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@WithPostgres
class HistoryViewTest {

  @BeforeAll
  static void installTrail(TestDatabase db) throws SQLException {
    Trail.install(db);
  }

  private static List<String> rows(TestDatabase db, String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          row.append(i > 1 ? "|" : "").append(rs.getString(i));
        }
        rows.add(row.toString());
      }
    }
    return rows;
  }

  @Test
  void aHistoryViewHasTheTablesOwnColumnsTypedPlusTimeOperationAndContext(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE members (id int PRIMARY KEY, name text, born date, tags text[])");
    Trail.capture(db, "members");
    db.execute("BEGIN; SET LOCAL bemi.test_context = '{\"userId\": 3}'; INSERT INTO members VALUES (1, 'ann', '2000-01-31', '{a}'); COMMIT",
        "UPDATE members SET born = born + 1", "DELETE FROM members");

    assertThat(db.queryValue("SELECT bemi.create_history_view('members')")).isEqualTo("members_history");
    assertThat(rows(db, "SELECT bemi_operation, bemi_context ->> 'userId', id, name, born + 1, tags[1], pg_typeof(born)"
        + " FROM bemi.members_history ORDER BY bemi_committed_at, bemi_change_id"))
        .containsExactly("CREATE|3|1|ann|2000-02-01|a|date", "UPDATE|null|1|ann|2000-02-02|a|date",
            "DELETE|null|1|ann|2000-02-02|a|date");
  }

  @Test
  void aHistoryViewNeverBlocksTheTablesMigrationsAndRefreshingItAddsNewColumns(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE posts (id int PRIMARY KEY, title text, draft boolean)");
    Trail.capture(db, "posts");
    db.execute("INSERT INTO posts VALUES (1, 'x', true)");
    db.execute("SELECT bemi.create_history_view('public.posts', 'post_versions')");

    db.execute("ALTER TABLE posts DROP COLUMN draft", "ALTER TABLE posts ADD COLUMN score numeric",
        "INSERT INTO posts VALUES (2, 'y', 1.5)");
    assertThat(rows(db, "SELECT id, title, draft FROM bemi.post_versions ORDER BY id")).containsExactly("1|x|t", "2|y|null");

    assertThat(db.queryLong("SELECT bemi.refresh_history_views()")).isEqualTo(1);
    assertThat(rows(db, "SELECT id, title, score FROM bemi.post_versions ORDER BY id")).containsExactly("1|x|null", "2|y|1.5");
  }

  @Test
  void aTableOutsideThisDatabaseNeedsItsColumnsGiven(TestDatabase db) throws SQLException {
    db.execute("INSERT INTO bemi.changes (primary_key, after, database, schema, \"table\", operation, committed_at, queued_at,"
        + " transaction_id, position, commit_lsn, change_index) VALUES ('1', '{\"id\": 1, \"at\": \"2024-01-02T03:04:05\"}',"
        + " 'elsewhere', 'shop', 'remote', 'CREATE', now(), now(), 1, 1, 1, 0)");

    assertThatThrownBy(() -> db.execute("SELECT bemi.create_history_view('shop.remote')"))
        .hasMessageContaining("is not in this database").hasMessageContaining("p_columns");
    db.execute("SELECT bemi.create_history_view('shop.remote', p_columns => '[[\"id\", \"bigint\"], [\"at\", \"timestamp\"]]')");
    assertThat(rows(db, "SELECT id, extract(year FROM at) FROM bemi.shop_remote_history")).containsExactly("1|2024");
  }
}

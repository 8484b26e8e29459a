package io.bemi.history;

import static org.assertj.core.api.Assertions.assertThat;

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

/**
 * The queries of Bemi's documentation and the SQL its Rails/Django query helpers issue run
 * unchanged, on the default search_path: the migrations make public.changes, the trail without
 * SNAPSHOT rows, where Bemi's "changes" table lives (its database's default schema).
 */
@WithPostgres
class BemiCompatibilityTest {

  @BeforeAll
  static void recordTodos(TestDatabase db) throws SQLException {
    Trail.install(db);
    db.execute("CREATE TABLE todo (id int PRIMARY KEY, task text, \"isCompleted\" boolean)");
    Trail.capture(db, "todo");
    db.execute("BEGIN; SET LOCAL bemi.test_context = '{\"userId\": 1, \"endpoint\": \"/todos\"}';"
            + " INSERT INTO todo VALUES (1, 'write', false), (2, 'test', false); COMMIT",
        "BEGIN; SET LOCAL bemi.test_context = '{\"userId\": 2}'; UPDATE todo SET \"isCompleted\" = true WHERE id = 1; COMMIT",
        "DELETE FROM todo WHERE id = 2");
    db.execute("INSERT INTO bemi.changes (primary_key, after, database, schema, \"table\", operation, committed_at, queued_at,"
        + " transaction_id, position, commit_lsn, change_index)"
        + " VALUES ('3', '{\"id\": 3, \"task\": \"baseline\"}', current_database(), 'public', 'todo', 'SNAPSHOT', now(), now(), 1, 1, 1, 0)");
  }

  private static List<String> bemiQuery(TestDatabase db, String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery(sql)) {
        while (rs.next()) {
          rows.add(rs.getString("operation") + " " + rs.getString("primary_key"));
        }
      }
    }
    return rows;
  }

  @Test
  void changesByContextOrderedByCommitTime(TestDatabase db) throws SQLException {
    assertThat(bemiQuery(db, "SELECT * FROM changes WHERE context @> '{\"userId\": 1}' ORDER BY committed_at DESC, primary_key"))
        .containsExactly("CREATE 1", "CREATE 2");
  }

  @Test
  void changesOfOneRecord(TestDatabase db) throws SQLException {
    assertThat(bemiQuery(db, "SELECT * FROM changes WHERE \"table\" = 'todo' AND primary_key = '1' ORDER BY committed_at DESC"))
        .containsExactly("UPDATE 1", "CREATE 1");
  }

  @Test
  void changesByBeforeAndAfterValues(TestDatabase db) throws SQLException {
    assertThat(bemiQuery(db, "SELECT * FROM changes WHERE \"table\" = 'todo' AND operation = 'UPDATE'"
        + " AND before @> '{\"isCompleted\": false}' AND after @> '{\"isCompleted\": true}' ORDER BY committed_at DESC LIMIT 1"))
        .containsExactly("UPDATE 1");
  }

  @Test
  void aQueryWithoutAnOperationFilterSeesNoSnapshotRows(TestDatabase db) throws SQLException {
    assertThat(bemiQuery(db, "SELECT * FROM changes WHERE \"table\" = 'todo' ORDER BY committed_at, primary_key"))
        .containsExactly("CREATE 1", "CREATE 2", "UPDATE 1", "DELETE 2");
    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes WHERE operation = 'SNAPSHOT'")).isEqualTo(1);
  }

  @Test
  void theSqlOfBemisOrmHelpersWithBoundParameters(TestDatabase db) throws SQLException {
    // Rails: BemiChange.where(table: 'todo', primary_key: '2').where("context @> ?", ctx).order(committed_at: :desc)
    // Django: Change.objects.filter(table='todo', operation__in=[...]).order_by('-committed_at')
    assertThat(bemiQuery(db, "SELECT \"changes\".* FROM \"changes\" WHERE \"changes\".\"table\" = 'todo'"
        + " AND \"changes\".\"primary_key\" = '2' AND (context @> '{\"endpoint\": \"/todos\"}')"
        + " ORDER BY \"changes\".\"committed_at\" DESC"))
        .containsExactly("CREATE 2");
    assertThat(bemiQuery(db, "SELECT \"changes\".\"id\", \"changes\".\"operation\", \"changes\".\"primary_key\""
        + " FROM \"changes\" WHERE (\"changes\".\"table\" = 'todo' AND \"changes\".\"operation\" IN ('DELETE'))"
        + " ORDER BY \"changes\".\"committed_at\" DESC"))
        .containsExactly("DELETE 2");
  }
}

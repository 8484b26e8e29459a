package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An UPDATE of the primary key, through the real replication stream: the ingester stores the key
 * the row left (previous_primary_key) from the old key tuple ('K', REPLICA IDENTITY DEFAULT) or the
 * old row ('O', FULL), and the time-travel functions follow the record across it.
 */
@WithPostgres
@Tag("replication")
class KeyChangeIngestionTest {

  private static IngesterHarness harness;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    db.execute(
        "CREATE TABLE people (id int PRIMARY KEY, name text)",
        "CREATE TABLE tags (org text, no int, label text, PRIMARY KEY (org, no))");
    harness = IngesterHarness.start(db);
    db.execute("ALTER TABLE tags REPLICA IDENTITY DEFAULT"); // setup made it FULL
  }

  @AfterAll
  static void stop() throws Exception {
    harness.close();
  }

  private static List<String> rows(TestDatabase db, String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
    }
    return rows;
  }

  @Test
  void underFullReplicaIdentityAKeyUpdateNamesTheKeyItLeftAndOtherUpdatesNone(TestDatabase db) throws Exception {
    db.execute("INSERT INTO people VALUES (1, 'Ann')", "UPDATE people SET id = 2 WHERE id = 1",
        "UPDATE people SET name = 'Ann B' WHERE id = 2", "UPDATE people SET id = 3, name = 'Ann C' WHERE id = 2");
    harness.awaitCaughtUp();

    assertThat(rows(db, "SELECT operation || ' ' || primary_key || ' ' || coalesce(previous_primary_key, '-')"
        + " FROM bemi.changes WHERE \"table\" = 'people' ORDER BY commit_lsn, change_index"))
        .containsExactly("CREATE 1 -", "UPDATE 2 1", "UPDATE 2 -", "UPDATE 3 2");
    for (String key : List.of("1", "2", "3")) {
      assertThat(rows(db, "SELECT string_agg(after ->> 'name', ',' ORDER BY commit_lsn, change_index)"
          + " FROM bemi.record_history('people', '" + key + "')")).as("by key %s", key)
          .containsExactly("Ann,Ann,Ann B,Ann C");
    }
  }

  @Test
  void underDefaultReplicaIdentityTheOldKeyTupleGivesTheKeyAndTheDiffTheOldValues(TestDatabase db) throws Exception {
    db.execute("INSERT INTO tags VALUES ('acme', 1, 'red')", "UPDATE tags SET no = 5 WHERE org = 'acme' AND no = 1");
    harness.awaitCaughtUp();

    assertThat(rows(db, "SELECT primary_key || ' ' || previous_primary_key FROM bemi.changes"
        + " WHERE \"table\" = 'tags' AND operation = 'UPDATE'")).containsExactly("[\"acme\",5] [\"acme\",1]");
    assertThat(rows(db, "SELECT d.column_name || ': ' || d.old_value || ' -> ' || d.new_value FROM bemi.changes c,"
        + " bemi.change_diff(c.id) d WHERE c.\"table\" = 'tags' AND c.operation = 'UPDATE'")).containsExactly("no: 1 -> 5");
    assertThat(rows(db, "SELECT bemi.record_as_of('tags', '[\"acme\",1]', now())::text"))
        .containsExactly("{\"no\": 5, \"org\": \"acme\", \"label\": \"red\"}");
  }
}

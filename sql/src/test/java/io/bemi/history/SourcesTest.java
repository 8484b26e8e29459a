package io.bemi.history;

import static io.bemi.history.Trail.column;
import static io.bemi.history.Trail.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two sources ingesting the same table with the same keys into one trail (source '' captured from
 * real writes, source 'b' the same changes at the same LSNs with other owners): time travel and
 * restore read one source's changes, and refuse (BM008) to guess between several.
 */
@WithPostgres
class SourcesTest {

  private static Timestamp then;

  @BeforeAll
  static void twoSources(TestDatabase db) throws SQLException {
    Trail.install(db);
    db.execute("CREATE TABLE accounts (id int PRIMARY KEY, owner text)", "CREATE TABLE notes (id int PRIMARY KEY, body text)");
    Trail.capture(db, "accounts");
    Trail.capture(db, "notes");
    write(db, "SET LOCAL bemi.test_context = '{\"requestId\": \"r1\"}'",
        "INSERT INTO accounts VALUES (1, 'ann'), (2, 'bob'), (3, 'cy')", "INSERT INTO notes VALUES (1, 'hello')");
    then = write(db, "UPDATE accounts SET owner = 'anna' WHERE id = 1");
    write(db, "UPDATE accounts SET id = 4 WHERE id = 2", "DELETE FROM accounts WHERE id = 3",
        "INSERT INTO accounts VALUES (5, 'eve')", "UPDATE notes SET body = 'bye'");
    db.execute("""
        INSERT INTO bemi.changes
        SELECT (jsonb_populate_record(c, jsonb_build_object(
                  'id', gen_random_uuid(), 'source', 'b',
                  'after', coalesce(jsonb_set(c.after, '{owner}', to_jsonb('B-' || (c.after ->> 'owner'))), c.after)))).*
          FROM bemi.changes c WHERE c."table" = 'accounts'""");
  }

  private static List<String> rowsThen(TestDatabase db, String source) throws SQLException {
    return column(db, "SELECT primary_key || ' ' || \"row\"::text FROM bemi.table_as_of('accounts', ?, ?::text)"
        + " ORDER BY primary_key", then, source);
  }

  private static void refusedAsAmbiguous(TestDatabase db, String sql) {
    assertThatThrownBy(() -> column(db, sql, then))
        .isInstanceOfSatisfying(SQLException.class, e -> {
          assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("BM008");
          assertThat(e.getMessage()).contains("several sources: '', 'b'");
        });
  }

  @Test
  void eachSourceHasItsOwnState(TestDatabase db) throws SQLException {
    assertThat(rowsThen(db, "")).containsExactly("1 {\"id\": 1, \"owner\": \"anna\"}", "2 {\"id\": 2, \"owner\": \"bob\"}",
        "3 {\"id\": 3, \"owner\": \"cy\"}");
    assertThat(rowsThen(db, "b")).containsExactly("1 {\"id\": 1, \"owner\": \"B-anna\"}",
        "2 {\"id\": 2, \"owner\": \"B-bob\"}", "3 {\"id\": 3, \"owner\": \"B-cy\"}");
    assertThat(column(db, "SELECT bemi.record_as_of('accounts', '4', now(), 'b') ->> 'owner'")).containsExactly("B-bob");
    assertThat(column(db, "SELECT bemi.record_as_of('accounts', '2', ?, '') ->> 'owner'", then)).containsExactly("bob");
    assertThat(column(db, "SELECT count(*) FROM bemi.context_changes('{\"requestId\": \"r1\"}', 'b')")).containsExactly("3");
    BemiChanges bemi = BemiChanges.of(db.dataSource());
    assertThat(bemi.tableAsOf("accounts", then.toInstant(), "b")).hasSize(3);
    assertThat(bemi.asOf("accounts", 1, then.toInstant(), "b")).hasValue("{\"id\": 1, \"owner\": \"B-anna\"}");
    assertThat(bemi.restoreCounts(List.of("accounts"), then.toInstant(), "b")).singleElement()
        .satisfies(count -> assertThat(count.deletes()).isEqualTo(1));
    assertThatThrownBy(() -> bemi.restoreTablesSql(List.of("accounts"), then.toInstant(), false))
        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("BM008"));
  }

  @Test
  void withoutTheSourceSeveralSourcesAreRefused(TestDatabase db) {
    refusedAsAmbiguous(db, "SELECT bemi.record_as_of('accounts', '1', ?)::text");
    refusedAsAmbiguous(db, "SELECT count(*) FROM bemi.table_as_of('accounts', ?)");
    refusedAsAmbiguous(db, "SELECT count(*) FROM bemi.restore_counts('{accounts}', ?)");
    refusedAsAmbiguous(db, "SELECT bemi.restore_table_sql('accounts', ?)");
    refusedAsAmbiguous(db, "SELECT bemi.replay_sql(?, now())");
    refusedAsAmbiguous(db, "SELECT count(*) FROM bemi.context_changes('{\"requestId\": \"r1\"}') WHERE committed_at > ?");
  }

  @Test
  void aTableOfOneSourceNeedsNoSource(TestDatabase db) throws SQLException {
    assertThat(column(db, "SELECT \"row\" ->> 'body' FROM bemi.table_as_of('notes', ?)", then)).containsExactly("hello");
    assertThat(column(db, "SELECT bemi.record_as_of('notes', '1', now()) ->> 'body'")).containsExactly("bye");
    assertThat(column(db, "SELECT updates FROM bemi.restore_counts('{notes}', ?)", then)).containsExactly("1");
  }

  @Test
  void aRestoreReadsOneSourcesChanges(TestDatabase db) throws SQLException {
    assertThat(column(db, "SELECT desired ->> 'owner' FROM bemi.restore_plan('{accounts}', ?, 'b') ORDER BY primary_key",
        then)).containsExactly("B-cy", "B-bob", null);
    String restore = column(db, "SELECT bemi.restore_table_sql('accounts', ?, p_source => '')", then).get(0);
    try (Connection c = db.connect()) {
      BemiChanges.apply(c, restore);
    }
    assertThat(column(db, "SELECT id || ' ' || owner FROM accounts ORDER BY id")).containsExactly("1 anna", "2 bob", "3 cy");
  }

  @Test
  void aTransactionOrContextTwoSourcesShareIsOneSourcesAndRefusedWithoutIt(TestDatabase db) throws SQLException {
    BemiChanges trail = BemiChanges.of(db.dataSource());
    Change first = trail.history("accounts", 1).get(0);
    String lsn = io.bemi.sql.Lsn.text(first.commitLsn());
    for (String ambiguous : List.of("SELECT count(*) FROM bemi.commit_changes('" + lsn + "')",
        "SELECT count(*) FROM bemi.transaction_changes(" + first.transactionId() + ")",
        "SELECT bemi.revert_commit_sql('" + lsn + "')", "SELECT bemi.revert_transaction_sql(" + first.transactionId() + ")",
        "SELECT bemi.revert_context_sql('{\"requestId\": \"r1\"}')")) {
      assertThatThrownBy(() -> column(db, ambiguous)).as(ambiguous)
          .isInstanceOfSatisfying(SQLException.class, e -> {
            assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("BM008");
            assertThat(e.getMessage()).contains("several sources: '', 'b'");
          });
    }
    assertThat(trail.commitChanges(lsn, "b")).extracting(Change::source).containsOnly("b").hasSize(3);
    assertThat(trail.commitChanges(lsn, "")).extracting(Change::qualifiedTable).contains("public.notes");
    assertThat(trail.transaction(first.transactionId(), "b")).hasSize(3);
    assertThat(column(db, "SELECT source || ' ' || changes FROM bemi.transaction_commits(?::bigint)", first.transactionId()))
        .containsExactly(" 4", "b 3");
    assertThat(trail.revertCommitSql(lsn, false, "b")).contains("\"source\": \"b\"", "B-ann").doesNotContain("'hello'");
    assertThat(trail.revertTransactionSql(first.transactionId(), false, "")).contains("hello");
    assertThat(trail.revertContextSql(java.util.Map.of("requestId", "r1"), false, "b")).contains("B-ann");
    assertThat(BemiChanges.of(db.dataSource()).commitChanges("0/1")).isEmpty(); // nothing there: no source to choose
  }

  @Test
  void theJavaApiSaysWhichSourcesATableATransactionAndAContextHaveAndReadsOne(TestDatabase db) throws SQLException {
    BemiChanges trail = BemiChanges.of(db.dataSource());
    assertThat(trail.tableSources(List.of("accounts"))).containsExactly("", "b");
    assertThat(trail.tableSources(List.of("public.notes"))).containsExactly("");
    assertThat(trail.tableSources(List.of())).containsExactly("", "b");
    Change first = trail.history("accounts", 1).get(0);
    assertThat(trail.commitSources(first.commitLsn())).containsExactly("", "b");
    assertThat(trail.commitChanges(first.commitLsn(), "b", 100)).extracting(Change::source).containsOnly("b").hasSize(3);
    assertThat(trail.contextSources("{\"requestId\": \"r1\"}")).containsExactly("", "b");
    assertThat(trail.latestByContext("{\"requestId\": \"r1\"}", "", 100)).extracting(Change::source).containsOnly("");
    assertThat(trail.historyAfter("accounts", 1, -1, -1, 100, "b")).extracting(Change::after)
        .allMatch(after -> after.contains("B-"));
    assertThat(trail.lastChangeAsOf("accounts", 1, then.toInstant(), "b").orElseThrow().source()).isEqualTo("b");
  }

  @Test
  void whichSourcesATableHasIsFoundByIndexProbesNotByReadingTheRollup(TestDatabase db) throws SQLException {
    // a busy table: 30,000 minutes of activity from three sources, interleaved
    db.execute("""
        INSERT INTO bemi.activity (bucket, source, schema, "table", operation, changes)
        SELECT TIMESTAMPTZ '2024-01-01 00:00:00+00' + m * INTERVAL '1 minute', (ARRAY['c', 'a', 'b'])[m % 3 + 1],
               'public', 'busy', 'UPDATE', 1
          FROM generate_series(1, 30000) m""", "ANALYZE bemi.activity");
    try (Connection c = db.connect(); java.sql.Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      assertThatThrownBy(() -> s.executeQuery("SELECT bemi.resolve_source('{busy}', NULL)"))
          .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getMessage()).contains("several sources: 'a', 'b', 'c'"));
      c.rollback();
      try (java.sql.ResultSet rs = s.executeQuery("SELECT bemi.resolve_source('{notes}', NULL)"
          + " || (SELECT count(*) FROM bemi.table_as_of('notes', now(), ''))," // 1 row; its one-source check probes too
          + " (SELECT seq_scan || ' ' || (idx_scan > 0) FROM pg_stat_xact_user_tables"
          + " WHERE schemaname = 'bemi' AND relname = 'activity')")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("1"); // notes' only source is '', and its one row
        assertThat(rs.getString(2)).as("sequential scans, index scans of bemi.activity").isEqualTo("0 true");
      }
    } finally {
      db.execute("DELETE FROM bemi.activity WHERE \"table\" = 'busy'");
    }
  }
}

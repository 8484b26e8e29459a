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
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The WAL of a revert: its _bemi context message comes first in its transaction, before its changes. */
@WithPostgres
@Tag("replication")
class RevertAuditTest {

  /** What the slot decodes, once the WAL is flushed (the test server commits asynchronously). */
  private static List<String> decoded(TestDatabase db) throws SQLException, InterruptedException {
    long inserted = db.queryLong("SELECT pg_current_wal_insert_lsn() - '0/0'");
    for (int i = 0; i < 500 && db.queryLong("SELECT pg_current_wal_flush_lsn() - '0/0'") < inserted; i++) {
      Thread.sleep(10);
    }
    List<String> lines = new ArrayList<>();
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT data FROM pg_logical_slot_get_changes('revert_audit', NULL, NULL,"
            + " 'include-xids', '0', 'skip-empty-xacts', '1')")) {
      while (rs.next()) {
        lines.add(rs.getString(1));
      }
    }
    return lines;
  }

  @Test
  void aRevertsChangesFollowItsRevertOfMessageInTheSameTransaction(TestDatabase db) throws Exception {
    Trail.install(db);
    db.execute("CREATE TABLE audited (id int PRIMARY KEY, v text)");
    Trail.capture(db, "audited");
    db.execute("INSERT INTO audited VALUES (1, 'a')", "UPDATE audited SET v = 'b' WHERE id = 1");
    UUID update = UUID.fromString((String) db.queryValue(
        "SELECT id::text FROM bemi.changes WHERE \"table\" = 'audited' AND operation = 'UPDATE'"));
    String sql = (String) db.queryValue("SELECT bemi.revert_sql('" + update + "', false, '{\"userId\": 9}')");
    db.execute("SELECT pg_create_logical_replication_slot('revert_audit', 'test_decoding')");

    try (Connection source = db.connect()) {
      BemiChanges.apply(source, sql);
    }

    List<String> wal = decoded(db);
    // One transaction (PostgreSQL 14 prints a message before its BEGIN, later versions after).
    assertThat(wal).filteredOn(line -> line.startsWith("COMMIT")).hasSize(1);
    List<String> events = wal.stream().filter(line -> !line.startsWith("BEGIN") && !line.startsWith("COMMIT")).toList();
    assertThat(events.get(0)).startsWith("message: transactional: 1 prefix: _bemi")
        .endsWith("content:{\"userId\": 9, \"revertOf\": {\"changeId\": \"" + update + "\"}}");
    assertThat(events.get(1)).startsWith("table public.audited: UPDATE:").contains("v[text]:'a'");
  }
}

package io.bemi.ingester.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.ingester.PostgresUrl;
import io.bemi.sql.Migrations;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@WithPostgres
class RetentionTest {

  private static long lsn = 1000;

  @BeforeAll
  static void history(TestDatabase db) throws Exception {
    Migrations.migrate(db.dataSource(), "bemi");
    change(db, "1", "CREATE", "{\"id\": 1, \"v\": \"a\"}", 100);
    change(db, "1", "UPDATE", "{\"id\": 1, \"v\": \"b\"}", 95);
    change(db, "1", "UPDATE", "{\"id\": 1, \"v\": \"c\"}", 1);
    change(db, "2", "SNAPSHOT", "{\"id\": 2, \"v\": \"s\"}", 200);
    change(db, null, "CREATE", "{\"v\": \"old keyless\"}", 100);
    change(db, null, "CREATE", "{\"v\": \"new keyless\"}", 1);
    change(db, "logs", null, "TRUNCATE", "{}", 150);
    change(db, "logs", null, "TRUNCATE", "{}", 120);

    long deleted = new Retention(PostgresUrl.parse(db.uri()), "bemi", Retention.parseAge("90d"), 1).deleteExpired();

    assertThat(deleted).isEqualTo(3);
  }

  private static void change(TestDatabase db, String key, String operation, String after, int daysAgo)
      throws Exception {
    change(db, "items", key, operation, after, daysAgo);
  }

  private static void change(TestDatabase db, String table, String key, String operation, String after, int daysAgo)
      throws Exception {
    lsn += 100;
    db.execute("INSERT INTO bemi.changes (primary_key, after, database, schema, \"table\", operation, committed_at,"
        + " queued_at, transaction_id, position, commit_lsn, change_index) VALUES ("
        + (key == null ? "NULL" : "'" + key + "'") + ", '" + after + "', 'app', 'public', '" + table + "', '" + operation
        + "', now() - interval '" + daysAgo + " days', now(), 1, " + lsn + ", " + lsn + ", 0)");
  }

  @Test
  void aRecordKeepsItsLatestChangeBeforeTheCutoffAndEverythingAfter(TestDatabase db) throws Exception {
    assertThat(db.queryValue("SELECT string_agg(after->>'v', ',' ORDER BY commit_lsn) FROM bemi.changes"
        + " WHERE primary_key = '1'")).isEqualTo("b,c");
  }

  @Test
  void theRecordsStateInsideTheWindowIsStillAnswered(TestDatabase db) throws Exception {
    assertThat(db.queryValue("SELECT bemi.record_as_of('items', '1', now() - interval '30 days')->>'v'"))
        .isEqualTo("b");
  }

  @Test
  void aBaselineOfARecordThatNeverChangedIsKept(TestDatabase db) throws Exception {
    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes WHERE primary_key = '2'")).isEqualTo(1);
  }

  @Test
  void oldChangesOfKeylessTablesAreDeleted(TestDatabase db) throws Exception {
    assertThat(db.queryValue("SELECT string_agg(after->>'v', ',') FROM bemi.changes"
        + " WHERE primary_key IS NULL AND operation = 'CREATE'")).isEqualTo("new keyless");
  }

  @Test
  void onlyTheLatestOldTruncateIsKept(TestDatabase db) throws Exception {
    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes WHERE operation = 'TRUNCATE'"
        + " AND committed_at < now() - interval '130 days'")).isZero();
    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes WHERE operation = 'TRUNCATE'")).isEqualTo(1);
  }

  @Test
  void anInvalidAgeIsRejectedShowingIt() {
    assertThat(Retention.parseAge("12h")).isEqualTo(Duration.ofHours(12));
    assertThatThrownBy(() -> Retention.parseAge("90 days")).hasMessageContaining("'90 days'");
  }
}

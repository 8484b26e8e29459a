package io.bemi.ingester.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.ingester.PostgresUrl;
import io.bemi.sql.Migrations;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A synthetic history over three monthly partitions (this month M0 and the next two); the cutoff
 * falls ten days into M2, so M0 and M1 are expired and M2 is kept whole.
 */
@WithPostgres
class RetentionTest {

  private static final ZonedDateTime M0 = ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS)
      .withDayOfMonth(1);
  private static final Instant CUTOFF = M0.plusMonths(2).plusDays(10).toInstant();
  private static long lsn = 1000;
  private static List<String> dropped;

  @BeforeAll
  static void history(TestDatabase db) throws Exception {
    Migrations.migrate(db.dataSource(), "bemi");
    change(db, "items", "1", "CREATE", "{\"id\": 1, \"v\": \"a\"}", M0.plusDays(1));
    change(db, "items", "1", "UPDATE", "{\"id\": 1, \"v\": \"b\"}", M0.plusMonths(1).plusDays(3));
    change(db, "items", "1", "UPDATE", "{\"id\": 1, \"v\": \"c\"}", M0.plusMonths(2).plusDays(20));
    change(db, "items", "2", "SNAPSHOT", "{\"id\": 2, \"v\": \"s\"}", M0.plusDays(2));
    change(db, "items", "3", "CREATE", "{\"id\": 3, \"v\": \"kept with its month\"}", M0.plusMonths(2).plusDays(1));
    change(db, "items", null, "CREATE", "{\"v\": \"old keyless\"}", M0.plusDays(3));
    change(db, "items", null, "CREATE", "{\"v\": \"new keyless\"}", M0.plusMonths(2).plusDays(20));
    change(db, "logs", null, "TRUNCATE", "{}", M0.plusDays(4));
    change(db, "logs", null, "TRUNCATE", "{}", M0.plusMonths(1).plusDays(4));

    dropped = new Retention(PostgresUrl.parse(db.uri()), "bemi", Retention.parseAge("--retention", "90d")).expireBefore(CUTOFF);
  }

  private static void change(TestDatabase db, String table, String key, String operation, String after,
      ZonedDateTime committedAt) throws Exception {
    lsn += 100;
    db.execute("INSERT INTO bemi.changes (primary_key, after, database, schema, \"table\", operation, committed_at,"
        + " queued_at, transaction_id, position, commit_lsn, change_index) VALUES ("
        + (key == null ? "NULL" : "'" + key + "'") + ", '" + after + "', 'app', 'public', '" + table + "', '" + operation
        + "', '" + committedAt.toInstant() + "', now(), 1, " + lsn + ", " + lsn + ", 0)");
  }

  @Test
  void theMonthsThatEndedBeforeTheCutoffAreDroppedAndTheOneAcrossItStays(TestDatabase db) throws Exception {
    assertThat(dropped).hasSize(2);
    assertThat(db.queryValue("SELECT string_agg(partition_name, ',' ORDER BY from_at NULLS FIRST)"
        + " FROM bemi.changes_partitions() WHERE from_at IS NULL OR from_at < '" + CUTOFF + "'"))
        .isEqualTo("changes_history,changes_" + M0.plusMonths(2).getYear() + "_"
            + String.format("%02d", M0.plusMonths(2).getMonthValue()));
  }

  @Test
  void aRecordKeepsItsLatestChangeBeforeTheCutoffAndEverythingAfter(TestDatabase db) throws Exception {
    assertThat(db.queryValue("SELECT string_agg(after->>'v', ',' ORDER BY commit_lsn) FROM bemi.changes"
        + " WHERE primary_key = '1'")).isEqualTo("b,c");
  }

  @Test
  void theRecordsStateInsideTheWindowIsStillAnswered(TestDatabase db) throws Exception {
    assertThat(db.queryValue("SELECT bemi.record_as_of('items', '1', '" + CUTOFF.plus(Duration.ofDays(5)) + "')->>'v'"))
        .isEqualTo("b");
  }

  @Test
  void aBaselineOfARecordThatNeverChangedIsKept(TestDatabase db) throws Exception {
    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes WHERE primary_key = '2'")).isEqualTo(1);
    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes WHERE primary_key = '3'")).isEqualTo(1);
  }

  @Test
  void oldChangesOfKeylessTablesGoWithTheirMonth(TestDatabase db) throws Exception {
    assertThat(db.queryValue("SELECT string_agg(after->>'v', ',') FROM bemi.changes"
        + " WHERE primary_key IS NULL AND operation = 'CREATE'")).isEqualTo("new keyless");
  }

  @Test
  void onlyTheLatestOldTruncateIsKept(TestDatabase db) throws Exception {
    assertThat(db.queryValue("SELECT string_agg(committed_at::text, ',') FROM bemi.changes WHERE operation = 'TRUNCATE'"))
        .isEqualTo(db.queryValue("SELECT '" + M0.plusMonths(1).plusDays(4).toInstant() + "'::timestamptz::text"));
  }

  @Test
  void aSecondPassFindsNothingToDrop(TestDatabase db) throws Exception {
    Retention retention = new Retention(PostgresUrl.parse(db.uri()), "bemi", Retention.parseAge("--retention", "90d"));
    assertThat(retention.expireBefore(CUTOFF)).isEmpty();
    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes")).isEqualTo(6);
  }

  @Test
  void anInvalidAgeIsRejectedShowingIt() {
    assertThat(Retention.parseAge("--retention", "12h")).isEqualTo(Duration.ofHours(12));
    assertThatThrownBy(() -> Retention.parseAge("--retention", "90 days")).hasMessageContaining("'90 days'");
  }
}

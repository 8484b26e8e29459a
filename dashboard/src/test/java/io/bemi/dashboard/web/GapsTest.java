package io.bemi.dashboard.web;

import static io.bemi.dashboard.web.TestApp.get;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bemi.dashboard.Trail;
import io.bemi.dashboard.changes.StoredJson;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.Response;
import java.sql.SQLException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Gaps the ingester recorded in bemi.gaps (a source failover without a failover slot) are marked in
 * a record's timeline and listed by its history API. Order 1's story: CREATE 10:00, UPDATE 11:00,
 * UPDATE 12:00 (Trail). Each test writes the gaps it needs.
 */
@WithPostgres
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GapsTest {

  private static final ObjectMapper JSON = StoredJson.mapper();
  private static final String MARKER = "Gap in the trail:";
  private static final String RECORD = "/record?schema=public&table=orders&pk=1";
  private static final String HISTORY = "/api/records/history?schema=public&table=orders&pk=1";

  private TestDatabase db;
  private Trail trail;

  @BeforeAll
  void story(TestDatabase db) throws Exception {
    this.db = db;
    trail = new Trail(db).story();
  }

  /** Replaces every recorded gap with one of {@code database}; {@code end} null leaves it open. */
  private void onlyGap(String database, String start, String end) throws SQLException {
    db.execute("DELETE FROM bemi.gaps", "INSERT INTO bemi.gaps (slot, source_database, start_lsn, start_at, end_lsn, end_at, reason)"
        + " VALUES ('bemi', " + database + ", x'1001000'::bigint, '2024-05-01T" + start + ":00Z', "
        + (end == null ? "NULL, NULL" : "x'1001800'::bigint, '2024-05-01T" + end + ":00Z'")
        + ", 'slot missing on the source: <b>failover</b>')");
  }

  private static String timeline(String page) {
    assertThat(page).contains("<ol class=\"timeline\">");
    return page.substring(page.indexOf("<ol class=\"timeline\">"));
  }

  private static String page(HttpClient client, String path) {
    Response r = get(client, path);
    assertThat(r.code()).as(path).isEqualTo(200);
    return r.body().string();
  }

  private static JsonNode json(HttpClient client, String path) throws Exception {
    Response r = get(client, path);
    assertThat(r.code()).as(path).isEqualTo(200);
    return JSON.readTree(r.body().string());
  }

  private static String committed(String hhmm) {
    return "<time datetime=\"2024-05-01T" + hhmm + ":00Z\"";
  }

  @Test
  void recordPageMarksAClosedGapBetweenTheTwoChangesThatStraddleIt() throws Exception {
    onlyGap("current_database()", "10:30", "10:45");
    TestApp.test(db, (server, client) -> {
      String timeline = timeline(page(client, RECORD));
      int marker = timeline.indexOf(MARKER);
      assertThat(marker).isGreaterThan(timeline.indexOf(committed("11:00"))); // newest first
      assertThat(marker).isLessThan(timeline.indexOf(committed("10:00")));
      assertThat(timeline).containsOnlyOnce(MARKER);
      assertThat(timeline.substring(marker)).contains(
          "changes between <time datetime=\"2024-05-01T10:30:00Z\"", "(LSN <code>0/1001000</code>) and <time datetime=\"2024-05-01T10:45:00Z\"",
          "(LSN <code>0/1001800</code>) were not captured", "(source failover without a failover slot); run <code>setup --snapshot</code> to re-baseline",
          "slot missing on the source: &lt;b&gt;failover&lt;/b&gt;");
      assertThat(timeline).doesNotContain("<b>failover</b>");
    });
  }

  @Test
  void historyApiListsTheClosedGapAfterTheChangeItFollows() throws Exception {
    onlyGap("current_database()", "10:30", "10:45");
    String created = trail.changeId("primary_key = '1' AND operation = 'CREATE'");
    TestApp.test(db, (server, client) -> {
      JsonNode gaps = json(client, HISTORY).get("gaps");
      assertThat(gaps).hasSize(1);
      JsonNode gap = gaps.get(0);
      assertThat(gap.get("startAt").asText()).isEqualTo("2024-05-01T10:30:00Z");
      assertThat(gap.get("startLsn").asText()).isEqualTo("0/1001000");
      assertThat(gap.get("endAt").asText()).isEqualTo("2024-05-01T10:45:00Z");
      assertThat(gap.get("endLsn").asText()).isEqualTo("0/1001800");
      assertThat(gap.get("open").asBoolean()).isFalse();
      assertThat(gap.get("sourceDatabase").asText()).isEqualTo(db.name());
      assertThat(gap.get("afterChangeId").asText()).isEqualTo(created);
    });
  }

  @Test
  void anOpenGapAfterTheLastChangeIsMarkedAtTheNewestEnd() throws Exception {
    onlyGap("current_database()", "12:30", null);
    TestApp.test(db, (server, client) -> {
      String page = page(client, RECORD);
      String timeline = timeline(page);
      assertThat(timeline.indexOf(MARKER)).isBetween(0, timeline.indexOf(committed("12:00")));
      assertThat(timeline).contains("and now (open) were not captured");
      assertThat(page).contains("(3 changes, 1 gap, newest first)");
    });
  }

  @Test
  void historyApiListsAnOpenGapAfterTheLastChange() throws Exception {
    onlyGap("current_database()", "12:30", null);
    String last = trail.changeId("primary_key = '1' AND committed_at = '2024-05-01T12:00:00Z'");
    TestApp.test(db, (server, client) -> {
      JsonNode gap = json(client, HISTORY).get("gaps").get(0);
      assertThat(gap.get("open").asBoolean()).isTrue();
      assertThat(gap.get("endAt").isNull()).isTrue();
      assertThat(gap.get("endLsn").isNull()).isTrue();
      assertThat(gap.get("afterChangeId").asText()).isEqualTo(last);
    });
  }

  @Test
  void aGapOfAnotherSourceDatabaseIsNotShown() throws Exception {
    onlyGap("'another_source'", "10:30", null);
    TestApp.test(db, (server, client) -> {
      assertThat(page(client, RECORD)).doesNotContain(MARKER);
      assertThat(json(client, HISTORY).get("gaps")).isEmpty();
    });
  }

  @Test
  void aGapThatEndedBeforeTheRecordsFirstChangeIsNotShown() throws Exception {
    onlyGap("current_database()", "09:10", "09:20");
    TestApp.test(db, (server, client) -> {
      assertThat(page(client, RECORD)).doesNotContain(MARKER);
      assertThat(json(client, HISTORY).get("gaps")).isEmpty();
    });
  }

  @Test
  void aTrailWithoutTheGapsTableStillShowsTheRecordWithoutAMarker() throws Exception {
    TestDatabase older = db.createSibling("nogaps");
    new Trail(older).story();
    older.execute("DROP TABLE bemi.gaps");
    TestApp.test(older, (server, client) -> {
      String timeline = timeline(page(client, RECORD));
      assertThat(timeline).contains(committed("10:00"), committed("12:00")).doesNotContain(MARKER);
      assertThat(json(client, HISTORY).get("gaps")).isEmpty();
      assertThat(json(client, HISTORY).get("changes")).hasSize(3);
    });
  }
}

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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@WithPostgres
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiTest {

  private static final ObjectMapper JSON = StoredJson.mapper();
  private TestDatabase db;
  private Trail trail;

  @BeforeAll
  void story(TestDatabase db) throws Exception {
    this.db = db;
    trail = new Trail(db).story();
  }

  /** A fresh app per test (JavalinTest starts and stops the one it is given). */
  private void http(io.javalin.testtools.TestCase test) {
    TestApp.test(db, test);
  }

  private JsonNode json(HttpClient client, String path) throws Exception {
    Response r = get(client, path);
    assertThat(r.code()).as("%s -> %s", path, r.body().string()).isEqualTo(200);
    return JSON.readTree(r.body().string());
  }

  private static List<String> field(JsonNode changes, String name) {
    List<String> out = new ArrayList<>();
    changes.forEach(c -> out.add(c.get(name).asText()));
    return out;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void changesComeNewestFirstInCommitOrder() {
    http((server, client) -> {
      JsonNode body = json(client, "/api/changes");
      assertThat(field(body.get("changes"), "operation")).containsExactly("DELETE", "UPDATE", "CREATE", "UPDATE", "CREATE", "CREATE");
      assertThat(field(body.get("changes"), "table")).containsExactly("orders", "orders", "customers", "orders", "orders", "orders");
      assertThat(body.get("next").isNull()).isTrue();
    });
  }

  @Test
  void tableFilterAcceptsBareAndQualifiedNames() {
    http((server, client) -> {
      assertThat(json(client, "/api/changes?table=customers").get("changes")).hasSize(1);
      assertThat(json(client, "/api/changes?table=public.customers").get("changes")).hasSize(1);
      assertThat(json(client, "/api/changes?table=other.customers").get("changes")).isEmpty();
    });
  }

  @Test
  void primaryKeyFilterSelectsOneRecordsChanges() {
    http((server, client) -> {
      JsonNode changes = json(client, "/api/changes?table=orders&pk=1").get("changes");
      assertThat(field(changes, "operation")).containsExactly("UPDATE", "UPDATE", "CREATE");
      assertThat(field(changes, "primaryKey")).containsOnly("1");
    });
  }

  @Test
  void operationFilterTakesRepeatedAndCommaSeparatedValues() {
    http((server, client) -> {
      assertThat(field(json(client, "/api/changes?op=delete").get("changes"), "operation")).containsExactly("DELETE");
      assertThat(json(client, "/api/changes?op=CREATE,DELETE").get("changes")).hasSize(4);
      assertThat(json(client, "/api/changes?op=CREATE&op=UPDATE").get("changes")).hasSize(5);
    });
  }

  @Test
  void timeRangeIncludesFromAndExcludesTo() {
    http((server, client) -> {
      JsonNode changes = json(client, "/api/changes?from=2024-05-01T10:00:00Z&to=2024-05-01T12:00").get("changes");
      assertThat(field(changes, "committedAt")).containsExactly("2024-05-01T11:00:00Z", "2024-05-01T10:00:00Z");
    });
  }

  @Test
  void relativeTimesCountBackFromNow() {
    http((server, client) -> {
      // now is 14:00: -90m starts at 12:30
      assertThat(field(json(client, "/api/changes?from=-90m").get("changes"), "operation")).containsExactly("DELETE");
    });
  }

  @Test
  void contextEqualityMatchesNumbersAndTheirStringForm() {
    http((server, client) -> {
      assertThat(json(client, "/api/changes?context=" + enc("userId = 42")).get("changes")).hasSize(2);
      // userId "7" is stored as a string; 7 typed in the filter still finds it
      assertThat(json(client, "/api/changes?context=" + enc("userId=7")).get("changes")).hasSize(2);
      assertThat(json(client, "/api/changes?context=" + enc("userId = \"42\"")).get("changes")).isEmpty();
    });
  }

  @Test
  void contextContainsIsACaseInsensitiveSubstringMatch() {
    http((server, client) -> {
      JsonNode changes = json(client, "/api/changes?context=" + enc("endpoint contains /ORDERS")).get("changes");
      assertThat(field(changes, "operation")).containsExactly("UPDATE", "CREATE");
    });
  }

  @Test
  void contextContainsTreatsLikeWildcardsLiterally() {
    http((server, client) -> {
      assertThat(json(client, "/api/changes?context=" + enc("endpoint contains %")).get("changes")).isEmpty();
    });
  }

  @Test
  void contextNotEqualsExcludesTheValue() {
    http((server, client) -> {
      assertThat(json(client, "/api/changes?context=" + enc("userId != 42")).get("changes")).hasSize(4);
    });
  }

  @Test
  void severalContextConditionsMustAllHold() {
    http((server, client) -> {
      JsonNode changes = json(client, "/api/changes?context=" + enc("userId = 42") + "&context=" + enc("requestId = r-2")).get("changes");
      assertThat(field(changes, "operation")).containsExactly("UPDATE");
    });
  }

  @Test
  void keysetPagesWalkEveryChangeOnceWithoutOffset() {
    http((server, client) -> {
      List<String> seen = new ArrayList<>();
      String cursor = null;
      int pages = 0;
      do {
        JsonNode body = json(client, "/api/changes?limit=2" + (cursor == null ? "" : "&after=" + cursor));
        seen.addAll(field(body.get("changes"), "id"));
        cursor = body.get("next").isNull() ? null : body.get("next").asText();
        pages++;
      } while (cursor != null);
      assertThat(pages).isEqualTo(3);
      assertThat(seen).hasSize(6).doesNotHaveDuplicates();
    });
  }

  @Test
  void aChangeComesWithItsColumnDiff() {
    http((server, client) -> {
      String id = trail.changeId("transaction_id = 101");
      JsonNode change = json(client, "/api/changes/" + id);
      assertThat(change.get("changedColumns")).extracting(JsonNode::asText).containsExactly("status");
      JsonNode status = null;
      for (JsonNode column : change.get("diff")) {
        if (column.get("column").asText().equals("status")) {
          status = column;
        }
      }
      assertThat(status.get("changed").asBoolean()).isTrue();
      assertThat(status.get("before").asText()).isEqualTo("new");
      assertThat(status.get("after").asText()).isEqualTo("paid");
      // numeric keeps its scale exactly as to_jsonb wrote it
      assertThat(change.get("after").get("total").toString()).isEqualTo("10.50");
    });
  }

  @Test
  void recordHistoryIsInCommitOrderWithDiffs() {
    http((server, client) -> {
      JsonNode body = json(client, "/api/records/history?schema=public&table=orders&pk=1");
      assertThat(field(body.get("changes"), "operation")).containsExactly("CREATE", "UPDATE", "UPDATE");
      assertThat(body.get("changes").get(2).get("after").get("note").asText()).isEqualTo(Trail.HOSTILE);
    });
  }

  @Test
  void recordHistoryComesInPagesThatEachNameTheNext() {
    http((server, client) -> {
      JsonNode first = json(client, "/api/records/history?schema=public&table=orders&pk=1&limit=2");
      JsonNode second = json(client, "/api/records/history?schema=public&table=orders&pk=1&limit=2&after=" + first.get("next").asText());

      assertThat(field(first.get("changes"), "operation")).containsExactly("CREATE", "UPDATE");
      assertThat(field(second.get("changes"), "operation")).containsExactly("UPDATE");
      assertThat(second.get("changes").get(0).get("after").get("note").asText()).isEqualTo(Trail.HOSTILE);
      assertThat(second.get("next").isNull()).isTrue();
    });
  }

  @Test
  void asOfShowsTheStateAfterTheLastChangeBeforeTheInstant() {
    http((server, client) -> {
      JsonNode body = json(client, "/api/records/as-of?schema=public&table=orders&pk=1&at=2024-05-01T11:30:00Z");
      assertThat(body.get("exists").asBoolean()).isTrue();
      assertThat(body.get("state").get("status").asText()).isEqualTo("paid");
      assertThat(body.get("state").get("note").isNull()).isTrue();
    });
  }

  @Test
  void asOfBeforeCreationSaysTheRecordDidNotExist() {
    http((server, client) -> {
      JsonNode body = json(client, "/api/records/as-of?schema=public&table=orders&pk=1&at=2024-05-01T09:59:59Z");
      assertThat(body.get("exists").asBoolean()).isFalse();
      assertThat(body.get("lastChangeId").isNull()).isTrue();
    });
  }

  @Test
  void asOfAfterDeletionSaysTheRecordIsGone() {
    http((server, client) -> {
      JsonNode body = json(client, "/api/records/as-of?schema=public&table=orders&pk=2&at=-1m");
      assertThat(body.get("exists").asBoolean()).isFalse();
      assertThat(body.get("lastChangeId").isNull()).isFalse();
    });
  }

  @Test
  void transactionListsItsChangesInOrder() {
    http((server, client) -> {
      JsonNode body = json(client, "/api/transactions/0/1004000");
      assertThat(body.get("commitLsn").asText()).isEqualTo("0/1004000");
      assertThat(body.get("transactionId").asLong()).isEqualTo(102);
      assertThat(field(body.get("changes"), "table")).containsExactly("customers", "orders");
      assertThat(field(body.get("changes"), "changeIndex")).containsExactly("0", "1");
    });
  }

  @Test
  void unknownTransactionIs404() {
    http((server, client) -> {
      Response r = get(client, "/api/transactions/424242");
      assertThat(r.code()).isEqualTo(404);
      assertThat(JSON.readTree(r.body().string()).get("error").asText()).contains("424242");
    });
  }

  @Test
  void contextViewSelectsOneContextValueAcrossTables() {
    http((server, client) -> {
      JsonNode body = json(client, "/api/context?key=requestId&value=" + enc("\"r-3\""));
      assertThat(field(body.get("changes"), "table")).containsExactlyInAnyOrder("customers", "orders");
      assertThat(json(client, "/api/context?key=userId&value=42").get("changes")).hasSize(2);
    });
  }

  @Test
  void tablesListsEveryAuditedTable() {
    http((server, client) -> {
      assertThat(json(client, "/api/tables").get("tables")).extracting(JsonNode::asText)
          .containsExactly("public.customers", "public.orders");
    });
  }

  @Test
  void changesOfOneSourceAreOnlyThoseItSent() {
    http((server, client) -> {
      JsonNode eu = json(client, "/api/changes?source=eu");
      assertThat(eu.get("changes")).isEmpty();
      assertThat(eu.get("filter").get("source").get(0).asText()).isEqualTo("eu");
      assertThat(json(client, "/api/changes?source=&table=orders").get("changes")).hasSize(5);
    });
  }

  @Test
  void activityOfOneSourceCountsOnlyItsChanges() {
    http((server, client) -> {
      assertThat(json(client, "/api/activity?window=24h&source=eu").get("total").asLong()).isZero();
      assertThat(json(client, "/api/activity?window=24h&source=").get("total").asLong()).isEqualTo(6);
    });
  }

  @Test
  void activityCountsChangesByTableAndOperation() {
    http((server, client) -> {
      JsonNode body = json(client, "/api/activity?window=24h");
      assertThat(body.get("total").asLong()).isEqualTo(6);
      long orders = 0;
      for (JsonNode n : body.get("byTable").get("public.orders")) {
        orders += n.asLong();
      }
      assertThat(orders).isEqualTo(5);
      long deletes = 0;
      for (JsonNode n : body.get("byOperation").get("DELETE")) {
        deletes += n.asLong();
      }
      assertThat(deletes).isEqualTo(1);
      assertThat(body.get("topContext").toString()).contains("{\"key\":\"userId\",\"value\":\"42\",\"changes\":2}");
    });
  }

  @Test
  void healthReportsTheNewestChangeAndAbsentMetrics() {
    http((server, client) -> {
      JsonNode body = json(client, "/api/health");
      assertThat(body.get("newestCommittedAt").asText()).isEqualTo("2024-05-01T13:00:00Z");
      assertThat(body.get("ingester").get("problem").asText()).contains("not configured");
    });
  }

  @Test
  void csvExportStreamsTheFilteredChanges() {
    http((server, client) -> {
      Response r = get(client, "/api/changes/export?format=csv&table=orders&pk=1");
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.headers().get("Content-Type").get(0)).startsWith("text/csv");
      String[] lines = r.body().string().split("\r\n");
      assertThat(lines[0]).startsWith("id,database,schema,table,primary_key,operation,before,after,context,committed_at");
      assertThat(lines).hasSize(4);
      assertThat(lines[3]).contains(",CREATE,");
    });
  }

  @Test
  void jsonExportIsAnArrayWithStoredJsonIntact() {
    http((server, client) -> {
      Response r = get(client, "/api/changes/export?format=json&op=DELETE");
      JsonNode array = JSON.readTree(r.body().string());
      assertThat(array).hasSize(1);
      assertThat(array.get(0).get("before").get("total").toString()).isEqualTo("99.99");
      assertThat(array.get(0).get("before").get("tags").get(0).asText()).isEqualTo("bulk");
    });
  }

  @Test
  void revertPreviewFlagsAChangeWhoseRecordChangedLater() {
    http((server, client) -> {
      JsonNode body = json(client, "/api/revert/preview?change=" + trail.changeId("transaction_id = 101"));
      assertThat(body.get("steps")).hasSize(1);
      // orders 1 changed again at 12:00: reverting 11:00 would overwrite it
      assertThat(body.get("steps").get(0).get("conflict").asBoolean()).isTrue();
      assertThat(body.get("steps").get(0).get("conflictReason").asText()).contains("changed later");
      assertThat(body.get("forced").asBoolean()).isTrue();
      assertThat(body.get("sql").asText()).startsWith("DO $");
    });
  }

  @Test
  void revertPreviewOfTheNewestTransactionHasNoConflictAndIsPreviewOnlyWithoutSource() {
    http((server, client) -> {
      JsonNode body = json(client, "/api/revert/preview?transaction=103");
      assertThat(body.get("steps").get(0).get("conflict").asBoolean()).isFalse();
      assertThat(body.get("steps").get(0).get("action").asText()).isEqualTo("insert the row again");
      assertThat(body.get("sql").asText()).contains("pg_logical_emit_message", "revertOf");
      assertThat(body.get("executable").asBoolean()).isFalse();
      assertThat(body.get("reason").asText()).contains("--source-url");
    });
  }

  @Test
  void revertPreviewOfAContextCoversEveryTableItTouched() {
    http((server, client) -> {
      JsonNode body = json(client, "/api/revert/preview?context=" + enc("{\"requestId\":\"r-3\"}"));
      assertThat(body.get("steps")).hasSize(2);
    });
  }

  @Test
  void revertPreviewOfAnUnknownChangeIs404() {
    http((server, client) -> {
      Response r = get(client, "/api/revert/preview?change=00000000-0000-0000-0000-000000000000");
      assertThat(r.code()).isEqualTo(404);
    });
  }

  @Test
  void revertExecutionWithoutSourceIsRefused() {
    http((server, client) -> {
      Response r = client.post("/api/revert/execute?transaction=103&confirm=yes", "",
          req -> req.header("Authorization", "Bearer " + TestApp.TOKEN));
      assertThat(r.code()).isEqualTo(400);
      assertThat(r.body().string()).contains("--source-url");
    });
  }

  @Test
  void badFilterValuesAre400WithTheReason() {
    http((server, client) -> {
      assertBadRequest(client, "/api/changes?op=UPSERT", "op 'UPSERT'");
      assertBadRequest(client, "/api/changes?from=yesterday", "from 'yesterday'");
      assertBadRequest(client, "/api/changes?from=2024-05-02&to=2024-05-01", "must be before");
      assertBadRequest(client, "/api/changes?context=" + enc("userId"), "context filter 'userId'");
      assertBadRequest(client, "/api/changes?context=" + enc("endpoint contains "), "context filter");
      assertBadRequest(client, "/api/changes?limit=0", "limit '0'");
      assertBadRequest(client, "/api/changes?limit=abc", "limit 'abc'");
      assertBadRequest(client, "/api/changes?after=not-a-cursor", "after 'not-a-cursor'");
      assertBadRequest(client, "/api/changes?pk=1", "pk needs a table");
      assertBadRequest(client, "/api/changes?transaction=x", "transaction 'x'");
      assertBadRequest(client, "/api/changes/export?format=xml", "format 'xml'");
      assertBadRequest(client, "/api/changes/not-a-uuid", "not a change id");
      assertBadRequest(client, "/api/records/history?table=orders&pk=1", "schema, table and pk");
      assertBadRequest(client, "/api/records/as-of?schema=public&table=orders&pk=1", "at is required");
      assertBadRequest(client, "/api/activity?window=2y", "window '2y'");
      assertBadRequest(client, "/api/revert/preview", "exactly one of");
      assertBadRequest(client, "/api/revert/preview?context=" + enc("[1]"), "JSON object");
    });
  }

  @Test
  void anUnknownParameterIs400NamingItAndWhatTheRouteTakesNotIgnored() {
    http((server, client) -> {
      assertBadRequest(client, "/api/changes?tabel=orders",
          "Unknown parameter 'tabel' for GET /api/changes: it takes after, context, from, limit, op, pk, source, table, to, transaction");
      assertBadRequest(client, "/api/changes?table=orders&limit=5&user_id=1", "Unknown parameter 'user_id'");
      assertBadRequest(client, "/api/tables?x=1", "Unknown parameter 'x' for GET /api/tables: it takes none");
      assertBadRequest(client, "/api/records/history?schema=public&table=orders&pk=1&at=-1h", "Unknown parameter 'at'");
      assertThat(get(client, "/api/changes?table=orders&limit=5").code()).isEqualTo(200);
    });
  }

  private static void assertBadRequest(HttpClient client, String path, String reason) throws Exception {
    Response r = get(client, path);
    assertThat(r.code()).as(path).isEqualTo(400);
    assertThat(r.headers().get("Content-Type").get(0)).startsWith("application/json");
    assertThat(JSON.readTree(r.body().string()).get("error").asText()).as(path).contains(reason);
  }

  @Test
  void unknownApiPathIsJson404() {
    http((server, client) -> {
      Response r = get(client, "/api/nope");
      assertThat(r.code()).isEqualTo(404);
      assertThat(JSON.readTree(r.body().string()).get("error").asText()).contains("/api/nope");
    });
  }

  @Test
  void aTransactionThatIsNeitherACommitLsnNorAnXidSaysWhatItShouldBe() {
    http((server, client) -> {
      Response r = get(client, "/api/transactions/abc");
      assertThat(r.code()).isEqualTo(400);
      assertThat(JSON.readTree(r.body().string()).get("error").asText())
          .isEqualTo("transaction 'abc' is neither a commit LSN (such as 0/16B3748) nor an xid (a whole number)");
      Response record = get(client, "/api/records/history?schema=public&pk=1");
      assertThat(JSON.readTree(record.body().string()).get("error").asText()).endsWith("missing: table");
    });
  }

  @Test
  void aKnownPathAskedWithAnotherMethodIs405NotUnknown() {
    http((server, client) -> {
      Response r = get(client, "/api/revert/execute");
      assertThat(r.code()).isEqualTo(405);
      assertThat(JSON.readTree(r.body().string()).get("error").asText()).isEqualTo("Method GET not allowed on /api/revert/execute");
    });
  }
}

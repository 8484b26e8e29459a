package io.bemi.dashboard.web;

import static io.bemi.dashboard.web.TestApp.get;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bemi.dashboard.Trail;
import io.bemi.dashboard.TwoSources;
import io.bemi.dashboard.changes.StoredJson;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.Response;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two sources in one destination whose table, key, commit LSN, xid and context collide
 * ({@link TwoSources}): every page and API answer that names a record, a transaction, a table
 * instant or a context is one source's; without a source, pages offer the sources and the API
 * answers 400 naming the parameter and the sources.
 */
@WithPostgres
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SourcesTest {

  private static final ObjectMapper JSON = StoredJson.mapper();
  private TestDatabase db;

  @BeforeAll
  void story(TestDatabase db) throws Exception {
    this.db = db;
    new Trail(db).story();
    TwoSources.store(db);
  }

  private void http(io.javalin.testtools.TestCase test) {
    TestApp.test(db, test);
  }

  private static JsonNode json(HttpClient client, String path, int status) throws Exception {
    Response r = get(client, path);
    String body = r.body().string();
    assertThat(r.code()).as("%s -> %s", path, body).isEqualTo(status);
    return JSON.readTree(body);
  }

  private static String page(HttpClient client, String path) throws Exception {
    Response r = get(client, path);
    String body = r.body().string();
    assertThat(r.code()).as("%s -> %s", path, body).isEqualTo(200);
    return body;
  }

  /** A 400 that names the parameter and the sources to choose from. */
  private static void asksForTheSource(HttpClient client, String path) throws Exception {
    JsonNode error = json(client, path, 400);
    assertThat(error.get("parameter").asText()).isEqualTo("source");
    assertThat(texts(error.get("sources"))).containsExactly(TwoSources.EU, TwoSources.US);
    assertThat(error.get("error").asText()).contains("several sources: 'eu-1', 'us-1'", "source=");
  }

  private static List<String> texts(Iterable<JsonNode> values) {
    List<String> out = new ArrayList<>();
    values.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void aRecordAsOfAnInstantIsOneSourcesRow() {
    http((server, client) -> {
      asksForTheSource(client, "/api/records/as-of?schema=public&table=accounts&pk=1&at=2024-05-01T12:00:00Z");
      JsonNode eu = json(client, "/api/records/as-of?schema=public&table=accounts&pk=1&at=2024-05-01T12:00:00Z&source=eu-1", 200);
      assertThat(eu.get("state").get("owner").asText()).isEqualTo("anna");
      assertThat(eu.get("record").get("source").asText()).isEqualTo("eu-1");
      JsonNode us = json(client, "/api/records/as-of?schema=public&table=accounts&pk=1&at=2024-05-01T12:00:00Z&source=us-1", 200);
      assertThat(us.get("state").get("owner").asText()).isEqualTo("zoe");
    });
  }

  @Test
  void aRecordsHistoryIsOneSourcesChanges() {
    http((server, client) -> {
      asksForTheSource(client, "/api/records/history?schema=public&table=accounts&pk=1");
      JsonNode us = json(client, "/api/records/history?schema=public&table=accounts&pk=1&source=us-1", 200);
      assertThat(us.get("changes")).hasSize(1);
      assertThat(us.get("changes").get(0).get("source").asText()).isEqualTo("us-1");
      assertThat(us.get("changes").get(0).get("after").get("owner").asText()).isEqualTo("zoe");
    });
  }

  @Test
  void aRecordWithOneSourceNeedsNoSource() {
    http((server, client) -> {
      JsonNode orders = json(client, "/api/records/as-of?schema=public&table=orders&pk=1&at=2024-05-01T11:30:00Z", 200);
      assertThat(orders.get("state").get("status").asText()).isEqualTo("paid");
      assertThat(orders.get("record").get("source").asText()).isEmpty();
      assertThat(page(client, "/record?schema=public&table=orders&pk=1")).contains("<ol class=\"timeline\">")
          .doesNotContain("Choose a source", "of source");
    });
  }

  @Test
  void theRecordPageOffersTheSourcesInsteadOfAnError() {
    http((server, client) -> {
      String choice = page(client, "/record?schema=public&table=accounts&pk=1&at=-2h");
      assertThat(choice).contains("Choose a source",
          "href=\"/record?schema=public&amp;table=accounts&amp;pk=1&amp;at=-2h&amp;source=eu-1\"",
          "href=\"/record?schema=public&amp;table=accounts&amp;pk=1&amp;at=-2h&amp;source=us-1\"");
      String eu = page(client, "/record?schema=public&table=accounts&pk=1&at=-2h&source=eu-1");
      assertThat(eu).contains("of source</span> <code class=\"source\">eu-1</code>", "&quot;anna&quot;",
          "<input type=\"hidden\" name=\"source\" value=\"eu-1\">").doesNotContain("zoe");
    });
  }

  @Test
  void aTransactionByCommitLsnIsOneSourcesTransaction() {
    http((server, client) -> {
      asksForTheSource(client, "/api/transactions/" + TwoSources.COMMIT_LSN);
      JsonNode us = json(client, "/api/transactions/" + TwoSources.COMMIT_LSN + "?source=us-1", 200);
      assertThat(us.get("source").asText()).isEqualTo("us-1");
      assertThat(us.get("changes")).hasSize(2);
      JsonNode eu = json(client, "/api/transactions/" + TwoSources.COMMIT_LSN + "?source=eu-1", 200);
      assertThat(eu.get("changes")).hasSize(1);
      assertThat(eu.get("changes").get(0).get("after").get("owner").asText()).isEqualTo("anna");
    });
  }

  @Test
  void anEmptySourceNamesTheUnnamedSource() {
    http((server, client) -> {
      JsonNode unnamed = json(client, "/api/transactions/0/1004000?source=", 200); // the Trail story's tx 102, source ''
      assertThat(unnamed.get("source").asText()).isEmpty();
      assertThat(unnamed.get("changes")).hasSize(2);
      JsonNode missing = json(client, "/api/transactions/0/1004000?source=eu-1", 404);
      assertThat(missing.get("error").asText()).isEqualTo("No changes stored for the transaction committed at 0/1004000 by source 'eu-1'");
    });
  }

  @Test
  void theTransactionPageListsTheSourcesThatCommittedAtThatLsn() {
    http((server, client) -> {
      String choice = page(client, "/transactions/" + TwoSources.COMMIT_LSN);
      assertThat(choice).contains("Choose a source", "href=\"/transactions/0/5000000?source=eu-1\"",
          "href=\"/transactions/0/5000000?source=us-1\"").doesNotContain("anna", "zoe");
      String us = page(client, "/transactions/" + TwoSources.COMMIT_LSN + "?source=us-1");
      assertThat(us).contains("zoe", "yan", "href=\"/revert?transaction=0/5000000&amp;source=us-1\"",
          "href=\"/record?schema=public&amp;table=accounts&amp;pk=1&amp;source=us-1\"").doesNotContain("anna");
    });
  }

  @Test
  void anXidTwoSourcesUsedListsEachSourcesTransaction() {
    http((server, client) -> {
      String choice = page(client, "/transactions/" + TwoSources.XID);
      assertThat(choice).contains("href=\"/transactions/0/5000000?source=eu-1\"", "href=\"/transactions/0/5000000?source=us-1\"",
          "1 change(s)", "2 change(s)");
      asksForTheSource(client, "/api/transactions/" + TwoSources.XID);
      Response one = get(client, "/api/transactions/" + TwoSources.XID + "?source=eu-1");
      assertThat(one.code()).isEqualTo(303);
      assertThat(one.headers().get("Location")).containsExactly("/api/transactions/0/5000000?source=eu-1");
    });
  }

  @Test
  void aContextIsOneSourcesChanges() {
    http((server, client) -> {
      asksForTheSource(client, "/api/context?key=requestId&value=r-9");
      JsonNode us = json(client, "/api/context?key=requestId&value=r-9&source=us-1", 200);
      assertThat(texts(us.get("changes").findValues("source"))).containsOnly("us-1").hasSize(2);
      assertThat(page(client, "/context?key=requestId&value=r-9")).contains("Choose a source",
          "href=\"/context?key=requestId&amp;value=r-9&amp;source=eu-1\"");
    });
  }

  @Test
  void aRevertOfATransactionOrContextRevertsOneSourcesChanges() {
    http((server, client) -> {
      asksForTheSource(client, "/api/revert/preview?transaction=" + TwoSources.COMMIT_LSN);
      asksForTheSource(client, "/api/revert/preview?transaction=" + TwoSources.XID);
      asksForTheSource(client, "/api/revert/preview?context=%7B%22requestId%22%3A%22r-9%22%7D");
      JsonNode eu = json(client, "/api/revert/preview?transaction=" + TwoSources.COMMIT_LSN + "&source=eu-1", 200);
      assertThat(eu.get("changeCount").asInt()).isEqualTo(1);
      assertThat(eu.get("target").asText()).isEqualTo("transaction 0/5000000 of source 'eu-1'");
      JsonNode us = json(client, "/api/revert/preview?context=%7B%22requestId%22%3A%22r-9%22%7D&source=us-1", 200);
      assertThat(us.get("changeCount").asInt()).isEqualTo(2);
      assertThat(texts(us.get("steps").findValues("source"))).containsOnly("us-1");
      assertThat(page(client, "/revert?transaction=" + TwoSources.COMMIT_LSN + "&source=eu-1")).contains("anna").doesNotContain("zoe");
    });
  }

  @Test
  void aRestoreReadsOneSourcesTable() {
    http((server, client) -> {
      asksForTheSource(client, "/api/restore/preview?table=public.accounts&at=2024-05-01T10:00:00Z");
      // back to 10:00: us-1's two accounts are deleted, eu-1's one
      JsonNode us = json(client, "/api/restore/preview?table=public.accounts&at=2024-05-01T10:00:00Z&source=us-1", 200);
      assertThat(us.get("source").asText()).isEqualTo("us-1");
      assertThat(us.get("counts").get(0).get("deletes").asInt()).isEqualTo(2);
      JsonNode eu = json(client, "/api/restore/preview?table=public.accounts&at=2024-05-01T10:00:00Z&source=eu-1", 200);
      assertThat(eu.get("counts").get(0).get("deletes").asInt()).isEqualTo(1);
      String form = page(client, "/restore");
      assertThat(form).contains("<select name=\"source\" required>", "<option value=\"eu-1\">eu-1</option>");
      assertThat(page(client, "/restore?table=public.accounts&at=2024-05-01T12:00:00Z")).contains("Choose a source");
    });
  }

  @Test
  void aRollForwardReplaysOneSourcesChanges() {
    http((server, client) -> {
      asksForTheSource(client, "/api/replay/preview?from=2024-05-01T10:00:00Z&to=2024-05-01T11:00:00Z&table=public.accounts");
      JsonNode eu = json(client, "/api/replay/preview?from=2024-05-01T10:00:00Z&to=2024-05-01T11:00:00Z&table=public.accounts"
          + "&source=eu-1", 200);
      assertThat(eu.get("changes").asInt()).isEqualTo(1);
      assertThat(eu.get("sql").asText()).contains("anna").doesNotContain("zoe");
      JsonNode us = json(client, "/api/replay/preview?transaction=" + TwoSources.COMMIT_LSN + "&source=us-1", 200);
      assertThat(us.get("changes").asInt()).isEqualTo(2);
    });
  }

  @Test
  void linksFromAChangeKeepItsSource() {
    http((server, client) -> {
      String list = page(client, "/?table=accounts&source=eu-1");
      assertThat(list).contains("href=\"/record?schema=public&amp;table=accounts&amp;pk=1&amp;source=eu-1\"",
          "href=\"/transactions/0/5000000?source=eu-1\"", "href=\"/context?key=requestId&amp;value=%22r-9%22&amp;source=eu-1\"",
          "<input type=\"hidden\" name=\"source\" value=\"eu-1\">");
    });
  }

  @Test
  void theExportSaysWhichSourceEachChangeCameFrom() {
    http((server, client) -> {
      String csv = get(client, "/api/changes/export?format=csv&table=accounts").body().string();
      assertThat(csv.lines().findFirst().orElseThrow()).endsWith(",source");
      assertThat(csv).contains(",eu-1\r\n", ",us-1\r\n");
    });
  }
}

package io.bemi.dashboard.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bemi.dashboard.Trail;
import io.bemi.history.BemiChanges;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.Response;
import java.sql.Connection;
import org.junit.jupiter.api.Test;

/** Roll forward over the API and the page: counts and the statement, which replays onto another database. */
@WithPostgres
class ReplayPagesTest {

  private static JsonNode preview(HttpClient client, String query, int status) throws Exception {
    Response r = TestApp.get(client, "/api/replay/preview?" + query);
    String body = r.body().string();
    assertThat(r.code()).as(body).isEqualTo(status);
    return new ObjectMapper().readTree(body);
  }

  @Test
  void aRangesStatementBringsACopyTakenAtItsStartToTheSourcesState(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("replay_range");
    new Trail(db).story();
    TestDatabase target = shared.createSibling("replay_target");
    target.execute("CREATE TABLE public.orders (id int PRIMARY KEY, status text NOT NULL, total numeric(10,2), note text, tags text[])",
        "INSERT INTO public.orders VALUES (2, 'imported', 99.99, null, '{bulk}')"); // the source at 09:30
    String[] sql = new String[1];
    TestApp.test(DashboardApp.create(TestApp.services(db, db.dataSource(), null)), (server, client) -> {
      JsonNode plan = preview(client, "from=2024-05-01T09:30:00Z&to=2024-05-01T14:00:00Z&table=public.orders", 200);
      assertThat(plan.get("counts").toString()).isEqualTo(
          "[{\"schema\":\"public\",\"table\":\"orders\",\"inserts\":1,\"updates\":2,\"deletes\":1,\"truncates\":0}]");
      assertThat(plan.get("changes").asLong()).isEqualTo(4);
      sql[0] = plan.get("sql").asText();
      assertThat(sql[0]).contains("\"replayOf\"");
    });
    try (Connection c = target.connect()) {
      BemiChanges.apply(c, sql[0]);
    }
    assertThat(target.queryValue("SELECT string_agg(to_jsonb(o)::text, ',' ORDER BY id) FROM public.orders o"))
        .isEqualTo(db.queryValue("SELECT string_agg(to_jsonb(o)::text, ',' ORDER BY id) FROM public.orders o"));
  }

  @Test
  void aContextOrATransactionIsReplayedAloneAndARangeWithoutChangesSaysSo(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("replay_targets");
    new Trail(db).story();
    TestApp.test(DashboardApp.create(TestApp.services(db, db.dataSource(), null)), (server, client) -> {
      JsonNode byContext = preview(client, "context=%7B%22requestId%22%3A%22r-3%22%7D", 200);
      assertThat(byContext.get("changes").asLong()).isEqualTo(2);
      assertThat(byContext.get("sql").asText()).contains("r-3");
      JsonNode byTransaction = preview(client, "transaction=103", 200); // xid: resolved to its commit LSN
      assertThat(byTransaction.get("selection").asText()).startsWith("transaction 0/");
      assertThat(byTransaction.get("counts").get(0).get("deletes").asLong()).isEqualTo(1);

      JsonNode empty = preview(client, "from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z", 200);
      assertThat(empty.get("sql").isNull()).isTrue();
      assertThat(empty.get("reason").asText()).startsWith("No recorded change matches");
      preview(client, "from=2024-05-01T14:00:00Z&to=2024-05-01T09:00:00Z", 400);
      preview(client, "", 400);
    });
  }

  @Test
  void thePageShowsTheCountsAndTheStatementAndNoExecuteForm(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("replay_page");
    new Trail(db).story();
    TestApp.test(DashboardApp.create(TestApp.services(db, db.dataSource(), null)), (server, client) -> {
      assertThat(TestApp.get(client, "/replay").body().string()).contains("Roll forward onto another database")
          .doesNotContain("id=\"replay-sql\"", "name=\"source\""); // one source: nothing to choose
      String html = TestApp.get(client, "/replay?from=2024-05-01T09:30:00Z&to=2024-05-01T14:00:00Z").body().string();
      assertThat(html).contains("id=\"replay-counts\"", "<td><code>public.customers</code></td><td>1</td>", "id=\"replay-sql\"")
          .doesNotContain("method=\"post\" action=\"/replay\"");
    });
  }
}

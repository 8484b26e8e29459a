package io.bemi.dashboard.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bemi.dashboard.Trail;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.Response;
import org.junit.jupiter.api.Test;

/** "Restore this table to …" over the API and the page: preview first, execute the previewed plan only. */
@WithPostgres
class RestoreExecutionTest {

  private static final String ORDERS_AT_1030 = "table=public.orders&at=2024-05-01T10:30:00Z";

  private static JsonNode preview(HttpClient client, String query) throws Exception {
    Response r = TestApp.get(client, "/api/restore/preview?" + query);
    String body = r.body().string();
    assertThat(r.code()).as(body).isEqualTo(200);
    return new ObjectMapper().readTree(body);
  }

  private static Response post(HttpClient client, String query) {
    return client.post("/api/restore/execute?" + query, "", b -> b.header("Authorization", "Bearer " + TestApp.TOKEN));
  }

  @Test
  void thePreviewCountsWhatTheRestoreDoesAndExecutionBringsTheTableBack(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("restore_api");
    new Trail(db).story();
    TestApp.test(DashboardApp.create(TestApp.services(db, db.dataSource(), null)), (server, client) -> {
      JsonNode plan = preview(client, ORDERS_AT_1030);
      // at 10:30 order 1 was new (updated twice since), order 2 existed (deleted since)
      assertThat(plan.get("counts").get(0).toString()).contains("\"inserts\":1", "\"updates\":1", "\"deletes\":0");
      assertThat(plan.get("sql").asText()).contains("\"restoreOf\"");

      Response r = post(client, ORDERS_AT_1030 + "&plan=" + plan.get("plan").asText() + "&confirm=yes");
      assertThat(r.code()).as(r.body().string()).isEqualTo(200);
    });
    assertThat(db.queryValue("SELECT string_agg(id || ':' || status || ':' || coalesce(note, '-'), ',' ORDER BY id) FROM public.orders"))
        .isEqualTo("1:new:-,2:imported:-");
  }

  @Test
  void aTableTheTrailHasNoChangeOfIsUnknownNotAnEmptyPlanThatSucceeds(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("restore_unknown");
    new Trail(db).story();
    TestApp.test(DashboardApp.create(TestApp.services(db, db.dataSource(), null)), (server, client) -> {
      Response preview = TestApp.get(client, "/api/restore/preview?table=public.orders&table=public.nosuch&at=-1m");
      assertThat(preview.code()).isEqualTo(404);
      assertThat(preview.body().string()).contains("The trail has no change of public.nosuch: check the name");
      Response execute = post(client, "table=public.nosuch&at=-1m&plan=" + "0".repeat(64) + "&confirm=yes");
      assertThat(execute.code()).isEqualTo(404);
      assertThat(TestApp.get(client, "/api/restore/preview?table=orders&at=-1m").code()).isEqualTo(200); // public by default
    });
  }

  @Test
  void aPlanThatChangedSinceThePreviewIsRefusedAndNothingRuns(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("restore_stale");
    new Trail(db).story();
    TestApp.test(DashboardApp.create(TestApp.services(db, db.dataSource(), null)), (server, client) -> {
      String plan = preview(client, ORDERS_AT_1030).get("plan").asText();
      db.execute("INSERT INTO public.orders VALUES (3, 'new', 1, null, '{}')",
          "INSERT INTO bemi.changes (primary_key, before, after, context, database, schema, \"table\", operation, committed_at,"
              + " queued_at, transaction_id, position, commit_lsn, change_index) VALUES ('3', '{}', (SELECT to_jsonb(o) FROM"
              + " public.orders o WHERE id = 3), '{}', current_database(), 'public', 'orders', 'CREATE', '2024-05-01T13:50:00Z',"
              + " now(), 400, 1, 99500000, 0)");
      Response r = post(client, ORDERS_AT_1030 + "&plan=" + plan + "&confirm=yes");
      assertThat(r.code()).isEqualTo(409);
      assertThat(r.body().string()).contains("plan changed since the preview");
    });
    assertThat(db.queryLong("SELECT count(*) FROM public.orders")).isEqualTo(2);
  }

  @Test
  void theRestorePageShowsTheDryRunAndAnExecuteFormCarryingThePlan(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("restore_page");
    new Trail(db).story();
    TestApp.test(DashboardApp.create(TestApp.services(db, db.dataSource(), null)), (server, client) -> {
      String html = TestApp.get(client, "/restore?" + ORDERS_AT_1030).body().string();
      assertThat(html).contains("id=\"restore-counts\"", "id=\"restore-sql\"", "name=\"plan\" value=\"",
          "name=\"table\" value=\"public.orders\"");
      assertThat(TestApp.get(client, "/record?schema=public&table=orders&pk=1&at=2024-05-01T10:30:00Z").body().string())
          .contains("/restore?table=public.orders&amp;at=2024-05-01T10%3A30%3A00Z");
    });
  }
}

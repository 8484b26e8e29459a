package io.bemi.dashboard.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bemi.dashboard.Main;
import io.bemi.dashboard.Trail;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import io.javalin.testtools.HttpClient;
import io.javalin.testtools.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Executing reverts over the API against a source (here the same database as the trail, one per test). */
@WithPostgres
class RevertExecutionTest {

  private static Response post(HttpClient client, String query) {
    return client.post("/api/revert/execute?" + query, "", b -> b.header("Authorization", "Bearer " + TestApp.TOKEN));
  }

  private static JsonNode preview(HttpClient client, String query) throws Exception {
    Response r = TestApp.get(client, "/api/revert/preview?" + query);
    assertThat(r.code()).isEqualTo(200);
    return new ObjectMapper().readTree(r.body().string());
  }

  /** The plan digest a preview returned, as execution must send it back. */
  private static String plan(HttpClient client, String query) throws Exception {
    return preview(client, query).get("plan").asText();
  }

  @Test
  void aConflictingRevertIsRefusedWithoutForceAndOverwritesWithIt(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("force");
    Trail trail = new Trail(db).story();
    String paid = trail.changeId("transaction_id = 101"); // status new -> paid; note changed later at 12:00
    TestApp.test(DashboardApp.create(TestApp.services(db, db.dataSource(), null)), (server, client) -> {
      String plan = plan(client, "change=" + paid);
      Response refused = post(client, "change=" + paid + "&plan=" + plan + "&confirm=yes");
      assertThat(refused.code()).isEqualTo(400);
      assertThat(refused.body().string()).contains("conflict");
      assertThat(db.queryValue("SELECT status FROM public.orders WHERE id = 1")).isEqualTo("paid");

      Response forced = post(client, "change=" + paid + "&plan=" + plan + "&confirm=yes&force=yes");
      assertThat(forced.code()).as(forced.body().string()).isEqualTo(200);
      assertThat(forced.body().string()).contains("\"forced\" : true");
      assertThat(db.queryValue("SELECT status FROM public.orders WHERE id = 1")).isEqualTo("new");
    });
  }

  @Test
  void forceOverwritesOnlyTheConflictsThePreviewShowedNotOnesStoredSince(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("force_new_conflict");
    new Trail(db).story();
    TestApp.test(DashboardApp.create(TestApp.services(db, db.dataSource(), null)), (server, client) -> {
      JsonNode reviewed = preview(client, "transaction=0/1004000"); // tx 102: creates customer 5, no conflict
      assertThat(reviewed.get("conflictCount").asInt()).isZero();
      // after the preview, customer 5 is renamed and the trail stores it: nobody reviewed overwriting that
      db.execute("UPDATE public.customers SET name = 'Ann later' WHERE id = 5",
          "INSERT INTO bemi.changes (primary_key, before, after, context, database, schema, \"table\", operation,"
              + " committed_at, queued_at, transaction_id, position, commit_lsn, change_index) VALUES ('5',"
              + " '{\"id\": 5, \"name\": \"Ann\"}', '{\"id\": 5, \"name\": \"Ann later\"}', '{}', current_database(),"
              + " 'public', 'customers', 'UPDATE', now(), now(), 300, 1, 99000000, 0)");

      for (String force : new String[] {"", "&force=yes"}) {
        Response r = post(client, "transaction=0/1004000&plan=" + reviewed.get("plan").asText() + "&confirm=yes" + force);
        assertThat(r.code()).as(force).isEqualTo(409);
        assertThat(r.body().string()).contains("1 of them conflicting with later changes", "reload the preview");
      }
      assertThat(db.queryValue("SELECT name FROM public.customers WHERE id = 5")).isEqualTo("Ann later");

      JsonNode again = preview(client, "transaction=0/1004000");
      assertThat(again.get("conflictCount").asInt()).isEqualTo(1);
      assertThat(again.get("plan").asText()).isNotEqualTo(reviewed.get("plan").asText());
      Response forced = post(client, "transaction=0/1004000&plan=" + again.get("plan").asText() + "&confirm=yes&force=yes");
      assertThat(forced.code()).as(forced.body().string()).isEqualTo(200);
    });
    assertThat(db.queryLong("SELECT count(*) FROM public.customers WHERE id = 5")).isZero();
  }

  @Test
  void aMalformedPlanOrForceIsABadParameterNotAChangedPlan(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("bad_plan");
    new Trail(db).story();
    TestApp.test(DashboardApp.create(TestApp.services(db, db.dataSource(), null)), (server, client) -> {
      Response badPlan = post(client, "transaction=0/1004000&plan=deadbeef&confirm=yes");
      assertThat(badPlan.code()).isEqualTo(400);
      assertThat(badPlan.body().string()).contains("plan 'deadbeef' is not a plan digest");
      Response badForce = post(client, "transaction=0/1004000&plan=" + plan(client, "transaction=0/1004000")
          + "&confirm=yes&force=maybe");
      assertThat(badForce.code()).isEqualTo(400);
      assertThat(badForce.body().string()).contains("force 'maybe' must be yes or no");
    });
    assertThat(db.queryLong("SELECT count(*) FROM public.customers WHERE id = 5")).isEqualTo(1);
  }

  @Test
  void aRevertWithoutConfirmationIsRefused(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("confirm");
    new Trail(db).story();
    TestApp.test(DashboardApp.create(TestApp.services(db, db.dataSource(), null)), (server, client) -> {
      assertThat(post(client, "transaction=0/1005000&plan=" + plan(client, "transaction=0/1005000")).code()).isEqualTo(400);
      assertThat(db.queryLong("SELECT count(*) FROM public.orders WHERE id = 2")).isZero();
    });
  }

  @Test
  void theExecutedStatementEmitsAContextNamingWhatWasReverted(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("message");
    new Trail(db).story();
    String context = URLEncoder.encode("{\"requestId\":\"r-3\"}", StandardCharsets.UTF_8);
    TestApp.test(DashboardApp.create(TestApp.services(db, db.dataSource(), null)), (server, client) -> {
      JsonNode preview = preview(client, "context=" + context);
      assertThat(preview.get("plan").asText()).isEqualTo(db.queryValue(
          "SELECT bemi.plan_digest(ARRAY(SELECT id FROM bemi.changes WHERE context @> '{\"requestId\": \"r-3\"}'))"));
      assertThat(preview.get("sql").asText()).contains("pg_logical_emit_message(true, '_bemi'",
          "\"revertOf\": {\"context\": {\"requestId\": \"r-3\"}}", "\"revertedVia\": \"bemi-dashboard\"");
      Response r = post(client, "context=" + context + "&plan=" + preview.get("plan").asText() + "&confirm=yes");
      assertThat(r.code()).as(r.body().string()).isEqualTo(200);
      JsonNode done = new ObjectMapper().readTree(r.body().string());
      assertThat(done.get("reverted").asText()).isEqualTo("context {\"requestId\":\"r-3\"}");
      assertThat(done.get("changes").asInt()).isEqualTo(2);
      // the context the statement recorded: what was reverted, by whom, when
      assertThat(done.get("context").get("revertOf").get("context").get("requestId").asText()).isEqualTo("r-3");
      assertThat(done.get("context").get("revertedVia").asText()).isEqualTo("bemi-dashboard");
    });
    assertThat(db.queryLong("SELECT count(*) FROM public.customers WHERE id = 5")).isZero();
    assertThat(db.queryValue("SELECT note FROM public.orders WHERE id = 1")).isNull();
  }

  @Test
  void aChangeStoredAfterThePreviewMakesExecutionRefuseAndRunNothing(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("stale_plan");
    new Trail(db).story();
    String context = URLEncoder.encode("{\"userId\":42}", StandardCharsets.UTF_8);
    TestApp.test(DashboardApp.create(TestApp.services(db, db.dataSource(), null)), (server, client) -> {
      String plan = plan(client, "context=" + context);
      // another change with the same context lands between the preview and the click
      db.execute("INSERT INTO public.customers VALUES (6, 'Bo')",
          "INSERT INTO bemi.changes (primary_key, before, after, context, database, schema, \"table\", operation, committed_at,"
              + " queued_at, transaction_id, position, commit_lsn, change_index) VALUES ('6', '{}', '{\"id\": 6, \"name\": \"Bo\"}',"
              + " '{\"userId\": 42}', current_database(), 'public', 'customers', 'CREATE', now(), now(), 200, 1, 99000000, 0)");

      Response r = post(client, "context=" + context + "&plan=" + plan + "&confirm=yes&force=yes");
      assertThat(r.code()).isEqualTo(409);
      assertThat(r.body().string()).contains("The plan changed since the preview", "reload the preview");
    });
    assertThat(db.queryValue("SELECT status FROM public.orders WHERE id = 1")).isEqualTo("paid");
    assertThat(db.queryLong("SELECT count(*) FROM public.customers WHERE id = 6")).isEqualTo(1);
  }

  @Test
  void executionWithoutThePreviewedPlanIsRefused(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("no_plan");
    new Trail(db).story();
    TestApp.test(DashboardApp.create(TestApp.services(db, db.dataSource(), null)), (server, client) -> {
      Response r = post(client, "transaction=0/1005000&confirm=yes");
      assertThat(r.code()).isEqualTo(400);
      assertThat(r.body().string()).contains("plan is required");
    });
    assertThat(db.queryLong("SELECT count(*) FROM public.orders WHERE id = 2")).isZero();
  }

  @Test
  void anEmptyContextIsRefusedBecauseItSelectsEverything(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("empty_context");
    new Trail(db).story();
    TestApp.test(DashboardApp.create(TestApp.services(db, db.dataSource(), null)), (server, client) -> {
      for (String context : new String[] {"{}", "{ }", " {\n} "}) {
        Response r = TestApp.get(client, "/api/revert/preview?context=" + URLEncoder.encode(context, StandardCharsets.UTF_8));
        assertThat(r.code()).as(context).isEqualTo(400);
        assertThat(r.body().string()).contains("would select every change");
      }
    });
  }

  @Test
  void aRevertOfMoreChangesThanTheMaximumNeedsTheCountConfirmed(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("max_changes");
    new Trail(db).story();
    Services services = Main.services(TestApp.destination(db), db.dataSource(), "bemi", TestApp.TOKEN, null,
        Clock.fixed(TestApp.NOW, ZoneOffset.UTC), SecurityOptions.DEFAULTS, 1);
    String context = URLEncoder.encode("{\"requestId\":\"r-3\"}", StandardCharsets.UTF_8);
    TestApp.test(DashboardApp.create(services), (server, client) -> {
      JsonNode preview = preview(client, "context=" + context);
      assertThat(preview.get("needsCountConfirmation").asBoolean()).isTrue();
      String query = "context=" + context + "&plan=" + preview.get("plan").asText() + "&confirm=yes";
      Response refused = post(client, query);
      assertThat(refused.code()).isEqualTo(400);
      assertThat(refused.body().string()).contains("confirmChanges=2");
      assertThat(db.queryLong("SELECT count(*) FROM public.customers WHERE id = 5")).isEqualTo(1);

      assertThat(post(client, query + "&confirmChanges=2").code()).isEqualTo(200);
      assertThat(db.queryLong("SELECT count(*) FROM public.customers WHERE id = 5")).isZero();
    });
  }

  @Test
  void anXidThatNamesTwoTransactionsIsRefusedAndTheCommitLsnPicksOne(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("xid_wrap");
    new Trail(db).story();
    db.execute("UPDATE bemi.changes SET transaction_id = 101 WHERE transaction_id = 103"); // xid wraparound
    TestApp.test(DashboardApp.create(TestApp.services(db, db.dataSource(), null)), (server, client) -> {
      Response ambiguous = TestApp.get(client, "/api/revert/preview?transaction=101");
      assertThat(ambiguous.code()).isEqualTo(409);
      assertThat(ambiguous.body().string()).contains("0/1003000", "0/1005000", "commit LSN");
      assertThat(TestApp.get(client, "/api/transactions/101").code()).isEqualTo(409);
      assertThat(TestApp.get(client, "/transactions/101").code()).isEqualTo(409);

      String plan = plan(client, "transaction=0/1005000");
      Response r = post(client, "transaction=0/1005000&plan=" + plan + "&confirm=yes");
      assertThat(r.code()).as(r.body().string()).isEqualTo(200);
      assertThat(r.body().string()).contains("\"reverted\" : \"transaction 0/1005000\"", "\"changes\" : 1");
    });
    assertThat(db.queryValue("SELECT status FROM public.orders WHERE id = 2")).isEqualTo("imported");
  }

  @Test
  void aUniqueXidLeadsToItsTransactionsCommitLsn(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("xid_unique");
    new Trail(db).story();
    TestApp.test(DashboardApp.create(TestApp.services(db, null, null)), (server, client) -> {
      Response page = TestApp.get(client, "/transactions/102");
      assertThat(page.code()).isEqualTo(303);
      assertThat(page.headers().get("Location")).containsExactly("/transactions/0/1004000");
      assertThat(preview(client, "transaction=102").get("target").asText()).isEqualTo("transaction 0/1004000");
    });
  }
}

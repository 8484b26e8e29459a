package io.bemi.dashboard.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.dashboard.Trail;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import io.javalin.testtools.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Executing reverts over the API against a source (here the same database as the trail, one per test). */
@WithPostgres
@Tag("replication")
class RevertExecutionTest {

  private static Response post(io.javalin.testtools.HttpClient client, String query) {
    return client.post("/api/revert/execute?" + query, "", b -> b.header("Authorization", "Bearer " + TestApp.TOKEN));
  }

  @Test
  void aConflictingRevertIsRefusedWithoutForceAndOverwritesWithIt(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("force");
    Trail trail = new Trail(db).story();
    String paid = trail.changeId("transaction_id = 101"); // status new -> paid; note changed later at 12:00
    TestApp.test(DashboardApp.create(TestApp.services(db, db.dataSource(), null)), (server, client) -> {
      Response refused = post(client, "change=" + paid + "&confirm=yes");
      assertThat(refused.code()).isEqualTo(400);
      assertThat(refused.body().string()).contains("conflict");
      assertThat(db.queryValue("SELECT status FROM public.orders WHERE id = 1")).isEqualTo("paid");

      Response forced = post(client, "change=" + paid + "&confirm=yes&force=yes");
      assertThat(forced.code()).as(forced.body().string()).isEqualTo(200);
      assertThat(forced.body().string()).contains("\"forced\" : true");
      assertThat(db.queryValue("SELECT status FROM public.orders WHERE id = 1")).isEqualTo("new");
    });
  }

  @Test
  void aRevertWithoutConfirmationIsRefused(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("confirm");
    new Trail(db).story();
    TestApp.test(DashboardApp.create(TestApp.services(db, db.dataSource(), null)), (server, client) -> {
      assertThat(post(client, "transaction=103").code()).isEqualTo(400);
      assertThat(db.queryLong("SELECT count(*) FROM public.orders WHERE id = 2")).isZero();
    });
  }

  @Test
  void theRevertIsRecordedWithAContextNamingWhatWasReverted(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("message");
    new Trail(db).story();
    db.execute("SELECT pg_create_logical_replication_slot('dashboard_revert_test', 'test_decoding')");
    String context = URLEncoder.encode("{\"requestId\":\"r-3\"}", StandardCharsets.UTF_8);
    TestApp.test(DashboardApp.create(TestApp.services(db, db.dataSource(), null)), (server, client) -> {
      Response r = post(client, "context=" + context + "&confirm=yes");
      assertThat(r.code()).as(r.body().string()).isEqualTo(200);
    });
    assertThat(db.queryLong("SELECT count(*) FROM public.customers WHERE id = 5")).isZero();
    String decoded = (String) db.queryValue("SELECT string_agg(data, E'\\n') FROM pg_logical_slot_peek_changes('dashboard_revert_test', NULL, NULL)");
    assertThat(decoded).contains("prefix: _bemi", "\"revertOf\": {\"context\": {\"requestId\": \"r-3\"}}",
        "\"revertedVia\": \"bemi-dashboard\"");
    db.execute("SELECT pg_drop_replication_slot('dashboard_revert_test')");
  }
}

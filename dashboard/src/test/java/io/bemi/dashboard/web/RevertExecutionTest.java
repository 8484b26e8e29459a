package io.bemi.dashboard.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.dashboard.Trail;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import io.javalin.testtools.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Executing reverts over the API against a source (here the same database as the trail, one per test). */
@WithPostgres
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
  void theExecutedStatementEmitsAContextNamingWhatWasReverted(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("message");
    new Trail(db).story();
    String context = URLEncoder.encode("{\"requestId\":\"r-3\"}", StandardCharsets.UTF_8);
    TestApp.test(DashboardApp.create(TestApp.services(db, db.dataSource(), null)), (server, client) -> {
      String sql = TestApp.get(client, "/api/revert/preview?context=" + context).body().string();
      assertThat(sql).contains("pg_logical_emit_message(true, '_bemi'",
          "\\\"revertOf\\\": {\\\"context\\\": {\\\"requestId\\\": \\\"r-3\\\"}}", "\\\"revertedVia\\\": \\\"bemi-dashboard\\\"");
      Response r = post(client, "context=" + context + "&confirm=yes");
      assertThat(r.code()).as(r.body().string()).isEqualTo(200);
      assertThat(r.body().string()).contains("\"reverted\" : \"context {\\\"requestId\\\":\\\"r-3\\\"}\"", "\"changes\" : 2");
    });
    assertThat(db.queryLong("SELECT count(*) FROM public.customers WHERE id = 5")).isZero();
    assertThat(db.queryValue("SELECT note FROM public.orders WHERE id = 1")).isNull();
  }
}

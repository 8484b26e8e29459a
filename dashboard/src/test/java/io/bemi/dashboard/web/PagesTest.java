package io.bemi.dashboard.web;

import static io.bemi.dashboard.web.TestApp.get;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.bemi.dashboard.Main;
import io.bemi.dashboard.Trail;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import io.javalin.testtools.Response;
import io.javalin.testtools.TestCase;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@WithPostgres
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PagesTest {

  /** Hostile values in every place data reaches a page: table, key, context key and value, column name and value. */
  static final String EVIL = "<script>alert(1)</script>";

  private TestDatabase db;
  private Trail trail;

  @BeforeAll
  void story(TestDatabase db) throws Exception {
    this.db = db;
    trail = new Trail(db).story();
    db.execute("INSERT INTO bemi.changes (primary_key, before, after, context, database, schema, \"table\", operation,"
        + " committed_at, queued_at, transaction_id, position, commit_lsn, change_index) VALUES ("
        + "'" + EVIL + "', '{}', jsonb_build_object('" + EVIL + "', '" + EVIL + "', 'id', 1),"
        + " jsonb_build_object('" + EVIL + "', '" + EVIL + "', 'userId', '\"><img src=x onerror=alert(2)>'),"
        + " 'db', 'public', '" + EVIL + "', 'CREATE', '2024-05-01T13:30:00Z', '2024-05-01T13:30:00Z', 104, 1, 99999999, 0)");
  }

  private void http(TestCase test) {
    TestApp.test(db, test);
  }

  private static String page(io.javalin.testtools.HttpClient client, String path) {
    Response r = get(client, path);
    assertThat(r.code()).as(path).isEqualTo(200);
    assertThat(r.headers().get("Content-Type").get(0)).startsWith("text/html");
    return r.body().string();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static void assertNoInjectedMarkup(String html) {
    assertThat(html).doesNotContain("<script>alert", "<img src=x", "onerror=alert(2)>");
  }

  @Test
  void changesPageListsChangesWithTheirDiffsAndKeepsTheFilterInTheForm() {
    http((server, client) -> {
      String html = page(client, "/?table=orders&op=UPDATE&context=" + enc("userId = 42"));
      assertThat(html).contains("value=\"orders\"", "value=\"userId = 42\"", "name=\"op\" value=\"UPDATE\" checked");
      assertThat(html).contains("class=\"diff\"", "<span class=\"j-str\">&quot;paid&quot;</span>");
      assertThat(html).contains("1 shown, newest first · filtered");
      assertThat(html).contains("href=\"/api/changes/export?format=csv&amp;table=orders&amp;op=UPDATE&amp;context=userId+%3D+42\"");
    });
  }

  @Test
  void changesPageLinksToTheOlderPage() {
    http((server, client) -> {
      String html = page(client, "/?limit=2");
      assertThat(html).contains("rel=\"next\" href=\"/?after=").contains("&amp;limit=2");
    });
  }

  @Test
  void storedMarkupIsShownAsTextOnTheChangesPage() {
    http((server, client) -> {
      String html = page(client, "/");
      assertNoInjectedMarkup(html);
      assertThat(html).contains("&lt;script&gt;alert(1)&lt;/script&gt;", "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;");
    });
  }

  @Test
  void storedMarkupIsShownAsTextOnEveryOtherPage() {
    http((server, client) -> {
      String pk = enc(EVIL);
      for (String path : new String[] {
          "/record?schema=public&table=" + pk + "&pk=" + pk + "&at=-1m",
          "/record?schema=public&table=orders&pk=1&at=-1m",
          "/transactions/0/5F5E0FF", "/transactions/0/1004000",
          "/context?key=" + pk + "&value=" + pk,
          "/revert?transaction=104",
          "/activity",
          "/?table=" + pk + "&pk=" + pk + "&context=" + enc(EVIL + " = " + EVIL)}) {
        String html = page(client, path);
        assertNoInjectedMarkup(html);
        assertThat(html).as(path).contains("&lt;script&gt;");
      }
    });
  }

  @Test
  void badFilterValuesShowTheReasonOnAPageWith400() {
    http((server, client) -> {
      Response r = get(client, "/?from=" + enc(EVIL));
      assertThat(r.code()).isEqualTo(400);
      assertThat(r.body().string()).contains("from &#39;&lt;script&gt;alert(1)&lt;/script&gt;&#39; is not a time");
    });
  }

  @Test
  void recordPageShowsTheTimelineAndTheStateAsOfAnInstant() {
    http((server, client) -> {
      String html = page(client, "/record?schema=public&table=orders&pk=1&at=2024-05-01T11:30:00Z");
      assertThat(html).contains("Timeline <span class=\"muted\">(3 changes, newest first)");
      assertThat(html).contains("id=\"as-of-state\"", "&quot;paid&quot;");
      assertThat(html).contains("/transactions/0/1003000", "(xid 101)", "/revert?change=");
    });
  }

  @Test
  void recordPageShowsTheNewestChangesAndLinksToTheOlderOnes() {
    http((server, client) -> {
      String newest = page(client, "/record?schema=public&table=orders&pk=1&limit=2");
      assertThat(newest).contains("(2 changes, newest first)").doesNotContain("/transactions/0/1002000");
      String link = newest.replaceAll("(?s).*rel=\"next\" href=\"([^\"]*)\".*", "$1").replace("&amp;", "&");

      String older = page(client, link);

      assertThat(link).contains("before=").endsWith("&limit=2");
      assertThat(older).contains("(1 changes, newest first)", "/transactions/0/1002000").doesNotContain("rel=\"next\"");
    });
  }

  @Test
  void recordPageSaysWhenTheRecordDidNotExistYet() {
    http((server, client) -> {
      String html = page(client, "/record?schema=public&table=orders&pk=1&at=2024-05-01T08:00:00Z");
      assertThat(html).contains("the record did not exist", "no change stored before then");
    });
  }

  @Test
  void transactionPageListsItsChangesAndOffersARevert() {
    http((server, client) -> {
      String html = page(client, "/transactions/0/1004000");
      assertThat(html).contains("<h1>Transaction <code>0/1004000</code></h1>", "2 changes", "xid 102", "public.customers",
          "href=\"/revert?transaction=0/1004000\"");
    });
  }

  @Test
  void contextPageListsEveryChangeOfOneContextValue() {
    http((server, client) -> {
      String html = page(client, "/context?key=requestId&value=" + enc("\"r-3\""));
      assertThat(html).contains("2 changes", "across 2 tables", "href=\"/revert?context=%7B%22requestId%22%3A%22r-3%22%7D\"");
    });
  }

  @Test
  void revertPageShowsTheSqlAndFlagsConflicts() throws Exception {
    String id = trail.changeId("transaction_id = 101");
    http((server, client) -> {
      String html = page(client, "/revert?change=" + id);
      assertThat(html).contains("id=\"revert-sql\"", "DO $", "class=\"flag\">conflict</span>", "1 of 1 changes conflict");
      assertThat(html).contains("--source-url").doesNotContain("Execute revert");
    });
  }

  @Test
  void activityPageDrawsChartsAndTopContextValues() {
    http((server, client) -> {
      String html = page(client, "/activity?window=24h");
      assertThat(html).contains("<svg viewBox=\"0 0 960 220\"", "Changes by table", "public.orders");
      assertThat(html).contains("href=\"/context?key=userId&amp;value=%2242%22\"");
      assertThat(html).contains("Ingester metrics: not configured");
    });
  }

  @Test
  void activityPageShowsIngesterLagAndSetupWarningsFromItsMetricsEndpoint() throws Exception {
    HttpServer metrics = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    metrics.createContext("/metrics", exchange -> {
      byte[] body = ("# HELP bemi_ingester_lag_seconds Commit-to-stored lag\n# TYPE bemi_ingester_lag_seconds gauge\n"
          + "bemi_ingester_lag_seconds{slot=\"bemi\"} 0.25\njvm_threads_live 12\nbemi_changes_stored_total 1234\n"
          + "bemi_ingester_untracked_tables 2.0\nbemi_ingester_tables_without_full_identity 0.0\n")
          .getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    metrics.start();
    try {
      String url = "http://127.0.0.1:" + metrics.getAddress().getPort() + "/metrics";
      Services services = Main.services(TestApp.destination(db), null, "bemi", TestApp.TOKEN, url, Clock.fixed(TestApp.NOW, ZoneOffset.UTC));
      TestApp.test(DashboardApp.create(services), (server, client) -> {
        String html = page(client, "/activity");
        assertThat(html).contains("bemi_ingester_lag_seconds", "0.25").doesNotContain("jvm_threads_live");
        // the ingester found tables created since setup: said above the figures, with what to do
        assertThat(html).contains("<p class=\"alert warn\" id=\"setup-warning\">2 table(s) created since setup are "
            + "not tracked: none of their changes is captured.", "run `bemi-ingester setup` again")
            .doesNotContain("lack REPLICA IDENTITY FULL");
        assertThat(get(client, "/api/health").body().string()).contains("\"name\" : \"bemi_changes_stored_total\"");
      });
    } finally {
      metrics.stop(0);
    }
  }

  @Test
  void unknownPageIsAn404Page() {
    http((server, client) -> {
      Response r = get(client, "/nope");
      assertThat(r.code()).isEqualTo(404);
      assertThat(r.body().string()).contains("<h1>Not found</h1>");
    });
  }
}

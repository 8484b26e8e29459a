package io.bemi.ingester.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.bemi.ingester.IngesterMetrics;
import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.setup.SourceSetup.TrackedTable;
import io.bemi.ingester.sink.webhook.WebhookBaseline;
import io.bemi.ingester.sink.webhook.WebhookSettings;
import io.bemi.ingester.sink.webhook.WebhookSignature;
import io.bemi.ingester.sink.webhook.WebhookSink;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code run --sink webhook} (and {@code setup --snapshot --sink webhook}) against WireMock receivers that misbehave in the usual ways. */
@WithPostgres
@Tag("replication")
class WebhookSinkTest {

  private static final String SECRET = "a-shared-secret-of-some-length";
  private static final ObjectMapper JSON = new ObjectMapper();

  private WireMockServer receiver;
  private SimpleMeterRegistry registry;

  @BeforeEach
  void startReceiver() {
    receiver = new WireMockServer(options().dynamicPort());
    receiver.start();
    registry = new SimpleMeterRegistry();
  }

  @AfterEach
  void stopReceiver() {
    receiver.stop();
  }

  private IngesterHarness start(TestDatabase db, boolean perTransaction) throws Exception {
    return start(db, perTransaction, Duration.ofSeconds(10)); // generous: the machine is shared
  }

  private IngesterHarness start(TestDatabase db, boolean perTransaction, Duration requestTimeout) throws Exception {
    WebhookSettings settings = new WebhookSettings(URI.create(receiver.baseUrl() + "/hook"), SECRET, perTransaction,
        requestTimeout, Duration.ofSeconds(2), Duration.ofMinutes(5));
    return IngesterHarness.start(db, null, c -> c, new IngesterMetrics(),
        WebhookSink.factory(settings, PostgresUrl.parse(db.uri()), "bemi", registry, PostgresUrl.parse(db.uri()),
            null));
  }

  /** Responses in turn, the last one repeated: a scenario of WireMock states. */
  private void respond(ResponseDefinitionBuilder... responses) {
    for (int i = 0; i < responses.length; i++) {
      String state = i == 0 ? STARTED : "s" + i;
      String next = i == responses.length - 1 ? state : "s" + (i + 1);
      receiver.stubFor(post("/hook").inScenario("receiver").whenScenarioStateIs(state)
          .willReturn(responses[i]).willSetStateTo(next));
    }
  }

  private List<ServeEvent> requests() {
    List<ServeEvent> events = new ArrayList<>(receiver.getAllServeEvents());
    events.sort(Comparator.comparing(e -> e.getRequest().getLoggedDate()));
    return events;
  }

  private static JsonNode body(ServeEvent event) throws Exception {
    return JSON.readTree(event.getRequest().getBodyAsString());
  }

  private static String key(ServeEvent event) {
    return event.getRequest().getHeader("Idempotency-Key");
  }

  @Test
  void eachTransactionIsPostedSignedWithItsChangesContextsAndIdempotencyKey(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE orders (id int PRIMARY KEY, note text)");
    respond(aResponse().withStatus(204));
    try (IngesterHarness ingester = start(db, true)) {
      db.execute("BEGIN; SELECT pg_logical_emit_message(true, '_bemi', '{\"user\": \"ada\"}');"
          + " INSERT INTO orders VALUES (1, 'a'), (2, 'b'); COMMIT", "UPDATE orders SET note = 'c' WHERE id = 2");
      ingester.awaitCaughtUp();
    }
    List<ServeEvent> requests = requests();

    assertThat(requests).hasSize(2);
    JsonNode first = body(requests.get(0));
    assertThat(first.get("transactions")).hasSize(1);
    JsonNode changes = first.get("transactions").get(0).get("changes");
    assertThat(changes).hasSize(2);
    assertThat(changes.get(0).get("op").asText()).isEqualTo("c");
    assertThat(changes.get(0).get("context").toString()).isEqualTo("{\"user\":\"ada\"}");
    // the source as the trail names it (no --source-name: the server's system identifier and database)
    assertThat(changes.get(0).get("bemi").get("source").asText())
        .isEqualTo(db.queryValue("SELECT system_identifier FROM pg_control_system()") + "/" + db.name());
    assertThat(body(requests.get(1)).get("transactions").get(0).get("changes").get(0).get("op").asText())
        .isEqualTo("u");
    long commitLsn = first.get("transactions").get(0).get("commit_lsn").asLong();
    assertThat(key(requests.get(0))).isEqualTo(db.name() + "/bemi/" + io.bemi.sql.Lsn.of(commitLsn));
    for (ServeEvent request : requests) {
      assertThat(WebhookSignature.verify(SECRET, request.getRequest().getHeader(WebhookSignature.HEADER),
          request.getRequest().getBody(), System.currentTimeMillis() / 1000, 300)).isTrue();
      assertThat(WebhookSignature.verify("another-secret-entirely", request.getRequest().getHeader(
          WebhookSignature.HEADER), request.getRequest().getBody(), System.currentTimeMillis() / 1000, 300)).isFalse();
    }
    assertThat(registry.get("bemi.webhook.transactions.delivered").counter().count()).isEqualTo(2);
  }

  @Test
  void aUrlWithUserInformationIsSentAsBasicAuthorizationAndLeftOutOfTheRequest(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE notes (id int PRIMARY KEY)");
    respond(aResponse().withStatus(204));
    WebhookSettings settings = WebhookSettings.defaults(
        URI.create(receiver.baseUrl().replace("://", "://hook%20user:p%40ss@") + "/hook?tenant=7"), SECRET);
    try (IngesterHarness ingester = IngesterHarness.start(db, null, c -> c, new IngesterMetrics(),
        WebhookSink.factory(settings, PostgresUrl.parse(db.uri()), "bemi", registry, PostgresUrl.parse(db.uri()), null))) {
      db.execute("INSERT INTO notes VALUES (1)");
      ingester.awaitCaughtUp();
    }
    List<ServeEvent> requests = requests();

    assertThat(requests).hasSize(1);
    assertThat(requests.get(0).getRequest().getHeader("Authorization"))
        .isEqualTo("Basic " + java.util.Base64.getEncoder().encodeToString("hook user:p@ss".getBytes(UTF_8)));
    assertThat(requests.get(0).getRequest().getUrl()).isEqualTo("/hook?tenant=7");
    assertThat(settings.endpoint()).doesNotContain("p%40ss", "hook%20user");
  }

  @Test
  void aLargeTransactionIsPostedInPartsKeyedByTheirFirstChangeAndTheLastPartSaysSo(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE lines (id int PRIMARY KEY)");
    respond(aResponse().withStatus(204));
    WebhookSettings settings = new WebhookSettings(URI.create(receiver.baseUrl() + "/hook"), SECRET, true,
        Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofMinutes(5)).withParts(10, Long.MAX_VALUE);
    try (IngesterHarness ingester = IngesterHarness.start(db, null, c -> c, new IngesterMetrics(),
        WebhookSink.factory(settings, PostgresUrl.parse(db.uri()), "bemi", registry, PostgresUrl.parse(db.uri()), null))) {
      db.execute("INSERT INTO lines SELECT generate_series(1, 25)", "INSERT INTO lines SELECT generate_series(26, 35)",
          "INSERT INTO lines VALUES (36)");
      ingester.awaitCaughtUp();
    }
    List<String> requests = new ArrayList<>();
    List<Integer> ids = new ArrayList<>();
    for (ServeEvent request : requests()) {
      JsonNode transaction = body(request).get("transactions").get(0);
      JsonNode part = transaction.get("part");
      String lsn = io.bemi.sql.Lsn.of(transaction.get("commit_lsn").asLong()).toString();
      requests.add(key(request).replace(db.name() + "/bemi/" + lsn, "T") + " " + transaction.get("changes").size()
          + (part == null ? "" : " part from " + part.get("first_change_index") + (part.get("last").asBoolean() ? " last" : "")));
      transaction.get("changes").forEach(c -> ids.add(c.get("after").get("id").asInt()));
    }

    // 25 changes: parts of 10, 10 and 5; 10 changes: a part of 10, then an empty last part; 1: whole
    assertThat(requests).containsExactly("T/0 10 part from 0", "T/10 10 part from 10", "T/20 5 part from 20 last",
        "T/0 10 part from 0", "T/10 0 part from 10 last", "T 1");
    assertThat(ids).hasSize(36).doesNotHaveDuplicates();
    assertThat(registry.get("bemi.webhook.transactions.delivered").counter().count()).isEqualTo(3);
  }

  @Test
  void oneRequestPerBatchCarriesSeveralTransactionsWhenConfigured(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE batched (id int PRIMARY KEY)");
    respond(aResponse().withStatus(200));
    try (IngesterHarness ingester = start(db, false)) {
      db.execute("BEGIN; SELECT pg_sleep(0); COMMIT"); // warm up: the session is streaming
      ingester.awaitCaughtUp();
      db.execute("DO $$ BEGIN FOR i IN 1..5 LOOP INSERT INTO batched VALUES (i); COMMIT; END LOOP; END $$");
      ingester.awaitCaughtUp();
    }
    int transactions = 0;
    for (ServeEvent request : requests()) {
      transactions += body(request).get("transactions").size();
    }
    assertThat(transactions).isEqualTo(5);
    assertThat(requests().size()).isLessThan(5);
  }

  @Test
  void serverErrorsAreRetriedWithTheSameIdempotencyKeyUntilAccepted(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE retried (id int PRIMARY KEY)");
    respond(aResponse().withStatus(500), aResponse().withStatus(503), aResponse().withStatus(200));
    try (IngesterHarness ingester = start(db, true)) {
      db.execute("INSERT INTO retried VALUES (1)");
      ingester.awaitCaughtUp();
    }
    List<ServeEvent> requests = requests();

    assertThat(requests).hasSize(3);
    assertThat(requests).extracting(WebhookSinkTest::key).containsOnly(key(requests.get(0)));
    assertThat(requests).extracting(r -> r.getRequest().getHeader("Bemi-Attempt")).containsExactly("1", "2", "3");
    assertThat(registry.get("bemi.webhook.retries").counter().count()).isEqualTo(2);
  }

  @Test
  void tooManyRequestsWaitsAsLongAsRetryAfterSays(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE limited (id int PRIMARY KEY)");
    respond(aResponse().withStatus(429).withHeader("Retry-After", "1"), aResponse().withStatus(200));
    try (IngesterHarness ingester = start(db, true)) {
      db.execute("INSERT INTO limited VALUES (1)");
      ingester.awaitCaughtUp();
    }
    List<ServeEvent> requests = requests();

    assertThat(requests).hasSize(2);
    long gap = requests.get(1).getRequest().getLoggedDate().getTime()
        - requests.get(0).getRequest().getLoggedDate().getTime();
    assertThat(gap).isGreaterThanOrEqualTo(950);
  }

  @Test
  void retryAfterAsAnHttpDateIsHonouredToo(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE limited_until (id int PRIMARY KEY)");
    String in4Seconds = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
        java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(4));
    respond(aResponse().withStatus(429).withHeader("Retry-After", in4Seconds), aResponse().withStatus(200));
    try (IngesterHarness ingester = start(db, true)) {
      db.execute("INSERT INTO limited_until VALUES (1)");
      ingester.awaitCaughtUp();
    }
    List<ServeEvent> requests = requests();

    assertThat(requests).hasSize(2);
    long gap = requests.get(1).getRequest().getLoggedDate().getTime()
        - requests.get(0).getRequest().getLoggedDate().getTime();
    assertThat(gap).as("waited until the date (to the second), not a jittered backoff").isGreaterThanOrEqualTo(1_000);
  }

  @Test
  void connectionResetsAndTimeoutsAreRetried(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE reset (id int PRIMARY KEY)");
    respond(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), aResponse().withStatus(200).withFixedDelay(3000),
        aResponse().withFault(Fault.EMPTY_RESPONSE), aResponse().withStatus(200));
    try (IngesterHarness ingester = start(db, true, Duration.ofSeconds(1))) {
      db.execute("INSERT INTO reset VALUES (1)");
      ingester.awaitCaughtUp();
    }
    List<ServeEvent> requests = requests();

    assertThat(requests.size()).isGreaterThanOrEqualTo(4); // a slow machine may time out one more
    assertThat(requests).extracting(WebhookSinkTest::key).containsOnly(key(requests.get(0)));
    assertThat(requests.get(requests.size() - 1).getResponse().getStatus()).isEqualTo(200);
  }

  @Test
  void aRefusedRequestIsKeptAsADeadLetterAndTheStreamMovesOn(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE refused (id int PRIMARY KEY)");
    respond(aResponse().withStatus(422).withBody("unknown table"), aResponse().withStatus(200));
    try (IngesterHarness ingester = start(db, true)) {
      db.execute("INSERT INTO refused VALUES (1)", "INSERT INTO refused VALUES (2)");
      ingester.awaitCaughtUp();
    }
    List<ServeEvent> requests = requests();

    assertThat(requests).hasSize(2);
    assertThat(db.queryValue(
        "SELECT status || ' ' || response || ' ' || idempotency_key FROM bemi.webhook_dead_letters"))
        .isEqualTo("422 unknown table " + key(requests.get(0)));
    assertThat(db.queryValue("SELECT body FROM bemi.webhook_dead_letters"))
        .isEqualTo(requests.get(0).getRequest().getBodyAsString());
    assertThat(body(requests.get(1)).get("transactions").get(0).get("changes").get(0).get("after").get("id").asInt())
        .isEqualTo(2);
  }

  @Test
  void aFlakyReceiverGetsEveryTransactionAtLeastOnceAndDuplicatesOnlyUnderTheSameKey(TestDatabase db)
      throws Exception {
    LedgerWriter.createTable(db);
    // accepts, fails after accepting, accepts, resets, accepts too slowly (the sink times out), … in turn
    ResponseDefinitionBuilder ok = aResponse().withStatus(200);
    List<ResponseDefinitionBuilder> cycle = List.of(ok, aResponse().withStatus(500), ok,
        aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), ok, aResponse().withStatus(200).withFixedDelay(2000));
    for (int i = 0; i < cycle.size(); i++) {
      receiver.stubFor(post("/hook").inScenario("flaky").whenScenarioStateIs(i == 0 ? STARTED : "s" + i)
          .willReturn(cycle.get(i)).willSetStateTo(i == cycle.size() - 1 ? STARTED : "s" + (i + 1)));
    }
    long rows;
    try (IngesterHarness ingester = start(db, true, Duration.ofSeconds(1))) {
      LedgerWriter writer = LedgerWriter.start(db, 300);
      Thread.sleep(4000);
      rows = writer.stop();
      ingester.awaitCaughtUp();
    }

    Set<Long> delivered = new HashSet<>();
    Map<String, String> changesByKey = new HashMap<>();
    for (ServeEvent request : requests()) {
      JsonNode transaction = body(request).get("transactions").get(0);
      String changes = transaction.get("changes").findValues("after").toString();
      String previous = changesByKey.putIfAbsent(key(request), changes);
      assertThat(previous == null || previous.equals(changes)).as("a duplicate has the same changes").isTrue();
      if (request.getResponse().getStatus() == 200 && request.getResponse().getFault() == null) {
        transaction.get("changes").forEach(c -> delivered.add(c.get("after").get("id").asLong()));
      }
    }
    assertThat(rows).isGreaterThan(20);
    assertThat(delivered).hasSize((int) rows);
    assertThat(delivered).allMatch(id -> id >= 1 && id <= rows);
  }

  @Test
  void theBaselineIsPostedAsReadEventsWithAnIdempotencyKeyPerRequest(TestDatabase source) throws Exception {
    TestDatabase db = source.createSibling("baseline_webhook");
    List<TrackedTable> tracked = SinkBaselines.prepare(db);
    receiver.stubFor(post("/hook").willReturn(aResponse().withStatus(204)));
    WebhookBaseline target = new WebhookBaseline(WebhookSettings.defaults(URI.create(receiver.baseUrl() + "/hook"),
        SECRET), PostgresUrl.parse(db.uri()), "bemi", "baseline_webhook", registry, PostgresUrl.parse(db.uri()), "eu-1");
    try {
      assertThat(SinkBaselines.snapshot(db, "baseline_webhook", target, 0).run(tracked).rows()).isEqualTo(5);
    } finally {
      db.execute("SELECT pg_drop_replication_slot('baseline_webhook')");
    }

    List<ServeEvent> requests = requests();
    assertThat(requests).hasSize(5); // batches of one row
    assertThat(requests).extracting(WebhookSinkTest::key).doesNotHaveDuplicates();
    List<JsonNode> changes = new ArrayList<>();
    for (ServeEvent request : requests) {
      body(request).get("transactions").get(0).get("changes").forEach(changes::add);
    }
    assertThat(changes).extracting(c -> c.get("op").asText()).containsOnly("r");
    assertThat(changes).extracting(c -> c.get("source").get("table").asText() + " " + c.get("after"))
        .contains("orders {\"id\":1,\"note\":\"order 1\"}", "items {\"sku\":\"b\",\"n\":2}"); // column order, as streamed
    assertThat(changes).extracting(c -> c.get("bemi").get("change_index").asInt()).containsExactly(0, 1, 2, 3, 4);
    assertThat(changes).extracting(c -> c.get("bemi").get("source").asText()).containsOnly("eu-1");
    assertThat(db.queryLong("SELECT count(*) FROM bemi.snapshot_progress WHERE status = 'done'")).isEqualTo(2);
  }
}

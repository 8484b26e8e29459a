package io.bemi.agent;

import io.bemi.test.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** The HTTP requests the agent tests send to {@code com.example.shop.ShopApp}, and what they read back. */
final class ShopScenario {

  static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String TRACEPARENT = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";
  static final String SPAN_TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

  private ShopScenario() {}

  static void createTables(TestDatabase db) throws SQLException {
    db.execute(
        "CREATE TABLE items(id bigserial PRIMARY KEY, name text NOT NULL)",
        "CREATE TABLE notes(id bigserial PRIMARY KEY, body text NOT NULL)",
        "CREATE TABLE events(id bigserial PRIMARY KEY, kind text NOT NULL)");
  }

  static ChildJvm start(ChildJvm.Launch launch, TestDatabase db) throws Exception {
    return ChildJvm.start(launch, "com.example.shop.ShopApp", db.jdbcUrl(), db.user(), db.password());
  }

  /** Sends every request of the scenario in order; returns "status body" per request. */
  static List<String> run(int port) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String base = "http://127.0.0.1:" + port;
    List<String> responses = new ArrayList<>();
    responses.add(send(client, request(base + "/items").header("X-Request-Id", "req-create").header("Authorization", basic("ann"))
        .POST(body("apple"))));
    responses.add(send(client, request(base + "/items/1").header("traceparent", TRACEPARENT).header("Authorization", basic("bob"))
        .PUT(body("green apple"))));
    responses.add(send(client, request(base + "/notes").POST(body("hello"))));
    responses.add(send(client, request(base + "/events").header("X-Request-Id", "req-event").POST(body("clicked"))));
    responses.add(send(client, request(base + "/events").header("traceparent", TRACEPARENT).header("X-Span-Trace-Id", SPAN_TRACE_ID)
        .POST(body("traced"))));
    responses.add(send(client, request(base + "/health").GET()));
    responses.add(send(client, request(base + "/items/1").header("X-Request-Id", "req-delete").header("Authorization", basic("ann"))
        .DELETE()));
    responses.add(send(client, request(base + "/items").GET()));
    return responses;
  }

  /** The application's tables, row by row. */
  static List<String> data(TestDatabase db) throws SQLException {
    List<String> rows = new ArrayList<>();
    for (String table : List.of("items", "notes", "events")) {
      rows.add(table + ": " + db.queryValue("SELECT coalesce(string_agg(t::text, ' ' ORDER BY id), '') FROM " + table + " t"));
    }
    return rows;
  }

  private static HttpRequest.Builder request(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
  }

  private static HttpRequest.BodyPublisher body(String text) {
    return HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8);
  }

  private static String basic(String user) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":secret").getBytes(StandardCharsets.UTF_8));
  }

  private static String send(HttpClient client, HttpRequest.Builder request) throws IOException, InterruptedException {
    HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return response.statusCode() + " " + response.body();
  }
}

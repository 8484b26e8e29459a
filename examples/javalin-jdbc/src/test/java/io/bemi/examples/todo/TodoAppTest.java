package io.bemi.examples.todo;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import io.javalin.Javalin;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Smoke test of the example as a user runs it: real HTTP requests, a real PostgreSQL. What Bemi's
 * ingester would receive is read straight from a pgoutput slot, so this test needs no ingester.
 */
@WithPostgres
@Tag("replication")
class TodoAppTest {

  private static HikariDataSource dataSource;
  private static Javalin app;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    String bemiUrl = "jdbc:bemi:" + db.jdbcUrl().substring("jdbc:".length());
    dataSource = TodoApp.dataSource(bemiUrl, db.user(), db.password());
    TodoRepository todos = new TodoRepository(dataSource);
    todos.createTable();
    db.execute(
        "CREATE PUBLICATION todo_audit FOR TABLE todos",
        "SELECT pg_create_logical_replication_slot('todo_audit', 'pgoutput')");
    app = TodoApp.create(todos).start(0);
  }

  @AfterAll
  static void stop() {
    app.stop();
    dataSource.close();
  }

  @Test
  void requestsWriteTheirUserEndpointAndRequestIdIntoTheWal(TestDatabase db) throws Exception {
    HttpResponse<String> created = send(HttpRequest.newBuilder(uri("/todos"))
        .header("X-User", "ann@example.com")
        .header("X-Request-Id", "req-create-1")
        .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"write the report\"}")));
    assertThat(created.statusCode()).isEqualTo(201);
    long id = Long.parseLong(created.body().replaceAll(".*\"id\":(\\d+).*", "$1"));

    HttpResponse<String> done = send(HttpRequest.newBuilder(uri("/todos/" + id))
        .header("X-User", "bob@example.com")
        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"done\":true}")));
    assertThat(done.statusCode()).isEqualTo(200);
    assertThat(done.body()).contains("\"done\":true");

    String patchContext = "\"endpoint\":\"/todos/" + id + "\"";
    String wal = walMessagesOnceContaining(db, patchContext);
    assertThat(wal).contains("_bemi")
        .contains("\"user\":\"ann@example.com\"", "\"endpoint\":\"/todos\"", "\"requestId\":\"req-create-1\"")
        .contains("\"user\":\"bob@example.com\"", "\"method\":\"PATCH\"", "\"endpoint\":\"/todos/" + id + "\"");
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(String path) {
    return URI.create("http://localhost:" + app.port() + path);
  }

  /**
   * Everything the slot holds, as text (pgoutput 'M' messages carry the context JSON verbatim),
   * once it contains {@code expected} or after 10 s. A commit is decoded only once its WAL is
   * flushed, which may come a moment after the HTTP response.
   */
  private static String walMessagesOnceContaining(TestDatabase db, String expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String wal = walMessages(db);
    while (!wal.contains(expected) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      wal = walMessages(db);
    }
    return wal;
  }

  private static String walMessages(TestDatabase db) throws Exception {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    try (Connection connection = db.connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT data FROM pg_logical_slot_peek_binary_changes("
            + "'todo_audit', NULL, NULL, 'proto_version', '1', 'publication_names', 'todo_audit', 'messages', 'true')")) {
      while (rows.next()) {
        all.write(rows.getBytes(1));
      }
    }
    return all.toString(StandardCharsets.UTF_8);
  }
}

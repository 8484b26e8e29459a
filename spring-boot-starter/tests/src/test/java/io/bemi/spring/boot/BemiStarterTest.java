package io.bemi.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.spring.boot.app.ShopApplication;
import io.bemi.spring.boot.app.Sweeper;
import io.bemi.test.TestDatabase;
import io.bemi.test.Wal;
import io.bemi.test.WithPostgres;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A real Spring Boot application (the same sources run on Boot 3.5 and 4.0) with the starter on its
 * class path and a plain {@code jdbc:postgresql} URL; what it writes is read back from the WAL.
 */
@WithPostgres
@Tag("replication")
class BemiStarterTest {

  private static ConfigurableApplicationContext app;
  private static int port;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private TestDatabase db;
  private Wal wal;

  @BeforeAll
  static void start(TestDatabase db) throws SQLException {
    db.execute(
        "CREATE TABLE orders (id int PRIMARY KEY, status text)",
        "CREATE TABLE notes (order_id int, body text)",
        "CREATE TABLE order_audit (order_id int, event text)",
        "CREATE TABLE invoices (order_id int, thread text)",
        "CREATE TABLE customers (id int PRIMARY KEY, name text)");
    app = SpringApplication.run(ShopApplication.class,
        "--spring.datasource.url=" + db.jdbcUrl(),
        "--spring.datasource.username=" + db.user(),
        "--spring.datasource.password=" + db.password(),
        "--server.port=0",
        "--management.endpoint.health.show-details=always",
        "--spring.main.banner-mode=off",
        "--spring.jpa.hibernate.ddl-auto=none",
        "--spring.jpa.open-in-view=false");
    port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  @BeforeEach
  void openWal(TestDatabase db) throws SQLException {
    this.db = db;
    wal = Wal.open(db);
  }

  @AfterEach
  void closeWal() throws SQLException {
    wal.close();
  }

  @Test
  void a_request_writes_with_its_method_route_template_user_and_request_id() throws Exception {
    assertThat(post("/orders/1", "req-1").statusCode()).isEqualTo(200);

    assertThat(wal.transactions()).containsExactly(List.of(
        "message {\"method\":\"POST\",\"endpoint\":\"/orders/{id}\",\"user\":\"ann\",\"requestId\":\"req-1\"}",
        "INSERT orders"));
  }

  @Test
  void a_jpa_repository_save_writes_with_the_request_context() throws Exception {
    assertThat(post("/customers/1", "req-6").statusCode()).isEqualTo(200);

    assertThat(wal.transactions()).containsExactly(List.of(
        "message {\"method\":\"POST\",\"endpoint\":\"/customers/{id}\",\"user\":\"ann\",\"requestId\":\"req-6\"}",
        "INSERT customers"));
  }

  @Test
  void a_nested_transaction_rolled_back_to_its_savepoint_leaves_the_surviving_writes_with_their_context() throws Exception {
    assertThat(post("/orders/2/with-failing-note", "req-2").statusCode()).isEqualTo(200);

    // The driver may send the message again after ROLLBACK TO SAVEPOINT; what matters is that every surviving
    // change is preceded by it and that nothing of the rolled-back savepoint is left.
    String message = "message {\"method\":\"POST\",\"endpoint\":\"/orders/{id}/with-failing-note\",\"user\":\"ann\",\"requestId\":\"req-2\"}";
    List<List<String>> transactions = wal.transactions();
    assertThat(transactions).hasSize(1);
    assertThat(transactions.get(0)).first().isEqualTo(message);
    assertThat(transactions.get(0)).filteredOn(event -> event.startsWith("message ")).containsOnly(message);
    assertThat(transactions.get(0)).filteredOn(event -> !event.startsWith("message ")).containsExactly("INSERT orders", "INSERT order_audit");
    assertThat(db.queryLong("SELECT count(*) FROM notes")).isZero();
  }

  @Test
  void async_work_writes_with_the_context_of_the_request_that_started_it() throws Exception {
    assertThat(post("/orders/3/invoice", "req-3").statusCode()).isEqualTo(200);

    assertThat(wal.transactions()).containsExactly(List.of(
        "message {\"method\":\"POST\",\"endpoint\":\"/orders/{id}/invoice\",\"user\":\"ann\",\"requestId\":\"req-3\"}",
        "INSERT invoices"));
    assertThat((String) db.queryValue("SELECT thread FROM invoices WHERE order_id = 3")).doesNotStartWith("http-");
  }

  @Test
  void a_scheduled_job_writes_with_its_job_name() throws Exception {
    db.execute("INSERT INTO orders (id, status) VALUES (4, 'due')");
    assertThat(app.getBean(Sweeper.class).arm().await(10, TimeUnit.SECONDS)).isTrue();

    assertThat(wal.transactions()).contains(List.of(
        "message {\"job\":\"io.bemi.spring.boot.app.Sweeper.sweep\"}",
        "UPDATE orders"));
  }

  @Test
  void the_datasource_is_wrapped_without_changing_its_url_and_still_unwraps_to_the_pool() throws Exception {
    DataSource dataSource = app.getBean(DataSource.class);

    assertThat(dataSource).isInstanceOf(BemiDataSource.class);
    assertThat(app.getEnvironment().getProperty("spring.datasource.url")).startsWith("jdbc:postgresql:");
    assertThat(dataSource.unwrap(com.zaxxer.hikari.HikariDataSource.class)).isNotNull();
  }

  @Test
  void the_health_endpoint_reports_bemi_up_when_the_database_writes_logical_wal() throws Exception {
    HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health/bemi")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("\"status\":\"UP\"").contains("\"walLevel\":\"logical\"");
  }

  @Test
  void meters_count_the_wrapped_connections_and_the_contexts_set_for_requests() throws Exception {
    post("/orders/5", "req-5");
    MeterRegistry meters = app.getBean(MeterRegistry.class);

    assertThat(meters.get("bemi.connections.wrapped").functionCounter().count()).isPositive();
    assertThat(meters.get("bemi.contexts").tag("source", "request").functionCounter().count()).isPositive();
  }

  @Test
  void driver_meters_count_the_message_and_context_bytes_a_request_write_sent() throws Exception {
    MeterRegistry meters = app.getBean(MeterRegistry.class);
    double sent = count(meters, "bemi.driver.messages.sent");
    double bytes = count(meters, "bemi.driver.context.bytes.sent");
    double truncated = count(meters, "bemi.driver.contexts.truncated");

    assertThat(post("/customers/2", "req-7").statusCode()).isEqualTo(200);

    String json = "{\"method\":\"POST\",\"endpoint\":\"/customers/{id}\",\"user\":\"ann\",\"requestId\":\"req-7\"}";
    assertThat(wal.transactions()).containsExactly(List.of("message " + json, "INSERT customers"));
    assertThat(count(meters, "bemi.driver.messages.sent") - sent).isEqualTo(1);
    assertThat(count(meters, "bemi.driver.context.bytes.sent") - bytes).isEqualTo(json.getBytes(StandardCharsets.UTF_8).length);
    assertThat(count(meters, "bemi.driver.contexts.truncated") - truncated).isZero();
  }

  private static double count(MeterRegistry meters, String name) {
    return meters.get(name).functionCounter().count();
  }

  @Test
  void the_starter_ships_configuration_metadata_for_ide_completion() throws Exception {
    try (InputStream metadata = BemiAutoConfiguration.class.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(metadata).isNotNull();
      assertThat(new String(metadata.readAllBytes(), StandardCharsets.UTF_8))
          .contains("\"bemi.datasource.include-sql\"", "\"bemi.web.route-template\"", "\"bemi.scheduling.enabled\"");
    }
  }

  private static HttpResponse<String> post(String path, String requestId) throws Exception {
    String basic = Base64.getEncoder().encodeToString("ann:secret".getBytes(StandardCharsets.UTF_8));
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .header("Authorization", "Basic " + basic)
            .header("X-Request-Id", requestId)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}

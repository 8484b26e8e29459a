package io.bemi.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.bemi.bench.FaultSuite.Outcome;
import io.bemi.ingester.sink.webhook.WebhookSignature;
import io.bemi.test.kafka.KafkaBrokers;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fault scenarios of the Kafka and webhook sinks against the writer's ledger (docs/sinks.md):
 *
 * <ul>
 *   <li>kafka: {@code run --sink kafka} into a 3-broker KRaft cluster, two {@code consume}
 *       processes storing into the destination; kill -9 of the ingester and of consumers, one
 *       broker stopped mid-stream and started again. Exactly once: the ledger must match.
 *   <li>webhook: {@code run --sink webhook} to a receiver that verifies the signature and stores
 *       the events idempotently (ON CONFLICT DO NOTHING, the documented receiver), which is down
 *       for a while, sometimes fails after storing, and a kill -9 of the ingester. At least once
 *       plus an idempotent receiver: the ledger must match.
 * </ul>
 */
final class SinkFaults {

  private static final String SECRET = "fault-suite-shared-secret";

  private SinkFaults() {}

  static Outcome kafka(PgServer source, PgServer destination, boolean quick) throws Exception {
    Ledger ledger = new Ledger();
    Random random = new Random(3);
    int kills = quick ? 1 : 6;
    try (KafkaBrokers kafka = KafkaBrokers.start(3);
         IngesterProcess ingester = FaultSuite.prepare(source, destination, "kafka", source.port())) {
      String[] run = {"--sink", "kafka", "--kafka-bootstrap-servers", kafka.bootstrapServers(),
          "--kafka-topic-prefix", "fault", "--max-batch-delay-ms", "50"};
      ChildProcess[] consumers = new ChildProcess[2];
      for (int i = 0; i < consumers.length; i++) {
        consumers[i] = new ChildProcess("consumer-" + i, "consume", "--destination-url", destination.uri("d_kafka"),
            "--kafka-bootstrap-servers", kafka.bootstrapServers(), "--group", "fault", "--topics", "fault\\..+\\..+");
      }
      try (ChildProcess first = consumers[0]; ChildProcess second = consumers[1]) {
        ingester.start(run);
        first.start();
        second.start();
        try (LedgerWriter writer = new LedgerWriter(source, "s_kafka", ledger)) {
          for (int k = 1; k <= kills; k++) {
            Thread.sleep(1000 + random.nextInt(2000));
            ingester.kill();
            ChildProcess consumer = consumers[k % 2];
            consumer.kill();
            System.out.printf("  kill %d: ingester and consumer %d, %,d transactions so far%n", k, k % 2,
                ledger.transactions());
            ingester.start(run);
            consumer.start();
          }
          int broker = kafka.brokerIds().get(1);
          Thread.sleep(1000);
          System.out.printf("  stopping broker %d after %,d transactions%n", broker, ledger.transactions());
          kafka.stopBroker(broker);
          Thread.sleep(quick ? 5000 : 15000);
          kafka.startBroker(broker);
          System.out.printf("  broker %d started again after %,d transactions%n", broker, ledger.transactions());
          Thread.sleep(2000);
        }
        long stored = ledger.awaitStored(destination, "d_kafka", LedgerWriter.TABLES, 300);
        Thread.sleep(1000);
        int exits = ingester.terminate() + first.terminate() + second.terminate();
        return compare("kafka", ingester, ledger, destination, stored, exits,
            kills + " SIGKILLs of ingester and consumers, a broker stopped and started");
      }
    }
  }

  static Outcome webhook(PgServer source, PgServer destination, boolean quick) throws Exception {
    Ledger ledger = new Ledger();
    int port;
    try (var socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    try (IngesterProcess ingester = FaultSuite.prepare(source, destination, "webhook", source.port())) {
      Receiver receiver = new Receiver(destination.uri("d_webhook"), port);
      receiver.start();
      String[] run = {"--sink", "webhook", "--webhook-url", "http://127.0.0.1:" + port + "/hook",
          "--webhook-secret", SECRET, "--webhook-per", "batch", "--webhook-timeout", "10",
          "--max-batch-changes", "500"};
      ingester.start(run);
      int outage = quick ? 5 : 20;
      try (LedgerWriter writer = new LedgerWriter(source, "s_webhook", ledger, 200)) {
        Thread.sleep(3000);
        System.out.printf("  receiver down %d s after %,d transactions%n", outage, ledger.transactions());
        receiver.stop();
        Thread.sleep(outage * 1000L);
        receiver.start();
        Thread.sleep(3000);
        ingester.kill();
        System.out.printf("  ingester killed after %,d transactions%n", ledger.transactions());
        ingester.start(run);
        Thread.sleep(3000);
      }
      long stored = ledger.awaitStored(destination, "d_webhook", LedgerWriter.TABLES, 300);
      Thread.sleep(1000);
      int exit = ingester.terminate();
      receiver.stop();
      return compare("webhook", ingester, ledger, destination, stored, exit, String.format(
          "%,d requests, %,d failed after storing, %,d bad signatures", receiver.requests.get(),
          receiver.failedAfterStoring.get(), receiver.badSignatures.get()));
    }
  }

  private static Outcome compare(String name, IngesterProcess ingester, Ledger ledger, PgServer destination,
      long stored, int exits, String extra) throws Exception {
    Ledger.Result result;
    try (Connection c = destination.connect("d_" + name)) {
      result = ledger.compare(c, LedgerWriter.TABLES);
    }
    ingester.teardown();
    String detail = String.format("%,d transactions; %s; %s; SIGTERM exits %d; %s", ledger.transactions(), result,
        ledger.inDoubtSummary(), exits, extra);
    return new Outcome(name, result.passed() && exits == 0 && stored == result.expected(), detail);
  }

  /**
   * The documented idempotent receiver: verifies Bemi-Signature, then stores every event of the
   * body in one statement with ON CONFLICT DO NOTHING; one request in ten fails after storing.
   */
  private static final class Receiver {
    private static final String STORE = """
        INSERT INTO bemi.changes (primary_key, before, after, context, database, schema, "table", operation,
          committed_at, queued_at, transaction_id, position, commit_lsn, change_index)
        SELECT e->'bemi'->>'primary_key', coalesce(nullif(e->'before', 'null'), '{}'),
          coalesce(nullif(e->'after', 'null'), '{}'), e->'context', e->'source'->>'db', e->'source'->>'schema',
          e->'source'->>'table', e->'bemi'->>'operation', (e->'bemi'->>'committed_at')::timestamptz,
          (e->'bemi'->>'queued_at')::timestamptz, (e->'source'->>'txId')::bigint, (e->'source'->>'lsn')::bigint,
          (e->'bemi'->>'commit_lsn')::bigint, (e->'bemi'->>'change_index')::int
        FROM jsonb_array_elements(?::jsonb->'transactions') t, jsonb_array_elements(t->'changes') e
        ON CONFLICT DO NOTHING""";

    private final String destinationUri;
    private final int port;
    private final Random random = new Random(5);
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong failedAfterStoring = new AtomicLong();
    private final AtomicLong badSignatures = new AtomicLong();
    private HttpServer server;

    Receiver(String destinationUri, int port) {
      this.destinationUri = destinationUri;
      this.port = port;
    }

    void start() throws Exception {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 50);
      server.createContext("/hook", this::handle);
      server.start();
    }

    void stop() {
      server.stop(0);
    }

    private void handle(HttpExchange exchange) throws java.io.IOException {
      byte[] body = exchange.getRequestBody().readAllBytes();
      requests.incrementAndGet();
      int status;
      String signature = exchange.getRequestHeaders().getFirst(WebhookSignature.HEADER);
      if (signature == null || !WebhookSignature.verify(SECRET, signature, body,
          System.currentTimeMillis() / 1000, 300)) {
        badSignatures.incrementAndGet();
        status = 401;
      } else {
        try (Connection c = java.sql.DriverManager.getConnection(jdbc(destinationUri));
             PreparedStatement s = c.prepareStatement(STORE)) {
          s.setString(1, new String(body, StandardCharsets.UTF_8));
          s.executeUpdate();
          boolean fail;
          synchronized (random) {
            fail = random.nextInt(10) == 0;
          }
          if (fail) {
            failedAfterStoring.incrementAndGet();
          }
          status = fail ? 500 : 200;
        } catch (java.sql.SQLException e) {
          System.out.println("  receiver: " + e.getMessage());
          status = 503;
        }
      }
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    }

    /** postgresql://user@host:port/db → jdbc:postgresql://host:port/db?user=user */
    private static String jdbc(String uri) {
      java.net.URI parsed = java.net.URI.create(uri);
      String user = parsed.getUserInfo() == null ? "postgres" : parsed.getUserInfo().split(":")[0];
      return "jdbc:postgresql://" + parsed.getHost() + ":" + parsed.getPort() + parsed.getPath() + "?user=" + user;
    }
  }

  /** The scenarios {@code only} names, each through FaultSuite's runner (which prints and times it). */
  static List<Outcome> run(String only, boolean quick, PgServer source, PgServer destination,
      java.util.function.BiFunction<String, FaultSuite.Scenario, Outcome> runner) {
    List<Outcome> outcomes = new java.util.ArrayList<>();
    if (only.contains("kafka")) {
      outcomes.add(runner.apply("Kafka sink + 2 consumers: kill -9, broker restart",
          () -> kafka(source, destination, quick)));
    }
    if (only.contains("webhook")) {
      outcomes.add(runner.apply("webhook sink: receiver outage, kill -9", () -> webhook(source, destination, quick)));
    }
    return outcomes;
  }
}

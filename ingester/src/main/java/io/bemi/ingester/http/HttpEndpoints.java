package io.bemi.ingester.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.bemi.ingester.IngesterMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /health} (200 while streaming, 503 otherwise) and {@code GET /metrics} (Prometheus
 * text) on the JDK's HTTP server, bound to one address (127.0.0.1 by default).
 */
public final class HttpEndpoints implements AutoCloseable {

  private final HttpServer server;

  private HttpEndpoints(HttpServer server) {
    this.server = server;
  }

  /** Binds the ingester's counters to {@code registry} and serves them. */
  public static HttpEndpoints start(String host, int port, IngesterMetrics metrics, PrometheusMeterRegistry registry)
      throws IOException {
    FunctionCounter.builder("bemi.ingester.changes.stored", metrics, IngesterMetrics::changesStored)
        .description("Row changes stored").register(registry);
    FunctionCounter.builder("bemi.ingester.transactions.stored", metrics, IngesterMetrics::transactionsStored)
        .description("Source transactions stored").register(registry);
    FunctionCounter.builder("bemi.ingester.batches.committed", metrics, IngesterMetrics::batchesCommitted)
        .description("Destination transactions committed").register(registry);
    FunctionCounter.builder("bemi.ingester.context.malformed", metrics, IngesterMetrics::malformedContextMessages)
        .description("Malformed or non-transactional _bemi messages").register(registry);
    FunctionCounter.builder("bemi.ingester.toast.missing", metrics, IngesterMetrics::missingToastValues)
        .description("Unchanged TOAST values left out for want of an old row").register(registry);
    FunctionCounter.builder("bemi.ingester.reconnects", metrics, IngesterMetrics::reconnects)
        .description("Sessions ended by an outage and retried").register(registry);
    Gauge.builder("bemi.ingester.streaming", metrics, m -> m.isStreaming() ? 1 : 0)
        .description("1 while connected and streaming").register(registry);
    Gauge.builder("bemi.ingester.confirmed.lsn", metrics, m -> m.confirmedLsn().value())
        .description("End LSN of the last stored transaction (confirmed to the slot)").register(registry);

    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
    server.createContext("/health", exchange -> {
      boolean up = metrics.isStreaming();
      respond(exchange, up ? 200 : 503, "application/json",
          "{\"status\":\"" + (up ? "UP" : "DOWN") + "\",\"confirmedLsn\":\"" + metrics.confirmedLsn() + "\"}");
    });
    server.createContext("/metrics", exchange -> respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
        registry.scrape()));
    server.start();
    return new HttpEndpoints(server);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    if (!"GET".equals(exchange.getRequestMethod())) {
      exchange.sendResponseHeaders(405, -1);
      exchange.close();
      return;
    }
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

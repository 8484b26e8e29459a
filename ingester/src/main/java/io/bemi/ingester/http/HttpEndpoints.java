package io.bemi.ingester.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.bemi.ingester.IngesterMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Health and metrics on the JDK's HTTP server, bound to one address (127.0.0.1 by default):
 *
 * <ul>
 *   <li>{@code GET /health/live}: 200 while the process runs (its HTTP server answers);
 *   <li>{@code GET /health/ready} and {@code GET /health}: 200 while streaming with the lag under
 *       {@code maxLagSeconds} (unknown lag, before the first slot sample, counts as under), else 503;
 *       the body also says how many changes this process quarantined (they do not stop the stream,
 *       so they do not make it 503);
 *   <li>{@code GET /metrics}: Prometheus text of the ingester's meters and the JVM's.
 * </ul>
 */
public final class HttpEndpoints implements AutoCloseable {

  private final HttpServer server;
  private final JvmGcMetrics gcMetrics;

  private HttpEndpoints(HttpServer server, JvmGcMetrics gcMetrics) {
    this.server = server;
    this.gcMetrics = gcMetrics;
  }

  /** Serves {@code registry} (where {@code metrics} registered its meters) and binds JVM meters to it. */
  public static HttpEndpoints start(String host, int port, IngesterMetrics metrics, PrometheusMeterRegistry registry,
      double maxLagSeconds) throws IOException {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);

    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
    server.createContext("/health/live", exchange -> respond(exchange, 200, "application/json", "{\"status\":\"UP\"}"));
    server.createContext("/health", exchange -> {
      String path = exchange.getRequestURI().getPath();
      if (!path.equals("/health") && !path.equals("/health/ready")) {
        respond(exchange, 404, "text/plain", "Not found: " + path);
        return;
      }
      boolean streaming = metrics.isStreaming();
      double lag = metrics.lagSeconds();
      boolean lagOk = Double.isNaN(lag) || lag <= maxLagSeconds;
      boolean up = streaming && lagOk;
      respond(exchange, up ? 200 : 503, "application/json", "{\"status\":\"" + (up ? "UP" : "DOWN")
          + "\",\"streaming\":" + streaming
          + ",\"lagSeconds\":" + (Double.isNaN(lag) ? "null" : String.format(Locale.ROOT, "%.1f", lag))
          + ",\"maxLagSeconds\":" + String.format(Locale.ROOT, "%.1f", maxLagSeconds)
          + ",\"confirmedLsn\":\"" + metrics.confirmedLsn() + "\""
          + ",\"quarantinedChanges\":" + metrics.quarantinedChanges() + "}");
    });
    server.createContext("/metrics", exchange -> respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
        registry.scrape()));
    server.start();
    return new HttpEndpoints(server, gc);
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
    gcMetrics.close();
  }
}

package io.bemi.ingester.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.bemi.ingester.IngesterMetrics;
import io.bemi.ingester.leader.Lease;
import io.bemi.ingester.leader.Leadership;
import io.bemi.ingester.leader.Role;
import io.bemi.sql.JsonStrings;
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
 *   <li>{@code GET /health/ready} and {@code GET /health}: 200 while leading and streaming with the
 *       lag under {@code maxLagSeconds} (unknown lag, before the first slot sample, counts as under),
 *       and 200 as a standby (a standby is healthy: Kubernetes keeps it and rolling updates proceed;
 *       {@code "role":"standby"} in the body says it does not stream); 503 in an outage, when
 *       misconfigured, starting or lagging; the body also says how many changes this process
 *       quarantined (they do not stop the stream, so they do not make it 503);
 *   <li>{@code GET /health/leader}: 200 only while this process leads, else 503 (for a check that
 *       should pick the leader);
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
      boolean leaderOnly = path.equals("/health/leader");
      if (!leaderOnly && !path.equals("/health") && !path.equals("/health/ready")) {
        respond(exchange, 404, "text/plain", "Not found: " + path);
        return;
      }
      Leadership leadership = metrics.leadership();
      Role role = leadership.role();
      boolean streaming = metrics.isStreaming();
      double lag = metrics.lagSeconds();
      boolean lagOk = Double.isNaN(lag) || lag <= maxLagSeconds;
      boolean up = leaderOnly ? role == Role.LEADER && streaming
          : role == Role.STANDBY || (streaming && lagOk);
      Lease lease = leadership.lease();
      String problem = leadership.problem();
      respond(exchange, up ? 200 : 503, "application/json", "{\"status\":\"" + (up ? "UP" : "DOWN")
          + "\",\"role\":\"" + role.label() + "\""
          + ",\"leader\":" + (lease == null ? "null" : "{\"holder\":" + jsonString(lease.holder()) + ",\"since\":\""
              + lease.leaderSince() + "\",\"epoch\":" + lease.epoch() + "}")
          + (problem == null ? "" : ",\"problem\":" + jsonString(problem))
          + ",\"streaming\":" + streaming
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

  private static String jsonString(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2);
    JsonStrings.append(out, text);
    return out.toString();
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

package io.bemi.dashboard.web;

import io.bemi.dashboard.changes.DataAccessException;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;

/**
 * What operators' tools read, without the token: {@code GET /health} for probes (200 while the changes
 * table answers, 503 with the reason otherwise; no data in either) and {@code GET /metrics}, Prometheus text
 * of the dashboard's own meters ({@code bemi_dashboard_requests_seconds}, the HikariCP pool, the JVM).
 */
final class Operations {

  private static final String STARTED = "bemi.request-started";

  private final Services services;
  private final PrometheusMeterRegistry registry;

  Operations(Services services, PrometheusMeterRegistry registry) {
    this.services = services;
    this.registry = registry;
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  void health(Context ctx) {
    var body = services.json().createObjectNode();
    try {
      services.changes().newest();
      body.put("status", "UP");
      ctx.status(200);
    } catch (DataAccessException e) {
      body.put("status", "DOWN");
      body.put("reason", e.getMessage());
      ctx.status(503);
    }
    ctx.contentType("application/json").result(body.toString());
  }

  void metrics(Context ctx) {
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape());
  }

  void requestStarted(Context ctx) {
    ctx.attribute(STARTED, System.nanoTime());
  }

  /** Times each request by method and status (never by path: ids would make unbounded series). */
  void requestEnded(Context ctx) {
    Long started = ctx.attribute(STARTED);
    if (started == null) {
      return;
    }
    Timer.builder("bemi.dashboard.requests").description("HTTP requests served by the dashboard")
        .tag("method", ctx.method().name()).tag("status", Integer.toString(ctx.statusCode()))
        .register(registry).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
  }
}

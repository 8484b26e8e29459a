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
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What operators' tools read, without the token: {@code GET /health} for probes (200 while the changes
 * table answers, 503 with the kind of failure otherwise; no data in either) and {@code GET /metrics},
 * Prometheus text of the dashboard's own meters ({@code bemi_dashboard_requests_seconds}, the HikariCP
 * pool, the JVM).
 */
final class Operations {

  private static final Logger LOG = LoggerFactory.getLogger(Operations.class);
  private static final String STARTED = "bemi.request-started";
  private static final long PROBE_REUSE_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final Services services;
  private final PrometheusMeterRegistry registry;
  private final ReentrantLock probing = new ReentrantLock();
  private volatile Probe lastProbe;

  Operations(Services services, PrometheusMeterRegistry registry) {
    this.services = services;
    this.registry = registry;
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /**
   * Anyone may ask, so the changes table is read at most once a second whatever the request rate
   * (later requests get that answer), and a failure is answered by its kind and SQL state only: the
   * database's message, which can name hosts, roles and schemas, goes to the log.
   */
  void health(Context ctx) {
    Probe probe = probe();
    var body = services.json().createObjectNode();
    body.put("status", probe.problem() == null ? "UP" : "DOWN");
    if (probe.problem() != null) {
      body.put("reason", probe.problem());
    }
    ctx.status(probe.problem() == null ? 200 : 503);
    ctx.contentType("application/json").result(body.toString());
  }

  /** A reading of the changes table: when, and what kept it from answering (null: nothing). */
  private record Probe(long atNanos, String problem) {}

  /**
   * The last reading while it is under a second old, or while another request is reading (a slow or
   * hung destination then holds one request, not every probe); else a new one.
   */
  private Probe probe() {
    Probe last = lastProbe;
    if (last != null && (System.nanoTime() - last.atNanos() < PROBE_REUSE_NANOS || !probing.tryLock())) {
      return last;
    }
    if (last == null) {
      probing.lock(); // the first reading: wait for it
    }
    try {
      last = lastProbe;
      if (last != null && System.nanoTime() - last.atNanos() < PROBE_REUSE_NANOS) {
        return last;
      }
      String problem = null;
      try {
        services.changes().newest();
      } catch (DataAccessException e) {
        problem = problem(e);
        if (last == null || !problem.equals(last.problem())) {
          LOG.warn("GET /health answers 503: {}", e.getMessage());
        }
      }
      if (problem == null && last != null && last.problem() != null) {
        LOG.info("GET /health answers 200 again");
      }
      lastProbe = new Probe(System.nanoTime(), problem);
      return lastProbe;
    } finally {
      probing.unlock();
    }
  }

  private static String problem(DataAccessException e) {
    String state = e.getCause() instanceof SQLException sql && sql.getSQLState() != null ? sql.getSQLState() : "none";
    String what;
    if (state.startsWith("08")) {
      what = "the destination database does not answer";
    } else if (state.startsWith("28")) {
      what = "the dashboard cannot sign in to the destination database";
    } else if (state.equals("42P01") || state.equals("3F000")) {
      what = "the changes table is not there (check --schema, and that the ingester has set up the destination)";
    } else if (state.equals("42501")) {
      what = "the dashboard's role may not read the changes table";
    } else {
      what = "the changes table cannot be read";
    }
    return what + " (SQL state " + state + "); the dashboard's log has the details";
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

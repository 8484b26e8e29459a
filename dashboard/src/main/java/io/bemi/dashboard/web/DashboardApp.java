package io.bemi.dashboard.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bemi.dashboard.changes.BadRequestException;
import io.bemi.dashboard.changes.DataAccessException;
import io.bemi.dashboard.changes.SeveralSourcesException;
import io.bemi.dashboard.revert.RevertService;
import io.bemi.dashboard.web.html.Views;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the Javalin application from its services: routes, security filter, error mapping.
 * Pages live at /, /record, /transactions/{commit LSN}, /context, /revert, /restore, /replay, /activity; the JSON API under
 * /api mirrors them. Errors are JSON under /api and pages elsewhere.
 */
public final class DashboardApp {

  private static final Logger log = LoggerFactory.getLogger(DashboardApp.class);

  private static final String HANDLED = "bemi.error-handled";

  private DashboardApp() {}

  public static Javalin create(Services services) {
    return create(services, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  /** The application with its meters in {@code meters} (served at /metrics with the JVM's). */
  public static Javalin create(Services services, PrometheusMeterRegistry meters) {
    Operations operations = new Operations(services, meters);
    Security security = services.security();
    PageController pages = new PageController(services);
    ApiController api = new ApiController(services);
    AuthController auth = new AuthController(security);
    Assets assets = new Assets();
    return Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.http.maxRequestSize = 64 * 1024;
      config.http.prefer405over404 = true; // a path served for another method says so
      config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
      config.routes.before(operations::requestStarted);
      config.routes.before(security::before);
      config.routes.after(operations::requestEnded);
      config.routes.get("/health", operations::health);
      config.routes.get("/metrics", operations::metrics);

      config.routes.get("/assets/{name}", assets::serve);
      config.routes.get("/signin", auth::form);
      config.routes.post("/signin", auth::submit);
      config.routes.post("/signout", auth::signOut);

      config.routes.get("/", pages::changes);
      config.routes.get("/record", pages::record);
      config.routes.get("/transactions/{hi}/{lo}", pages::transaction);
      config.routes.get("/transactions/{id}", pages::transactionByXid);
      config.routes.get("/context", pages::context);
      config.routes.get("/revert", pages::revertPreview);
      config.routes.post("/revert", pages::revertExecute);
      config.routes.get("/restore", pages::restorePreview);
      config.routes.post("/restore", pages::restoreExecute);
      config.routes.get("/replay", pages::replayPreview);
      config.routes.get("/activity", pages::activity);

      ApiParameters.get(config.routes, "/api/changes", api::changes);
      ApiParameters.get(config.routes, "/api/changes/export", api::export);
      ApiParameters.get(config.routes, "/api/changes/{id}", api::change);
      ApiParameters.get(config.routes, "/api/tables", api::tables);
      ApiParameters.get(config.routes, "/api/records/history", api::history);
      ApiParameters.get(config.routes, "/api/records/as-of", api::asOf);
      ApiParameters.get(config.routes, "/api/transactions/{hi}/{lo}", api::transaction);
      ApiParameters.get(config.routes, "/api/transactions/{id}", api::transactionByXid);
      ApiParameters.get(config.routes, "/api/context", api::context);
      ApiParameters.get(config.routes, "/api/revert/preview", api::revertPreview);
      ApiParameters.post(config.routes, "/api/revert/execute", api::revertExecute);
      ApiParameters.get(config.routes, "/api/restore/preview", api::restorePreview);
      ApiParameters.post(config.routes, "/api/restore/execute", api::restoreExecute);
      ApiParameters.get(config.routes, "/api/replay/preview", api::replayPreview);
      ApiParameters.get(config.routes, "/api/activity", api::activity);
      ApiParameters.get(config.routes, "/api/health", api::health);

      config.routes.exception(WebErrors.Unauthorized.class, (e, ctx) -> {
        if (isApi(ctx)) {
          ctx.header("WWW-Authenticate", "Bearer realm=\"bemi\"");
          error(ctx, HttpStatus.UNAUTHORIZED, e.getMessage(), services);
        } else {
          String next = ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
          ctx.redirect("/signin?next=" + java.net.URLEncoder.encode(next, java.nio.charset.StandardCharsets.UTF_8), HttpStatus.SEE_OTHER);
        }
      });
      config.routes.exception(WebErrors.Forbidden.class, (e, ctx) -> error(ctx, HttpStatus.FORBIDDEN, e.getMessage(), services));
      config.routes.exception(WebErrors.MisdirectedRequest.class,
          (e, ctx) -> error(ctx, HttpStatus.MISDIRECTED_REQUEST, e.getMessage(), services));
      config.routes.exception(WebErrors.TooManyRequests.class,
          (e, ctx) -> error(ctx, HttpStatus.TOO_MANY_REQUESTS, e.getMessage(), services));
      config.routes.exception(WebErrors.Conflict.class, (e, ctx) -> error(ctx, HttpStatus.CONFLICT, e.getMessage(), services));
      config.routes.exception(RevertService.AmbiguousTransactionException.class,
          (e, ctx) -> error(ctx, HttpStatus.CONFLICT, e.getMessage(), services));
      config.routes.exception(io.bemi.dashboard.restore.RestoreService.PlanChangedException.class,
          (e, ctx) -> error(ctx, HttpStatus.CONFLICT, e.getMessage(), services));
      config.routes.exception(RevertService.PlanChangedException.class,
          (e, ctx) -> error(ctx, HttpStatus.CONFLICT, e.getMessage(), services));
      config.routes.exception(BadRequestException.class, (e, ctx) -> error(ctx, HttpStatus.BAD_REQUEST, e.getMessage(), services));
      config.routes.exception(SeveralSourcesException.class, (e, ctx) -> chooseSource(ctx, e, services));
      config.routes.exception(WebErrors.NotFound.class, (e, ctx) -> error(ctx, HttpStatus.NOT_FOUND, e.getMessage(), services));
      config.routes.exception(RevertService.NotFoundException.class, (e, ctx) -> error(ctx, HttpStatus.NOT_FOUND, e.getMessage(), services));
      config.routes.exception(io.bemi.dashboard.restore.RestoreService.UnknownTableException.class,
          (e, ctx) -> error(ctx, HttpStatus.NOT_FOUND, e.getMessage(), services));
      config.routes.exception(DataAccessException.class, (e, ctx) -> {
        log.warn("{} {}: {}", ctx.method(), ctx.path(), e.getMessage());
        error(ctx, HttpStatus.INTERNAL_SERVER_ERROR, e.getMessage(), services);
      });
      config.routes.exception(Exception.class, (e, ctx) -> {
        log.error("{} {} failed", ctx.method(), ctx.path(), e);
        error(ctx, HttpStatus.INTERNAL_SERVER_ERROR, "Internal error: " + e.getClass().getSimpleName() + " (see the dashboard log)", services);
      });
      config.routes.error(404, ctx -> {
        if (ctx.attribute(HANDLED) == null) {
          error(ctx, HttpStatus.NOT_FOUND, "No such page: " + ctx.path(), services);
        }
      });
      config.routes.error(405, ctx -> error(ctx, HttpStatus.METHOD_NOT_ALLOWED, "Method " + ctx.method() + " not allowed on " + ctx.path(), services));
    });
  }

  /** The API's error answer: {@code {"status": 400, "error": "<reason>"}}. */
  private static ObjectNode errorBody(HttpStatus status, String message, Services services) {
    ObjectNode body = services.json().createObjectNode();
    body.put("status", status.getCode());
    body.put("error", message);
    return body;
  }

  private static void sendJson(Context ctx, HttpStatus status, ObjectNode body) {
    ctx.attribute(HANDLED, true);
    ctx.status(status);
    ctx.contentType("application/json").result(body.toPrettyString());
  }

  private static boolean isApi(Context ctx) {
    return ctx.path().startsWith("/api/");
  }

  /**
   * Several sources match and the request named none: a page (GET) offers them, each a link to the
   * same request with its source (or to the page a choice names); the API and a form's POST answer
   * 400 naming the parameter and the sources.
   */
  private static void chooseSource(Context ctx, SeveralSourcesException e, Services services) {
    if (isApi(ctx)) {
      ObjectNode body = errorBody(HttpStatus.BAD_REQUEST, e.getMessage(), services);
      body.put("parameter", "source");
      e.sources().forEach(body.putArray("sources")::add);
      sendJson(ctx, HttpStatus.BAD_REQUEST, body);
      return;
    }
    if (!"GET".equals(ctx.method().name())) {
      error(ctx, HttpStatus.BAD_REQUEST, e.getMessage(), services);
      return;
    }
    ctx.attribute(HANDLED, true);
    ctx.html(Views.chooseSource(new Views.SourceChoicePage(e.getMessage(), e.choices().stream()
        .map(c -> new Views.SourceLink(c.source(), c.detail(), c.path() != null ? c.path() : Requests.with(ctx, "source", c.source())))
        .toList(), services.security().csrfToken())));
  }

  private static void error(Context ctx, HttpStatus status, String message, Services services) {
    if (isApi(ctx)) {
      sendJson(ctx, status, errorBody(status, message, services));
    } else {
      ctx.attribute(HANDLED, true);
      ctx.status(status);
      boolean signedIn = status != HttpStatus.MISDIRECTED_REQUEST && services.security().signedIn(ctx);
      ctx.html(Views.error(status.getCode(), message, signedIn ? services.security().csrfToken() : null));
    }
  }
}

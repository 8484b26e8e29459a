package io.bemi.dashboard.web;

import io.bemi.dashboard.changes.BadRequestException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The query parameters (and, on a POST, form fields) each API route takes, as
 * docs/dashboard-openapi.yaml lists them. Any other is refused with 400 naming it: a misspelt
 * filter ({@code tabel=orders}) would otherwise widen an audit query to every change without a word.
 */
final class ApiParameters {

  private static final List<String> FILTER = List.of("table", "pk", "op", "from", "to", "context", "transaction", "source");
  private static final List<String> REVERT_TARGET = List.of("change", "transaction", "context", "source");
  /** A POST made with the session cookie carries its CSRF token as a form field (Security). */
  private static final String CSRF = "csrf";

  static final Map<String, Set<String>> BY_ROUTE = Map.ofEntries(
      route("GET /api/changes", FILTER, "limit", "after"),
      route("GET /api/changes/export", FILTER, "format"),
      route("GET /api/changes/{id}", List.of()),
      route("GET /api/tables", List.of()),
      route("GET /api/records/history", List.of("schema", "table", "pk", "source"), "limit", "after"),
      route("GET /api/records/as-of", List.of("schema", "table", "pk", "source"), "at"),
      route("GET /api/transactions/{hi}/{lo}", List.of("source")),
      route("GET /api/transactions/{id}", List.of("source")),
      route("GET /api/context", List.of("key", "value", "source")),
      route("GET /api/revert/preview", REVERT_TARGET),
      route("POST /api/revert/execute", REVERT_TARGET, "plan", "confirm", "force", "confirmChanges", CSRF),
      route("GET /api/restore/preview", List.of("table", "at", "source")),
      route("POST /api/restore/execute", List.of("table", "at", "source"), "plan", "confirm", "force", CSRF),
      route("GET /api/replay/preview", List.of("from", "to", "table", "transaction", "context", "change", "source")),
      route("GET /api/activity", List.of("window", "source")),
      route("GET /api/health", List.of()));

  private ApiParameters() {}

  /** Serves GET {@code path} with {@code handler}, refusing parameters it does not take. */
  static void get(RoutesConfig routes, String path, Handler handler) {
    routes.get(path, only("GET " + path, handler));
  }

  /** Serves POST {@code path} with {@code handler}, refusing parameters it does not take. */
  static void post(RoutesConfig routes, String path, Handler handler) {
    routes.post(path, only("POST " + path, handler));
  }

  /** {@code handler} of {@code route} ("GET /api/changes"), first refusing a parameter the route does not take. */
  private static Handler only(String route, Handler handler) {
    Set<String> taken = BY_ROUTE.get(route);
    if (taken == null) {
      throw new IllegalArgumentException("No parameters listed for " + route);
    }
    return ctx -> {
      Set<String> given = new LinkedHashSet<>(ctx.queryParamMap().keySet());
      if (ctx.isFormUrlencoded()) {
        given.addAll(ctx.formParamMap().keySet());
      }
      for (String name : given) {
        if (!taken.contains(name)) {
          throw new BadRequestException("Unknown parameter '" + name + "' for " + route + (taken.isEmpty()
              ? ": it takes none" : ": it takes " + String.join(", ", new TreeSet<>(taken).stream()
                  .filter(n -> !n.equals(CSRF)).toList())));
        }
      }
      handler.handle(ctx);
    };
  }

  private static Map.Entry<String, Set<String>> route(String route, List<String> names, String... more) {
    Set<String> all = new LinkedHashSet<>(names);
    all.addAll(List.of(more));
    return Map.entry(route, Set.copyOf(all));
  }
}

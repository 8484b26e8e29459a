package io.bemi.examples.todo;

import io.bemi.Bemi;
import io.javalin.http.Context;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Tells Bemi who is acting, for every request: the whole integration an application needs besides
 * the {@code jdbc:bemi:} URL. A real application takes the user from its authentication; this
 * example trusts an {@code X-User} header.
 *
 * <p>Javalin runs the before handler, the route and the after handler on the request's thread,
 * which is the thread Bemi's context belongs to.
 */
final class RequestContext {

  private RequestContext() {}

  static void set(Context ctx) {
    Bemi.setContext(Map.of(
        "user", Optional.ofNullable(ctx.header("X-User")).orElse("anonymous"),
        "endpoint", ctx.req().getMethod() + " " + ctx.path(),
        "requestId", Optional.ofNullable(ctx.header("X-Request-Id")).orElseGet(() -> UUID.randomUUID().toString())));
  }

  static void clear(Context ctx) {
    Bemi.clearContext();
  }
}

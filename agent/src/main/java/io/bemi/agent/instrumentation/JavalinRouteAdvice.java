package io.bemi.agent.instrumentation;

import io.bemi.agent.hooks.BemiHooks;
import io.javalin.router.Endpoint;
import net.bytebuddy.asm.Advice;

/**
 * Advice inlined into Javalin's {@code JavalinServletContext.update(Endpoint, Map)}, which Javalin
 * calls as it runs each matched handler: the HTTP handler's path (e.g. {@code /items/{id}}) is the
 * route template. Before/after handlers are skipped. Compiled against Javalin 7; on other versions
 * the type does not match and nothing is instrumented.
 */
final class JavalinRouteAdvice {

  private JavalinRouteAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  static void enter(@Advice.Argument(0) Endpoint endpoint) {
    if (endpoint != null && endpoint.method.isHttpMethod()) {
      BemiHooks.requests.routeMatched(endpoint.path);
    }
  }
}

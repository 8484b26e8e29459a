package io.bemi.agent.instrumentation;

import io.bemi.agent.hooks.BemiHooks;
import net.bytebuddy.asm.Advice;

/**
 * Advice inlined into Spring MVC's {@code DispatcherServlet.getHandler(HttpServletRequest)}: once a
 * handler is found, Spring has stored the matched pattern (e.g. {@code /orders/{id}}) in a request
 * attribute, which becomes the endpoint.
 */
final class SpringRouteAdvice {

  private SpringRouteAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  static void exit(@Advice.Argument(0) Object request) {
    BemiHooks.requests.routeAttributeSet(request);
  }
}

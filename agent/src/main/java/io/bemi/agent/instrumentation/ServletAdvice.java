package io.bemi.agent.instrumentation;

import io.bemi.agent.hooks.BemiHooks;
import io.bemi.agent.hooks.CallDepth;
import net.bytebuddy.asm.Advice;

/**
 * Advice inlined into {@code service(ServletRequest, ServletResponse)} of servlets (jakarta and
 * javax alike: the request is taken as {@code Object}). The outermost servlet on the thread sets the
 * request's context and restores the previous one on the way out; nested ones (a servlet calling
 * {@code super.service}, forwards) only look for a user that filters may have authenticated since.
 */
final class ServletAdvice {

  private ServletAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  static AutoCloseable enter(@Advice.Argument(0) Object request) {
    if (CallDepth.enter(CallDepth.REQUEST) == 0) {
      return BemiHooks.requests.requestStarted(request);
    }
    BemiHooks.requests.requestReentered(request);
    return null;
  }

  @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
  static void exit(@Advice.Enter AutoCloseable scope) {
    if (CallDepth.exit(CallDepth.REQUEST) == 0) {
      BemiHooks.requests.requestEnded(scope);
    }
  }
}

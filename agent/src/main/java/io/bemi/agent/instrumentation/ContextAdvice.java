package io.bemi.agent.instrumentation;

import io.bemi.agent.hooks.BemiHooks;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice inlined into {@code io.bemi.Bemi.snapshot()}, the one place the driver's wrappers and the
 * context API read the current context: when the application set none, the agent's job context
 * (thread, main class) stands in.
 */
final class ContextAdvice {

  private ContextAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  static void exit(@Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object snapshot) {
    snapshot = BemiHooks.fallbackContext.whenEmpty(snapshot);
  }
}

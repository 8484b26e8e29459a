package io.bemi.agent.hooks;

/**
 * Context for threads that have none of their own (jobs, consumers, scheduled work). The value is
 * an {@code io.bemi.ContextSnapshot}, typed {@code Object} so that the hooks do not depend on
 * bemi-driver's version.
 */
public interface FallbackContextHook {

  FallbackContextHook NONE = new FallbackContextHook() {
    @Override
    public Object whenEmpty(Object snapshot) {
      return snapshot;
    }
  };

  /** Called when the application's context is empty; returns the snapshot to use instead. */
  Object whenEmpty(Object emptySnapshot);
}

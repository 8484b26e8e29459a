package io.bemi.agent.hooks;

/**
 * Where the code the agent adds to other libraries (through {@link Dispatch}) finds the agent. The agent installs its hooks once at start-up; until then
 * (and when a part is switched off) the no-op hooks leave everything as it was.
 */
public final class BemiHooks {

  /** Receives every connection pgjdbc hands to its caller. */
  public static volatile ConnectionHook connections = ConnectionHook.NONE;

  /** Receives the start and end of every servlet request, and route templates as frameworks resolve them. */
  public static volatile RequestHook requests = RequestHook.NONE;

  /** Supplies automatic context for work outside requests (jobs, consumers). */
  public static volatile FallbackContextHook fallbackContext = FallbackContextHook.NONE;

  /** Hears of hooks that threw (the application went on without them). */
  public static volatile FailureHook failures = FailureHook.NONE;

  /** Receives failures of hooks. */
  public interface FailureHook {
    FailureHook NONE = new FailureHook() {
      @Override
      public void failed(String what, Throwable failure) {}
    };

    void failed(String what, Throwable failure);
  }

  private BemiHooks() {}
}

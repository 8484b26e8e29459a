package io.bemi.agent.hooks;

/**
 * Where inlined advice finds the agent. The agent installs its hooks once at start-up; until then
 * (and when a part is switched off) the no-op hooks leave everything as it was.
 */
public final class BemiHooks {

  /** Receives every connection pgjdbc hands to its caller. */
  public static volatile ConnectionHook connections = ConnectionHook.NONE;

  /** Receives the start and end of every servlet request, and route templates as frameworks resolve them. */
  public static volatile RequestHook requests = RequestHook.NONE;

  /** Supplies automatic context for work outside requests (jobs, consumers). */
  public static volatile FallbackContextHook fallbackContext = FallbackContextHook.NONE;

  private BemiHooks() {}
}

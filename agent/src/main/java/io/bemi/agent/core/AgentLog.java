package io.bemi.agent.core;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's logging: {@code System.Logger} (so no logging library is forced on the application),
 * filtered by the {@code logLevel} option, created lazily so that attaching the agent does not
 * initialise the application's logging early. Failures are logged once per kind, never per call.
 */
public final class AgentLog {

  private static volatile System.Logger.Level threshold = System.Logger.Level.INFO;
  private static final Set<String> REPORTED = ConcurrentHashMap.newKeySet();

  private AgentLog() {}

  public static void threshold(System.Logger.Level level) {
    threshold = level;
  }

  public static boolean enabled(System.Logger.Level level) {
    return threshold != System.Logger.Level.OFF && level.getSeverity() >= threshold.getSeverity();
  }

  public static void log(System.Logger.Level level, String message) {
    if (enabled(level)) {
      System.getLogger("io.bemi.agent").log(level, message);
    }
  }

  /**
   * Logs {@code failure} the first time {@code what} fails in this JVM; later failures of the same
   * kind are dropped, so a broken hook cannot flood the application's log.
   */
  public static void failedOnce(String what, Throwable failure) {
    if (REPORTED.add(what) && enabled(System.Logger.Level.WARNING)) {
      System.getLogger("io.bemi.agent").log(System.Logger.Level.WARNING,
          "bemi-agent: " + what + " failed; the application continues without it (reported once): " + failure, failure);
    }
  }
}

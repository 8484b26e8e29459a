package io.bemi.dashboard.web;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fixed one-minute windows of sign-in attempts: {@code perClient} per client address, ten times
 * that from all addresses together (so rotating addresses does not lift the limit). A 24+
 * character random token is not guessable anyway; this keeps a chosen weak token from being
 * brute-forced and the sign-in from being used to burn CPU.
 */
final class SignInLimiter {

  private static final long WINDOW_MILLIS = 60_000;

  private final int perClient;
  private final Clock clock;
  private final Map<String, int[]> counts = new ConcurrentHashMap<>();
  private long window = -1;
  private int total;

  SignInLimiter(int perClient, Clock clock) {
    this.perClient = perClient;
    this.clock = clock;
  }

  /** Records an attempt; 0 when allowed, else the seconds until the next window. */
  synchronized long attempt(String client) {
    long now = clock.millis();
    long current = now / WINDOW_MILLIS;
    if (current != window) {
      window = current;
      total = 0;
      counts.clear();
    }
    int[] count = counts.computeIfAbsent(client, c -> new int[1]);
    if (count[0] >= perClient || total >= perClient * 10) {
      return Math.max(1, ((current + 1) * WINDOW_MILLIS - now + 999) / 1000);
    }
    count[0]++;
    total++;
    return 0;
  }
}

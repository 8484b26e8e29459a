package io.bemi.dashboard.web;

import java.time.Duration;
import java.util.List;

/**
 * How the dashboard defends its sign-in and sessions (docs/dashboard.md, "Security").
 *
 * @param allowedHosts Host header values accepted besides localhost, 127.0.0.1 and [::1] (each a
 *     name, or name:port); anything else is refused, which stops DNS rebinding to a loopback UI
 * @param trustProxy honour X-Forwarded-Proto and the last X-Forwarded-For entry (set only behind one TLS
 *     proxy that sets the first and appends the client's address to the second)
 * @param sessionTtl how long a signed-in session lasts
 * @param signInAttemptsPerMinute wrong tokens allowed per client address (IPv6: per /64) and minute, at
 *     sign-in and in API requests; ten times as many from all addresses together, past which each
 *     client that has not failed yet still gets one try (see {@code SignInLimiter})
 */
public record SecurityOptions(List<String> allowedHosts, boolean trustProxy, Duration sessionTtl, int signInAttemptsPerMinute) {

  public static final SecurityOptions DEFAULTS = new SecurityOptions(List.of(), false, Duration.ofHours(12), 10);

  public SecurityOptions {
    allowedHosts = allowedHosts.stream().map(h -> h.trim().toLowerCase(java.util.Locale.ROOT)).filter(h -> !h.isEmpty()).toList();
    if (sessionTtl.isNegative() || sessionTtl.isZero()) {
      throw new IllegalArgumentException("The session lifetime must be positive, got " + sessionTtl);
    }
    if (signInAttemptsPerMinute < 1) {
      throw new IllegalArgumentException("Sign-in attempts per minute must be at least 1, got " + signInAttemptsPerMinute);
    }
  }
}

package io.bemi.dashboard.web;

import java.time.Duration;
import java.util.List;

/**
 * How the dashboard defends its sign-in and sessions (docs/dashboard.md, "Security").
 *
 * @param allowedHosts Host header values accepted besides localhost, 127.0.0.1 and [::1] (each a
 *     name, or name:port); anything else is refused, which stops DNS rebinding to a loopback UI
 * @param trustProxy honour X-Forwarded-Proto and X-Forwarded-For (set only behind a TLS proxy that
 *     overwrites them)
 * @param sessionTtl how long a signed-in session lasts
 * @param signInAttemptsPerMinute sign-in attempts allowed per client address and minute (ten times
 *     as many from all addresses together)
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

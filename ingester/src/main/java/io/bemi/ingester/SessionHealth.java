package io.bemi.ingester;

import java.time.Duration;

/**
 * What the retry loop knows about the sessions so far: whether the ingester ever connected and
 * streamed (a bad setting at start stops it, later it is an outage), whether the current session
 * recovered, and the outage being logged (once). The store thread writes {@link #stored()}; the
 * reader thread reads and writes the rest; every field is volatile for that reason.
 */
final class SessionHealth {

  /** A session that stored a batch, or streamed this long, ended an outage: the next failure is a new one. */
  private static final Duration HEALTHY_AFTER = Duration.ofSeconds(10);

  private volatile String failing; // the reason of the current outage, logged once
  private volatile boolean connectedOnce; // source and destination accepted us once: a bad setting from then on is retried
  private volatile boolean streamedOnce; // a permission lost while running is an outage; one missing at start is not
  private volatile long streamingSince; // System.nanoTime() when the current session started streaming, 0: not
  private volatile boolean storedSinceReconnect;

  void connected() {
    connectedOnce = true;
  }

  boolean connectedOnce() {
    return connectedOnce;
  }

  boolean streamedOnce() {
    return streamedOnce;
  }

  /** The session streams from now on. */
  void streaming() {
    streamedOnce = true;
    streamingSince = System.nanoTime();
  }

  /** The session stopped streaming but goes on (a batch to store again change by change). */
  void streamingPaused() {
    streamingSince = 0;
  }

  /** The session ended. */
  void ended() {
    streamingSince = 0;
    storedSinceReconnect = false;
  }

  /**
   * Whether the session that just failed had recovered from the previous outage. A session that
   * connects but fails at its first store (a revoked privilege) has not: its failure continues the
   * outage, logged once, with the backoff still growing.
   */
  boolean wasHealthy() {
    long since = streamingSince;
    return storedSinceReconnect || (since != 0 && System.nanoTime() - since >= HEALTHY_AFTER.toNanos());
  }

  /** The last outage ended; the next failure is a new one. */
  void recovered() {
    failing = null;
  }

  /** Records the reason of a failure; true when it is not the outage already logged. */
  boolean failing(String reason) {
    if (reason.equals(failing)) {
      return false;
    }
    failing = reason;
    return true;
  }

  /** A batch was stored (store thread); returns the outage this ended, null when there was none. */
  String stored() {
    storedSinceReconnect = true;
    String outage = failing;
    failing = null;
    return outage;
  }
}

package io.bemi.ingester.monitor;

import io.bemi.sql.Lsn;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * Lag in seconds, on the ingester's own clock (no clock skew with the source): the time since
 * the newest moment up to which everything the server had written is confirmed. Each sample
 * remembers the server's WAL position at its time; once the slot's confirmed position passes it,
 * everything before that time is stored. Resolution: the sample interval.
 *
 * <p>Before the first sample that catches up, the lag counts from the first sample: a lower bound.
 * Not thread-safe: the monitor thread feeds it.
 */
public final class LagEstimate {

  /** Samples waiting to be passed; when full, new ones are dropped, which only overstates the lag. */
  private static final int MAX_PENDING = 4096;

  private record Pending(Lsn serverWal, Instant at) {}

  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private Instant caughtUpTo;

  /** Takes a sample; returns the moment up to which everything is confirmed. */
  public Instant observe(Lsn serverWal, Lsn confirmed, Instant at) {
    while (!pending.isEmpty() && pending.peekFirst().serverWal().compareTo(confirmed) <= 0) {
      caughtUpTo = pending.pollFirst().at();
    }
    if (serverWal.compareTo(confirmed) <= 0) {
      pending.clear();
      caughtUpTo = at;
    } else {
      if (caughtUpTo == null) {
        caughtUpTo = at;
      }
      if (pending.size() < MAX_PENDING) {
        pending.addLast(new Pending(serverWal, at));
      }
    }
    return caughtUpTo;
  }

  /** Seconds behind at {@code now}, given what {@link #observe} returned. */
  public static double seconds(Instant caughtUpTo, Instant now) {
    return Math.max(0, Duration.between(caughtUpTo, now).toNanos() / 1e9);
  }
}

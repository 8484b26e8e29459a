package io.bemi.ingester.leader;

/**
 * This process no longer holds the lease: another ingester took over (or the lease expired while
 * this one was paused or cut off). Nothing of the refused batch was stored; the process becomes a
 * standby.
 */
public final class LeadershipLostException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public LeadershipLostException(String message) {
    super(message);
  }

  /** @param cause how the loss showed first (the new leader ended this process's replication connection) */
  public LeadershipLostException(String message, Throwable cause) {
    super(message, cause);
  }
}

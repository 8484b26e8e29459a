package io.bemi.ingester.leader;

import java.util.Locale;

/** What an ingester process is doing, as status, health and metrics report it. */
public enum Role {
  /** Connecting for the first time. */
  STARTING,
  /** Holds the lease: streams and stores. */
  LEADER,
  /** Another process leads; this one takes over when that one's lease expires or its connection dies. */
  STANDBY,
  /** A database is unreachable or failing; retried with backoff. */
  OUTAGE,
  /** Credentials, database, privileges or setup are wrong (found after a successful start); retried until fixed. */
  MISCONFIGURED,
  STOPPED;

  /** The label used in metrics and JSON: lower case. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}

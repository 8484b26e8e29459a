package io.bemi.ingester.leader;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A new leader frees the slot from the previous leader's walsender. After a kill -9 that backend
 * ends with the socket; after a pause or a network cut it would linger until
 * {@code wal_sender_timeout} (60 s by default), so the new leader, holding the lease, ends it.
 * Needs the same role as the old reader (or {@code pg_signal_backend}).
 */
public final class SlotTakeover {

  private static final Logger LOG = LoggerFactory.getLogger(SlotTakeover.class);
  private static final Duration WAIT = Duration.ofSeconds(10);

  private SlotTakeover() {}

  /** Ends the walsender reading {@code slot}, if any, and waits until the slot is free. */
  public static void endOtherReader(Connection source, String slot) throws SQLException, InterruptedException {
    Integer pid = activePid(source, slot);
    if (pid == null) {
      return;
    }
    LOG.warn("Slot {} is still read by walsender {} (a previous leader paused or cut off); ending it", slot, pid);
    try (PreparedStatement s = source.prepareStatement("SELECT pg_catalog.pg_terminate_backend(?)")) {
      s.setInt(1, pid);
      s.execute();
    }
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (activePid(source, slot) != null && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
  }

  private static Integer activePid(Connection source, String slot) throws SQLException {
    try (PreparedStatement s = source.prepareStatement(
        "SELECT active_pid FROM pg_catalog.pg_replication_slots WHERE slot_name = ?")) {
      s.setString(1, slot);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? (Integer) rs.getObject(1) : null;
      }
    }
  }

  /**
   * Ends a destination backend of a previous leader (its store connection) if it still exists and
   * is an ingester's, so its open batch is rolled back and a replication origin it holds is freed.
   */
  static void endDestinationBackend(Connection destination, int pid) throws SQLException {
    try (PreparedStatement s = destination.prepareStatement("SELECT pg_catalog.pg_terminate_backend(pid)"
        + " FROM pg_catalog.pg_stat_activity WHERE pid = ? AND application_name = 'bemi-ingester'"
        + " AND pid <> pg_catalog.pg_backend_pid()")) {
      s.setInt(1, pid);
      s.execute();
    }
  }
}

package io.bemi.ingester.failover;

import io.bemi.ingester.PostgresUrl;
import io.bemi.sql.Lsn;
import io.bemi.ingester.replication.SetupMissingException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and records a gap in the trail: the slot is missing on the source although the trail holds
 * changes read from it. That is a source failover without a failover slot (PostgreSQL 14-16, or a
 * 17+ standby that did not synchronize slots) or a dropped slot; what was committed after the last
 * stored transaction and before a new slot exists is lost to the trail. Never hidden: the ingester
 * stops with the gap's exact start, the gap is kept in {@code <schema>.gaps} (open), and when the
 * ingester streams again from a new slot the gap is closed at that slot's start.
 *
 * <p>Also remembers the source's {@link SourceIdentity} with the checkpoint, so a promotion that
 * kept the slot (a failover slot) is logged as what it is.
 */
public final class SlotLoss {

  private static final Logger LOG = LoggerFactory.getLogger(SlotLoss.class);

  private final PostgresUrl destination;
  private final String schema;
  private final String slot;
  private final String sourceDatabase;

  public SlotLoss(PostgresUrl destination, String schema, String slot, String sourceDatabase) {
    this.destination = destination;
    this.schema = schema;
    this.slot = slot;
    this.sourceDatabase = sourceDatabase;
  }

  /**
   * @throws SetupMissingException naming the gap when the slot is missing after changes were
   *     stored from it (the gap is recorded first)
   */
  public void requireSlotUnlessNew(Connection source, SourceIdentity identity) throws SQLException {
    if (slotExists(source)) {
      return;
    }
    try (Connection c = destination.connect()) {
      Instant startAt;
      long startLsn;
      try (PreparedStatement s = c.prepareStatement("SELECT commit_lsn, committed_at FROM " + schema
          + ".ingester_checkpoints WHERE slot = ? AND source_database = ?")) {
        s.setString(1, slot);
        s.setString(2, sourceDatabase);
        try (ResultSet rs = s.executeQuery()) {
          if (!rs.next()) {
            return; // never streamed: setup has not run yet, SourceChecks says so
          }
          startLsn = rs.getLong(1);
          startAt = rs.getTimestamp(2).toInstant();
        }
      }
      try (PreparedStatement s = c.prepareStatement("INSERT INTO " + schema + ".gaps (slot, source_database,"
          + " start_lsn, start_at, system_identifier, timeline, reason) SELECT ?, ?, ?, ?, ?, ?, ?"
          + " WHERE NOT EXISTS (SELECT 1 FROM " + schema + ".gaps WHERE slot = ? AND source_database = ?"
          + " AND end_lsn IS NULL)")) {
        s.setString(1, slot);
        s.setString(2, sourceDatabase);
        s.setLong(3, startLsn);
        s.setObject(4, java.sql.Timestamp.from(startAt));
        s.setString(5, identity.systemIdentifier());
        s.setInt(6, identity.timeline());
        s.setString(7, "slot missing on the source (" + identity + "): failover without a failover slot, or dropped");
        s.setString(8, slot);
        s.setString(9, sourceDatabase);
        s.executeUpdate();
      }
      String message = "GAP IN THE TRAIL: replication slot '" + slot + "' is missing on the source (" + identity
          + ") although the trail holds changes read from it up to commit " + Lsn.of(startLsn) + " (committed at "
          + startAt + "). The source failed over without a failover slot (PostgreSQL 14-16, or a standby without "
          + "sync_replication_slots) or the slot was dropped: changes committed after " + startAt + " until a new "
          + "slot exists are missing (recorded in " + schema + ".gaps). Run `bemi-ingester setup --snapshot --slot "
          + slot + "` to create the slot and re-baseline the tracked tables, then start `run` again";
      LOG.error(message);
      throw new SetupMissingException(message);
    }
  }

  /**
   * Streaming starts from {@code slotStart} (the slot's confirmed position): an open gap ends there.
   * Also logs a promotion the slot survived (the timeline stored with the checkpoint differs).
   *
   * @return whether a gap was closed: the slot is new, and the old checkpoint's LSNs (of the old
   *     primary's WAL, which may have gone further than the promoted standby's) must not be used
   *     to skip its transactions
   */
  public boolean streamingFrom(Lsn slotStart, SourceIdentity identity) throws SQLException {
    boolean closed = false;
    try (Connection c = destination.connect()) {
      try (PreparedStatement s = c.prepareStatement("UPDATE " + schema + ".gaps SET end_lsn = ?,"
          + " end_at = pg_catalog.now() WHERE slot = ? AND source_database = ? AND end_lsn IS NULL"
          + " RETURNING start_lsn, start_at, end_at")) {
        s.setLong(1, slotStart.value());
        s.setString(2, slot);
        s.setString(3, sourceDatabase);
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            closed = true;
            LOG.warn("GAP IN THE TRAIL (recorded in {}.gaps): changes committed on the source from after commit {} "
                + "({}) up to LSN {} ({}) are missing; streaming resumes from the new slot", schema,
                Lsn.of(rs.getLong(1)), rs.getTimestamp(2).toInstant(), slotStart, rs.getTimestamp(3).toInstant());
          }
        }
      }
      try (PreparedStatement s = c.prepareStatement("SELECT system_identifier, timeline FROM " + schema
          + ".ingester_checkpoints WHERE slot = ? AND source_database = ?")) {
        s.setString(1, slot);
        s.setString(2, sourceDatabase);
        try (ResultSet rs = s.executeQuery()) {
          if (rs.next() && rs.getObject(2) != null && rs.getInt(2) != identity.timeline()
              && identity.systemIdentifier().equals(rs.getString(1))) {
            LOG.warn("The source was promoted (timeline {} -> {}) and slot {} survived it (a failover slot): "
                + "resuming from the stored checkpoint, nothing lost", rs.getInt(2), identity.timeline(), slot);
          }
        }
      }
    }
    return closed;
  }

  /**
   * When the slot is missing and the trail has a gap of it still open (run found it lost): when that
   * gap began; else null (also when the destination has no trail yet).
   */
  public Instant openGapWithoutSlot(Connection source) throws SQLException {
    if (slotExists(source)) {
      return null; // a gap still open is closed by the next run
    }
    try (Connection c = destination.connect();
        PreparedStatement s = c.prepareStatement("SELECT start_at FROM " + schema + ".gaps"
            + " WHERE slot = ? AND source_database = ? AND end_lsn IS NULL ORDER BY start_at LIMIT 1")) {
      s.setString(1, slot);
      s.setString(2, sourceDatabase);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? rs.getTimestamp(1).toInstant() : null;
      }
    } catch (SQLException e) { // no trail there yet (or unreachable): nothing to tell
      LOG.debug("No open gap to check in {}: {}", schema, e.getMessage());
      return null;
    }
  }

  private boolean slotExists(Connection source) throws SQLException {
    try (PreparedStatement s = source.prepareStatement(
        "SELECT 1 FROM pg_catalog.pg_replication_slots WHERE slot_name = ?")) {
      s.setString(1, slot);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** The slot's confirmed position: where streaming from it starts at the earliest. */
  public static Lsn confirmedPosition(Connection source, String slot) throws SQLException {
    try (PreparedStatement s = source.prepareStatement(
        "SELECT confirmed_flush_lsn::text FROM pg_catalog.pg_replication_slots WHERE slot_name = ?")) {
      s.setString(1, slot);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() && rs.getString(1) != null ? Lsn.parse(rs.getString(1)) : Lsn.INVALID;
      }
    }
  }
}

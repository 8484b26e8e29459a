package io.bemi.ingester.failover;

import io.bemi.ingester.PostgresUrl;
import io.bemi.sql.SqlNames;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL 17+ failover slots: a logical slot marked {@code failover} is copied to physical
 * standbys that have {@code sync_replication_slots = on}, so after a promotion the new primary
 * has the slot at (or before) the ingester's checkpoint and nothing is lost. What the standby
 * needs, and what the primary can check, is in docs/ingester.md (Running highly available).
 */
public final class FailoverSlots {

  public static final int FIRST_VERSION = 17;

  private FailoverSlots() {}

  /** Whether the slot is a failover slot; null when the server is older than 17 or the slot is missing. */
  public static Boolean isFailoverSlot(Connection source, String slot) throws SQLException {
    if (source.getMetaData().getDatabaseMajorVersion() < FIRST_VERSION) {
      return null;
    }
    try (PreparedStatement s = source.prepareStatement(
        "SELECT failover FROM pg_catalog.pg_replication_slots WHERE slot_name = ?")) {
      s.setString(1, slot);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? rs.getBoolean(1) : null;
      }
    }
  }

  /**
   * Marks the slot as a failover slot on PostgreSQL 17+ ({@code ALTER_REPLICATION_SLOT … (FAILOVER
   * true)} on a replication connection). Returns what was done, for setup to print.
   */
  public static String enable(PostgresUrl sourceUrl, Connection source, String slot) throws SQLException {
    Boolean failover = isFailoverSlot(source, slot);
    if (failover == null) {
      return "Slot " + slot + " is not a failover slot (PostgreSQL " + source.getMetaData().getDatabaseMajorVersion()
          + " has none): a failover of the source leaves a gap the ingester reports (see bemi.gaps)";
    }
    if (!failover) {
      try (Connection replication = sourceUrl.connectForReplication(); Statement s = replication.createStatement()) {
        s.execute("ALTER_REPLICATION_SLOT " + SqlNames.identifier(slot) + " ( FAILOVER true )");
      } catch (SQLException e) {
        if ("55006".equals(e.getSQLState())) {
          return "Slot " + slot + " is in use, so it could not be made a failover slot: stop the ingesters and run "
              + "setup again (" + e.getMessage() + ")";
        }
        throw e;
      }
    }
    List<String> warnings = primaryWarnings(source, slot);
    return "Slot " + slot + " is a failover slot: standbys with sync_replication_slots = on keep a copy"
        + (warnings.isEmpty() ? "" : "\nFor a failover without a gap: " + String.join("\n", warnings));
  }

  /** What the primary's settings say is missing for a failover without a gap (17+). */
  public static List<String> primaryWarnings(Connection source, String slot) throws SQLException {
    List<String> warnings = new ArrayList<>();
    String synchronizedSlots;
    try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery("SHOW synchronized_standby_slots")) {
      rs.next();
      synchronizedSlots = rs.getString(1);
    }
    if (synchronizedSlots == null || synchronizedSlots.isBlank()) {
      warnings.add("WARNING: synchronized_standby_slots is empty on the primary: set it to the standby's physical "
          + "slot (primary_slot_name), or the ingester may read changes the standby has not received and a "
          + "promotion can lose the slot's position");
    }
    try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery(
        "SELECT count(*) FROM pg_catalog.pg_replication_slots WHERE slot_type = 'physical' AND active")) {
      rs.next();
      if (rs.getLong(1) == 0) {
        warnings.add("WARNING: no standby streams from a physical slot: give the standby primary_slot_name, "
            + "hot_standby_feedback = on, sync_replication_slots = on and a dbname in primary_conninfo");
      }
    }
    return warnings;
  }
}

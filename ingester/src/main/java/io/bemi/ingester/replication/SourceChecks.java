package io.bemi.ingester.replication;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Verifies, before streaming, that {@code setup} has prepared the source. */
public final class SourceChecks {

  private SourceChecks() {}

  /** @throws SetupMissingException naming the {@code setup} command when the slot or publication is missing */
  public static void requireSlotAndPublication(Connection source, String slot, String publication) throws SQLException {
    try (PreparedStatement s = source.prepareStatement(
        "SELECT plugin, database = current_database() FROM pg_replication_slots WHERE slot_name = ?")) {
      s.setString(1, slot);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          throw new SetupMissingException("Replication slot '" + slot + "' does not exist on the source; run "
              + "`bemi-ingester setup --slot " + slot + "` first");
        }
        if (!"pgoutput".equals(rs.getString(1)) || !rs.getBoolean(2)) {
          throw new SetupMissingException("Replication slot '" + slot + "' uses plugin " + rs.getString(1)
              + " or belongs to another database; drop it or choose another --slot, then run `bemi-ingester setup`");
        }
      }
    }
    try (PreparedStatement s = source.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
      s.setString(1, publication);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          throw new SetupMissingException("Publication '" + publication + "' does not exist on the source; run "
              + "`bemi-ingester setup --publication " + publication + "` first");
        }
      }
    }
  }

  /**
   * {@code --origin none} asks pgoutput to leave out changes applied under a replication origin, an
   * option PostgreSQL 16 added: on an older source the request cannot be honoured, so it is refused.
   */
  public static void requireOriginFilter(Connection source) throws SQLException {
    int major = source.getMetaData().getDatabaseMajorVersion();
    if (major < 16) {
      throw new SetupMissingException("--origin none needs PostgreSQL 16 or later, and the source runs " + major
          + ": remove it (or set --origin any) to capture every change, applied under a replication origin or not");
    }
  }
}

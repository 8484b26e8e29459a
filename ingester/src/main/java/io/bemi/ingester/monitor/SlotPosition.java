package io.bemi.ingester.monitor;

import io.bemi.sql.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * One sample of the slot and the server's WAL position, read from {@code pg_replication_slots}
 * on a normal source connection ({@link #read}: the monitor's samples and {@code status}).
 *
 * @param serverWal {@code pg_current_wal_lsn()}
 * @param confirmedFlush the slot's {@code confirmed_flush_lsn}: what the ingester has stored and confirmed
 * @param restart the slot's {@code restart_lsn}: the oldest WAL the server keeps for it (INVALID once the slot is lost)
 * @param walStatus {@code reserved}, {@code extended}, {@code unreserved} or {@code lost}
 * @param maxSlotWalKeepSize the server's {@code max_slot_wal_keep_size} setting, as text ({@code -1}: unlimited)
 * @param activePid the walsender streaming the slot, null while none is
 * @param database the slot's (source) database
 * @param sampledAt the ingester's clock when the sample was read
 */
public record SlotPosition(Lsn serverWal, Lsn confirmedFlush, Lsn restart, String walStatus,
    String maxSlotWalKeepSize, Integer activePid, String database, Instant sampledAt) {

  private static final String SQL = """
      SELECT pg_current_wal_lsn()::text, confirmed_flush_lsn::text, restart_lsn::text, wal_status,
             current_setting('max_slot_wal_keep_size'), active_pid, database
        FROM pg_replication_slots WHERE slot_name = ?""";

  /** The slot's position now, or null when the slot does not exist. */
  public static SlotPosition read(Connection source, String slot, Instant sampledAt) throws SQLException {
    try (PreparedStatement s = source.prepareStatement(SQL)) {
      s.setString(1, slot);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        return new SlotPosition(lsn(rs.getString(1)), lsn(rs.getString(2)), lsn(rs.getString(3)), rs.getString(4),
            rs.getString(5), (Integer) rs.getObject(6), rs.getString(7), sampledAt);
      }
    }
  }

  private static Lsn lsn(String text) {
    return text == null ? Lsn.INVALID : Lsn.parse(text);
  }

  /** WAL written on the server that the ingester has not yet stored and confirmed. */
  public long lagBytes() {
    return Math.max(0, serverWal.value() - confirmedFlush.value());
  }

  /** WAL the server keeps on disk for this slot. */
  public long retainedBytes() {
    return restart.isValid() ? Math.max(0, serverWal.value() - restart.value()) : 0;
  }
}

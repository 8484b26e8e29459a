package io.bemi.ingester.cli;

import io.bemi.ingester.monitor.RetainedWal;
import io.bemi.ingester.pgoutput.Lsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Prints the slot's state, its confirmed LSN, the stored checkpoint and the lag in bytes and seconds."})
final class StatusCommand implements Callable<Integer> {

  @Mixin
  ConnectionOptions connection;

  @Mixin
  RetainedWalOption retainedWal;

  @Override
  public Integer call() throws Exception {
    String slot = connection.slot();
    String database;
    Lsn confirmed;
    Lsn current;
    try (Connection source = connection.source().connect();
         PreparedStatement s = source.prepareStatement("""
             SELECT active, active_pid, confirmed_flush_lsn::text, pg_current_wal_lsn()::text,
                    pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint,
                    pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint, current_database(),
                    wal_status, current_setting('max_slot_wal_keep_size')
               FROM pg_replication_slots WHERE slot_name = ?""")) {
      s.setString(1, slot);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          System.err.println("bemi-ingester: slot '" + slot + "' does not exist; run `bemi-ingester setup` first");
          return 2;
        }
        boolean active = rs.getBoolean(1);
        confirmed = rs.getString(3) == null ? Lsn.INVALID : Lsn.parse(rs.getString(3));
        current = Lsn.parse(rs.getString(4));
        database = rs.getString(7);
        System.out.println("slot:              " + slot + (active ? " (active, walsender pid " + rs.getInt(2) + ")" : " (inactive: no ingester is streaming)"));
        System.out.println("confirmed LSN:     " + confirmed);
        System.out.println("current WAL LSN:   " + current);
        System.out.println("lag:               " + rs.getLong(5) + " bytes");
        System.out.println("retained WAL:      " + rs.getLong(6) + " bytes");
        warnAboutRetainedWal(rs.getLong(6), rs.getString(8), rs.getString(9));
      }
    }
    try (Connection destination = connection.destination().connect()) {
      printCheckpoint(destination, slot, database, confirmed.equals(current));
    }
    return 0;
  }

  private void warnAboutRetainedWal(long retainedBytes, String walStatus, String maxSlotWalKeepSize) {
    if (RetainedWal.lost(walStatus)) {
      System.out.println("WARNING: " + RetainedWal.lostWarning(maxSlotWalKeepSize));
    } else if (RetainedWal.overThreshold(retainedBytes, retainedWal.warnRetainedWalMb)) {
      System.out.println("WARNING: " + RetainedWal.overThresholdWarning(retainedBytes, retainedWal.warnRetainedWalMb,
          walStatus, maxSlotWalKeepSize));
    }
  }

  private void printCheckpoint(Connection destination, String slot, String database, boolean caughtUp) throws SQLException {
    String sql = "SELECT commit_lsn, end_lsn, committed_at, updated_at FROM " + connection.destinationSchema()
        + ".ingester_checkpoints WHERE slot = ? AND source_database = ?";
    try (PreparedStatement s = destination.prepareStatement(sql)) {
      s.setString(1, slot);
      s.setString(2, database);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          System.out.println("stored checkpoint: none yet");
          return;
        }
        Instant committedAt = rs.getTimestamp(3).toInstant();
        double lagSeconds = caughtUp ? 0 : Duration.between(committedAt, Instant.now()).toMillis() / 1000.0;
        System.out.println("stored checkpoint: commit " + Lsn.of(rs.getLong(1)) + ", end " + Lsn.of(rs.getLong(2))
            + ", committed at " + committedAt + ", stored at " + rs.getTimestamp(4).toInstant());
        System.out.printf("lag:               %.1f seconds (since the last stored commit; 0 when caught up)%n", lagSeconds);
      }
    } catch (SQLException e) {
      if ("42P01".equals(e.getSQLState())) {
        System.out.println("stored checkpoint: none (destination not migrated yet: start `bemi-ingester run`)");
        return;
      }
      throw e;
    }
  }
}

package io.bemi.ingester.snapshot;

import io.bemi.ingester.rules.TablePattern;
import io.bemi.ingester.setup.SourceSetup.TrackedTable;
import io.bemi.ingester.snapshot.BaselineTarget.Progress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * A slot's per-table baseline progress in {@code snapshot_progress} (migration V3) of the
 * destination, written on the caller's connection (in its transaction, if one is open).
 */
public final class SnapshotProgress {

  private final String table;
  private final String slot;
  private final String database;

  public SnapshotProgress(String destinationSchema, String slot, String sourceDatabase) {
    this.table = destinationSchema + ".snapshot_progress";
    this.slot = slot;
    this.database = sourceDatabase;
  }

  /** Where one table's copy stands. */
  public record Table(long snapshotLsn, boolean done, long rowsDone, long rowsEstimated) {}

  /** The slot's tables that have a copy, done or not, by {@link TablePattern#nameOf}. */
  public Map<String, Table> tables(Connection connection) throws SQLException {
    Map<String, Table> result = new HashMap<>();
    try (PreparedStatement s = connection.prepareStatement("SELECT schema, \"table\", snapshot_lsn, status, rows_done,"
        + " rows_estimated FROM " + table + " WHERE slot = ? AND source_database = ?")) {
      s.setString(1, slot);
      s.setString(2, database);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          result.put(TablePattern.nameOf(rs.getString(1), rs.getString(2)),
              new Table(rs.getLong(3), "done".equals(rs.getString(4)), rs.getLong(5), rs.getLong(6)));
        }
      }
    }
    return result;
  }

  public Map<String, Progress> load(Connection connection) throws SQLException {
    Map<String, Progress> result = new HashMap<>();
    tables(connection).forEach((name, copy) -> result.put(name, new Progress(copy.snapshotLsn(), copy.done())));
    return result;
  }

  public void start(Connection connection, TrackedTable copied, long snapshotLsn, long rowsEstimated)
      throws SQLException {
    try (PreparedStatement p = connection.prepareStatement("INSERT INTO " + table
        + " (slot, source_database, schema, \"table\", snapshot_lsn, status, rows_done, rows_estimated)"
        + " VALUES (?, ?, ?, ?, ?, 'running', 0, ?)"
        + " ON CONFLICT (slot, source_database, schema, \"table\") DO UPDATE SET snapshot_lsn = EXCLUDED.snapshot_lsn,"
        + " status = 'running', rows_done = 0, rows_estimated = EXCLUDED.rows_estimated, started_at = now(),"
        + " finished_at = NULL")) {
      p.setString(1, slot);
      p.setString(2, database);
      p.setString(3, copied.schema());
      p.setString(4, copied.table());
      p.setLong(5, snapshotLsn);
      p.setLong(6, rowsEstimated);
      p.executeUpdate();
    }
  }

  public void update(Connection connection, TrackedTable copied, long rowsDone, boolean last) throws SQLException {
    try (PreparedStatement p = connection.prepareStatement("UPDATE " + table + " SET rows_done = ?"
        + (last ? ", status = 'done', finished_at = now()" : "")
        + " WHERE slot = ? AND source_database = ? AND schema = ? AND \"table\" = ?")) {
      p.setLong(1, rowsDone);
      p.setString(2, slot);
      p.setString(3, database);
      p.setString(4, copied.schema());
      p.setString(5, copied.table());
      p.executeUpdate();
    }
  }
}

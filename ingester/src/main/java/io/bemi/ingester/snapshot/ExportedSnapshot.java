package io.bemi.ingester.snapshot;

import io.bemi.ingester.PostgresUrl;
import io.bemi.sql.Lsn;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A logical replication slot created with an exported snapshot: the snapshot shows exactly the
 * transactions committed before the slot's consistent point, and the slot streams exactly those
 * committed after it. The snapshot lives as long as the replication connection stays open and
 * idle, so this object holds that connection until {@link #close()}.
 *
 * <p>Replication protocol command (simple query on a {@code replication=database} connection):
 * {@code CREATE_REPLICATION_SLOT name [TEMPORARY] LOGICAL pgoutput (SNAPSHOT 'export')} on
 * PostgreSQL 15+, {@code … LOGICAL pgoutput EXPORT_SNAPSHOT} before. It returns one row:
 * slot_name, consistent_point (LSN text), snapshot_name, output_plugin.
 */
final class ExportedSnapshot implements AutoCloseable {

  private final Connection replication;
  private final Lsn consistentPoint;
  private final String snapshotName;

  private ExportedSnapshot(Connection replication, Lsn consistentPoint, String snapshotName) {
    this.replication = replication;
    this.consistentPoint = consistentPoint;
    this.snapshotName = snapshotName;
  }

  /**
   * Creates the slot. A temporary slot is dropped by the server when the connection closes; it is
   * used when the ingester's slot already exists and only a consistent snapshot is wanted.
   */
  static ExportedSnapshot createSlot(PostgresUrl source, String slot, boolean temporary) throws SQLException {
    Connection replication = source.connectForReplication();
    try {
      int major = replication.getMetaData().getDatabaseMajorVersion();
      String command = "CREATE_REPLICATION_SLOT " + slot + (temporary ? " TEMPORARY" : "") + " LOGICAL pgoutput "
          + (major >= 15 ? "(SNAPSHOT 'export')" : "EXPORT_SNAPSHOT");
      try (Statement s = replication.createStatement(); ResultSet rs = s.executeQuery(command)) {
        rs.next();
        return new ExportedSnapshot(replication, Lsn.parse(rs.getString("consistent_point")),
            rs.getString("snapshot_name"));
      }
    } catch (SQLException | RuntimeException e) {
      replication.close();
      throw e;
    }
  }

  Lsn consistentPoint() {
    return consistentPoint;
  }

  String snapshotName() {
    return snapshotName;
  }

  @Override
  public void close() throws SQLException {
    replication.close();
  }
}

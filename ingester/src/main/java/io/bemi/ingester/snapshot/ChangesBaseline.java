package io.bemi.ingester.snapshot;

import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.failover.SourceIdentity;
import io.bemi.ingester.setup.SourceSetup.TrackedTable;
import io.bemi.ingester.stitch.StoreEvent.Change;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The baseline into {@code bemi.changes} as operation SNAPSHOT ({@code before} = {}), each batch
 * committed with the table's progress. An unfinished earlier copy's rows are deleted first.
 */
public final class ChangesBaseline implements BaselineTarget {

  private static final Logger LOG = LoggerFactory.getLogger(ChangesBaseline.class);

  private final PostgresUrl destination;
  private final String schema;
  private final String slot;
  private final PostgresUrl source;
  private final String sourceName;

  /**
   * @param source the source server, whose identity names the rows' {@code source} when {@code sourceName} is null
   * @param sourceName the rows' {@code source}, as {@code run} stores it (null: derived the same way, see
   *     {@link SourceIdentity#sourceName})
   */
  public ChangesBaseline(PostgresUrl destination, String destinationSchema, String slot, PostgresUrl source,
      String sourceName) {
    this.destination = destination;
    this.schema = destinationSchema;
    this.slot = slot;
    this.source = source;
    this.sourceName = sourceName;
  }

  @Override
  public Writer open(String database) throws SQLException {
    String rowsSource = SourceIdentity.sourceName(source, sourceName, database);
    // pgjdbc sends a batch of INSERTs as multi-row INSERTs with reWriteBatchedInserts (several times faster).
    Properties properties = destination.properties();
    properties.setProperty("reWriteBatchedInserts", "true");
    Connection target = destination.connect(properties);
    try {
      target.setAutoCommit(false);
      return new ChangesWriter(target, new SnapshotProgress(schema, slot, database), rowsSource);
    } catch (SQLException | RuntimeException e) {
      target.close();
      throw e;
    }
  }

  private final class ChangesWriter implements Writer {

    private final Connection target;
    private final SnapshotProgress progress;
    private final PreparedStatement insert;
    private final String rowsSource;

    ChangesWriter(Connection target, SnapshotProgress progress, String rowsSource) throws SQLException {
      this.target = target;
      this.progress = progress;
      this.rowsSource = rowsSource;
      this.insert = target.prepareStatement("INSERT INTO " + schema + ".changes (primary_key, before, after, database,"
          + " schema, \"table\", operation, committed_at, queued_at, transaction_id, position, commit_lsn, change_index,"
          + " source) VALUES (?, '{}', ?::jsonb, ?, ?, ?, 'SNAPSHOT', ?, now(), 0, ?, ?, ?, ?)");
    }

    @Override
    public Map<String, Progress> progress() throws SQLException {
      Map<String, Progress> result = progress.load(target);
      target.commit();
      return result;
    }

    @Override
    public void begin(TrackedTable table, Progress previous, long snapshotLsn, long rowsEstimated)
        throws SQLException {
      if (previous != null && !previous.done()) { // interrupted in an earlier snapshot: drop its partial rows
        try (PreparedStatement d = target.prepareStatement("DELETE FROM " + schema + ".changes"
            + " WHERE operation = 'SNAPSHOT' AND commit_lsn = ? AND schema = ? AND \"table\" = ? AND source = ?")) {
          d.setLong(1, previous.snapshotLsn() - 1);
          d.setString(2, table.schema());
          d.setString(3, table.table());
          d.setString(4, rowsSource);
          int deleted = d.executeUpdate();
          LOG.info("Snapshot {}: deleted {} row(s) of an interrupted copy; copying it again", table.qualified(),
              deleted);
        }
      }
      progress.start(target, table, snapshotLsn, rowsEstimated);
      target.commit();
    }

    @Override
    public void row(Change change) throws SQLException {
      insert.setString(1, change.primaryKey());
      insert.setString(2, change.after());
      insert.setString(3, change.transaction().database());
      insert.setString(4, change.schema());
      insert.setString(5, change.table());
      insert.setObject(6, OffsetDateTime.ofInstant(change.transaction().committedAt(), ZoneOffset.UTC));
      insert.setLong(7, change.position().value());
      insert.setLong(8, change.transaction().commitLsn().value());
      insert.setInt(9, change.index());
      insert.setString(10, rowsSource);
      insert.addBatch();
    }

    @Override
    public void stored(TrackedTable table, long rowsDone, boolean last) throws SQLException {
      insert.executeBatch();
      progress.update(target, table, rowsDone, last);
      target.commit();
    }

    @Override
    public void abort() throws SQLException {
      insert.clearBatch();
      target.rollback();
    }

    @Override
    public void close() throws SQLException {
      target.close();
    }
  }
}

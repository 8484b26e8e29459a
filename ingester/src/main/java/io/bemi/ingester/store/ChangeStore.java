package io.bemi.ingester.store;

import io.bemi.ingester.PostgresUrl;
import io.bemi.sql.Lsn;
import io.bemi.ingester.sink.Sink;
import io.bemi.ingester.stitch.StoreEvent;
import io.bemi.ingester.stitch.StoreEvent.Change;
import io.bemi.ingester.stitch.StoreEvent.Commit;
import io.bemi.ingester.stitch.StoreEvent.ContextBackfill;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Timestamp;
import java.time.Instant;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.util.PSQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes changes and the checkpoint to the destination. All writes go into one open destination
 * transaction that is committed only at a source transaction boundary, together with the
 * checkpoint of the last source transaction it contains; so a destination commit holds whole
 * source transactions and says how far it got. Rows are streamed with COPY, so a large source
 * transaction is never held in memory: its rows flow into the open destination transaction.
 *
 * <p>Replays are harmless: transactions at or before the stored checkpoint are skipped upstream
 * (see {@code Stitcher.Settings.alreadyStoredUpTo}), and UNIQUE(commit_lsn, change_index, source,
 * committed_at) would reject a duplicate rather than store it twice. Every row carries the source's
 * name, so several sources can share one destination.
 *
 * <p>{@code changes} is partitioned by month of {@code committed_at}: before a change would land
 * within a month of the last partition's end, the batch calls {@code ensure_partitions} (in the
 * batch's transaction: the new partitions commit or roll back with the rows that needed them), so an
 * insert never fails for want of a partition. That creates partitions about once a month. A change
 * committed beyond the partitions that function creates (a year ahead of the destination's clock)
 * is quarantined instead.
 *
 * <p>When its role may, the COPY goes straight into the partition of each change's month, where the
 * root's activity trigger does not fire, and the store counts the activity itself, in the batch
 * ({@link PartitionRoutes}, {@link ActivityCounts}); otherwise through the root.
 *
 * <p>Ids are time-ordered UUIDv7 ({@link ChangeIds}) rather than the column default
 * {@code gen_random_uuid()}: each row then appends to the primary key's B-tree instead of dirtying
 * a random leaf page, which made inserting into {@code changes} about 1.5–2× faster.
 *
 * <p>The ingester's default {@link Sink}. Not thread-safe: one store thread owns it.
 */
public final class ChangeStore implements Sink {

  private static final Logger LOG = LoggerFactory.getLogger(ChangeStore.class);

  private static final int COPY_CHUNK_BYTES = 256 * 1024;

  private final Connection connection;
  private final String schema;
  private final String table;
  private final String columns;
  private final String backfillSql;
  private final String checkpointSql;
  private final String readCheckpointSql;
  private final String slot;
  private final String sourceDatabase;
  private final String source;
  private final Partitions partitions;

  private final CopyChunks copyText = new CopyChunks(COPY_CHUNK_BYTES, this::writeToCopy);
  private final ChangeIds ids = new ChangeIds();
  private CopyIn copy;
  private String copyTarget; // the table the open COPY (and copyText) writes into
  private PartitionRoutes routes = PartitionRoutes.ROOT;
  private String routeLogged; // the last route logged: logged again only when it changes
  private final ActivityCounts activity;
  private boolean written; // the open destination transaction has writes
  private boolean inSourceTransaction; // changes seen whose Commit has not arrived
  private int uncommittedChanges;
  private int uncommittedQuarantined; // counted by onQuarantine when their batch commits, not before
  private Checkpoint pending; // the last source Commit in the open batch
  private Lsn lastCommitLsnWritten = Lsn.INVALID; // of the newest source transaction with a change in the batch
  private Lsn isolateUpTo = Lsn.INVALID; // source transactions up to here are stored change by change
  private Runnable onQuarantine = () -> { };
  private final String insertSql;
  private final String quarantineSql;
  private BatchFence fence = BatchFence.NONE;
  private String sourceSystemIdentifier; // stored with the checkpoint: a failover changes the timeline
  private Integer sourceTimeline;

  /**
   * @param connection a destination connection for this store only, as {@link PostgresUrl#connect()}
   *     opens it (its search_path pinned to {@code pg_catalog, pg_temp}); autocommit is turned off
   * @param source the source's name, stored in every row (see {@code --source-name})
   */
  public ChangeStore(Connection connection, String schema, String slot, String sourceDatabase, String source)
      throws SQLException {
    this.connection = connection;
    this.schema = schema;
    this.slot = slot;
    this.sourceDatabase = sourceDatabase;
    this.source = source;
    connection.setAutoCommit(false);
    this.table = schema + ".changes";
    this.columns = "(id, primary_key, before, after, context, database, schema, \"table\", operation,"
        + " committed_at, queued_at, transaction_id, position, commit_lsn, change_index, source,"
        + " previous_primary_key)";
    this.backfillSql = "UPDATE " + table + " SET context = ?::jsonb WHERE source = ? AND commit_lsn = ?"
        + " AND change_index < ? AND committed_at = ?";
    this.partitions = new Partitions(schema);
    this.activity = new ActivityCounts(schema);
    this.checkpointSql = "INSERT INTO " + schema + ".ingester_checkpoints"
        + " (slot, source_database, commit_lsn, end_lsn, committed_at, updated_at, system_identifier, timeline, source)"
        + " VALUES (?, ?, ?, ?, ?, now(), ?, ?, ?)"
        + " ON CONFLICT (slot, source_database) DO UPDATE SET commit_lsn = excluded.commit_lsn,"
        + " end_lsn = excluded.end_lsn, committed_at = excluded.committed_at, updated_at = excluded.updated_at,"
        + " system_identifier = excluded.system_identifier, timeline = excluded.timeline, source = excluded.source";
    this.insertSql = "INSERT INTO " + table + " " + columns
        + " VALUES (?::uuid, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    this.quarantineSql = "INSERT INTO " + schema + ".quarantine (source_database, commit_lsn, change_index, position,"
        + " transaction_id, committed_at, schema, \"table\", operation, primary_key, before, after, context, error,"
        + " sql_state, source, previous_primary_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        + " ON CONFLICT ON CONSTRAINT quarantine_change_key DO NOTHING";
    this.readCheckpointSql = "SELECT commit_lsn, end_lsn, committed_at FROM " + schema + ".ingester_checkpoints"
        + " WHERE slot = ? AND source_database = ?";
  }

  /**
   * Marks this session's transactions with a replication origin (created when missing), so a slot
   * started with {@code origin=none} (PostgreSQL 16+) does not send them back when the destination
   * is the source database.
   */
  public void useReplicationOrigin(String origin) throws SQLException {
    try (PreparedStatement create = connection.prepareStatement("SELECT pg_replication_origin_create(?)"
        + " WHERE NOT EXISTS (SELECT 1 FROM pg_replication_origin WHERE roname = ?)");
         PreparedStatement setup = connection.prepareStatement("SELECT pg_replication_origin_session_setup(?)")) {
      create.setString(1, origin);
      create.setString(2, origin);
      create.execute();
      connection.commit();
      setup.setString(1, origin);
      setup.execute();
      connection.commit();
    } catch (SQLException e) {
      connection.rollback();
      throw e;
    }
  }

  /**
   * Stores the changes of source transactions up to {@code commitLsn} one at a time, each in a
   * savepoint; a change the destination refuses goes to the quarantine table instead (counted by
   * {@code onQuarantine} once its batch commits) and the batch goes on. Used after a {@link DataRejectedException} for
   * the batch that was refused; later transactions are copied in bulk again.
   */
  public void isolateUpTo(Lsn commitLsn, Runnable onQuarantine) {
    this.isolateUpTo = commitLsn;
    this.onQuarantine = onQuarantine;
  }

  /** Checked in every batch's transaction before it commits (the leader lease's fencing token). */
  public void fenceWith(BatchFence batchFence) {
    this.fence = batchFence;
  }

  /** The source server the checkpoints are read from (IDENTIFY_SYSTEM), stored with each checkpoint. */
  public void sourceServer(String systemIdentifier, int timeline) {
    this.sourceSystemIdentifier = systemIdentifier;
    this.sourceTimeline = timeline;
  }

  /** The destination backend's process id of this store's connection. */
  public int backendPid() throws SQLException {
    return connection.unwrap(PGConnection.class).getBackendPID();
  }

  /** The stored checkpoint, or null before the first stored transaction. */
  public Checkpoint storedCheckpoint() throws SQLException {
    try (PreparedStatement s = connection.prepareStatement(readCheckpointSql)) {
      s.setString(1, slot);
      s.setString(2, sourceDatabase);
      try (ResultSet rs = s.executeQuery()) {
        Checkpoint checkpoint = rs.next()
            ? new Checkpoint(Lsn.of(rs.getLong(1)), Lsn.of(rs.getLong(2)), rs.getTimestamp(3).toInstant())
            : null;
        connection.commit();
        return checkpoint;
      }
    }
  }

  /** @throws DataRejectedException when the destination refuses the data (the batch is then rolled back) */
  public void accept(StoreEvent event) throws SQLException {
    if (event instanceof Change change) {
      lastCommitLsnWritten = change.transaction().commitLsn();
      Instant committedAt = change.transaction().committedAt();
      ensurePartitionFor(committedAt);
      if (!partitions.has(committedAt)) {
        quarantineBeyondPartitions(change);
      } else if (!isolateUpTo.equals(Lsn.INVALID) && change.transaction().commitLsn().compareTo(isolateUpTo) <= 0) {
        writeIsolated(change);
      } else {
        rejectingData(() -> write(change));
      }
    } else if (event instanceof ContextBackfill backfill) {
      rejectingData(() -> backfill(backfill));
    } else {
      Commit commit = (Commit) event;
      inSourceTransaction = false;
      pending = new Checkpoint(commit.transaction().commitLsn(), commit.endLsn(), commit.transaction().committedAt());
    }
  }

  /** Whether a commit now would end on a source transaction boundary with something to confirm. */
  public boolean canCommit() {
    return !inSourceTransaction && pending != null;
  }

  /** Whether the open batch copies into the partitions of changes rather than through the root ({@link PartitionRoutes}). */
  boolean copiesIntoPartitions() {
    return routes.rootReason() == null;
  }

  /** Changes written in the open destination transaction. */
  public int uncommittedChanges() {
    return uncommittedChanges;
  }

  /**
   * Commits the open batch with its checkpoint and returns the checkpoint, whose end LSN may now
   * be confirmed to the slot. A batch of only empty transactions writes nothing.
   */
  public Checkpoint commit() throws SQLException {
    if (!canCommit()) {
      throw new IllegalStateException("Not at a source transaction boundary");
    }
    Checkpoint checkpoint = pending;
    if (written) {
      rejectingData(this::endCopy);
      if (copiesIntoPartitions()) {
        PartitionRoutes.checkRootInsert(connection, schema);
      }
      activity.store(connection, source);
      fence.check(connection);
      try (PreparedStatement s = connection.prepareStatement(checkpointSql)) {
        s.setString(1, slot);
        s.setString(2, sourceDatabase);
        s.setLong(3, checkpoint.commitLsn().value());
        s.setLong(4, checkpoint.endLsn().value());
        s.setTimestamp(5, Timestamp.from(checkpoint.committedAt()));
        s.setString(6, sourceSystemIdentifier);
        s.setObject(7, sourceTimeline, java.sql.Types.INTEGER);
        s.setString(8, source);
        s.executeUpdate();
      }
      connection.commit();
    }
    for (; uncommittedQuarantined > 0; uncommittedQuarantined--) {
      onQuarantine.run();
    }
    written = false;
    uncommittedChanges = 0;
    pending = null;
    return checkpoint;
  }

  /** Drops everything not committed (e.g. a partly received source transaction at shutdown). */
  public void rollback() throws SQLException {
    copyText.discard();
    if (copy != null) {
      CopyIn open = copy;
      copy = null;
      if (open.isActive()) {
        open.cancelCopy();
      }
    }
    connection.rollback();
    partitions.forget();
    routes = PartitionRoutes.ROOT;
    activity.clear();
    written = false;
    inSourceTransaction = false;
    uncommittedChanges = 0;
    uncommittedQuarantined = 0;
    pending = null;
  }

  private interface SqlAction {
    void run() throws SQLException;
  }

  /** Runs a write; a data error rolls the batch back and becomes a {@link DataRejectedException}. */
  private void rejectingData(SqlAction action) throws SQLException {
    try {
      action.run();
    } catch (SQLException e) {
      if (!DataRejectedException.isDataError(e)) {
        throw e;
      }
      Lsn upTo = lastCommitLsnWritten;
      rollback();
      throw new DataRejectedException(e, upTo);
    }
  }

  /** One change in its own savepoint; refused, it goes to the quarantine table with the error. */
  private void writeIsolated(Change change) throws SQLException {
    endCopy();
    inSourceTransaction = true;
    written = true;
    uncommittedChanges++;
    Savepoint savepoint = connection.setSavepoint();
    try (PreparedStatement s = connection.prepareStatement(insertSql)) {
      s.setString(1, ids.next(System.currentTimeMillis()).toString());
      s.setString(2, change.primaryKey());
      s.setString(3, change.before());
      s.setString(4, change.after());
      s.setString(5, change.context());
      s.setString(6, change.transaction().database());
      s.setString(7, change.schema());
      s.setString(8, change.table());
      s.setString(9, change.operation().name());
      s.setTimestamp(10, Timestamp.from(change.transaction().committedAt()));
      s.setTimestamp(11, Timestamp.from(change.transaction().queuedAt()));
      s.setLong(12, change.transaction().xid());
      s.setLong(13, change.position().value());
      s.setLong(14, change.transaction().commitLsn().value());
      s.setInt(15, change.index());
      s.setString(16, source);
      s.setString(17, change.previousPrimaryKey());
      s.executeUpdate();
      connection.releaseSavepoint(savepoint);
    } catch (SQLException e) {
      if (!DataRejectedException.isDataError(e)) {
        throw e;
      }
      connection.rollback(savepoint);
      quarantine(change, e instanceof PSQLException server && server.getServerErrorMessage() != null
          ? server.getServerErrorMessage().getMessage() : e.getMessage(), e.getSQLState());
      LOG.warn("Quarantined the change {} of transaction {} (commit LSN {}, position {}) to {}.{}: the destination "
          + "refused it (SQLSTATE {}); the stream goes on", change.index(), change.transaction().xid(),
          change.transaction().commitLsn(), change.position(), change.schema(), change.table(), e.getSQLState());
    }
  }

  /**
   * A change committed after the last partition {@code ensure_partitions} creates (a source clock
   * far ahead) goes to the quarantine, in the batch, instead of an insert the destination would
   * refuse for want of a partition (SQLSTATE 23514). The COPY was ended by {@link #ensurePartitionFor}.
   */
  private void quarantineBeyondPartitions(Change change) throws SQLException {
    inSourceTransaction = true;
    written = true;
    uncommittedChanges++;
    Instant committedAt = change.transaction().committedAt();
    quarantine(change, "committed at " + committedAt + ", " + Partitions.BEYOND + " (" + partitions.until() + ")", "23514");
    LOG.warn("Quarantined the change {} of transaction {} (commit LSN {}, position {}) to {}.{}: committed at {}, {} ({});"
        + " check the source's clock. The stream goes on", change.index(), change.transaction().xid(),
        change.transaction().commitLsn(), change.position(), change.schema(), change.table(), committedAt,
        Partitions.BEYOND, partitions.until());
  }

  private void quarantine(Change change, String error, String sqlState) throws SQLException {
    try (PreparedStatement s = connection.prepareStatement(quarantineSql)) {
      s.setString(1, change.transaction().database());
      s.setLong(2, change.transaction().commitLsn().value());
      s.setInt(3, change.index());
      s.setLong(4, change.position().value());
      s.setLong(5, change.transaction().xid());
      s.setTimestamp(6, Timestamp.from(change.transaction().committedAt()));
      s.setString(7, change.schema());
      s.setString(8, change.table());
      s.setString(9, change.operation().name());
      s.setString(10, change.primaryKey());
      s.setString(11, change.before());
      s.setString(12, change.after());
      s.setString(13, change.context());
      s.setString(14, error);
      s.setString(15, sqlState);
      s.setString(16, source);
      s.setString(17, change.previousPrimaryKey());
      s.executeUpdate();
    }
    uncommittedChanges--;
    uncommittedQuarantined++;
  }

  private void write(Change change) throws SQLException {
    inSourceTransaction = true;
    written = true;
    uncommittedChanges++;
    Instant committedAt = change.transaction().committedAt();
    String target = routes.tableFor(committedAt);
    if (target == null) {
      target = table;
    } else if (routes.counts()) {
      activity.add(committedAt, change.schema(), change.table(), change.operation().name());
    }
    if (!target.equals(copyTarget)) {
      endCopy();
      copyTarget = target;
    }
    copyText.ascii(ids.next(System.currentTimeMillis()).toString()).tab()
        .text(change.primaryKey()).tab()
        .text(change.before()).tab()
        .text(change.after()).tab()
        .text(change.context()).tab()
        .text(change.transaction().database()).tab()
        .text(change.schema()).tab()
        .text(change.table()).tab()
        .ascii(change.operation().name()).tab()
        .ascii(committedAt.toString()).tab()
        .ascii(change.transaction().queuedAt().toString()).tab()
        .number(change.transaction().xid()).tab()
        .number(change.position().value()).tab()
        .number(change.transaction().commitLsn().value()).tab()
        .number(change.index()).tab()
        .text(source).tab()
        .text(change.previousPrimaryKey()).newline();
  }

  private void backfill(ContextBackfill backfill) throws SQLException {
    endCopy();
    try (PreparedStatement s = connection.prepareStatement(backfillSql)) {
      s.setString(1, backfill.context());
      s.setString(2, source);
      s.setLong(3, backfill.transaction().commitLsn().value());
      s.setInt(4, backfill.beforeIndex());
      s.setTimestamp(5, Timestamp.from(backfill.transaction().committedAt()));
      s.executeUpdate();
    }
  }

  /** Extends the partitions, in the open batch, when a change comes within the margin of their end. */
  private void ensurePartitionFor(Instant committedAt) throws SQLException {
    if (!partitions.cover(committedAt)) {
      rejectingData(() -> { // ending the COPY may refuse its rows
        endCopy();
        partitions.extend(connection, committedAt);
        routes = PartitionRoutes.load(connection, schema);
        String route = copiesIntoPartitions() ? "into the partitions of " + table + " (activity counted by the ingester)"
            : "into " + table + " through its root (activity counted by its trigger): " + routes.rootReason();
        if (!route.equals(routeLogged)) {
          routeLogged = route;
          LOG.info("Copying changes {}", route);
        }
      });
    }
  }

  /** Hands a chunk of COPY text to the destination, opening the COPY into {@link #copyTarget} first if needed. */
  private void writeToCopy(byte[] bytes, int length) throws SQLException {
    if (copy == null) {
      copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + copyTarget + " " + columns + " FROM STDIN");
    }
    copy.writeToCopy(bytes, 0, length);
  }

  private void endCopy() throws SQLException {
    copyText.flush();
    if (copy != null) {
      CopyIn open = copy;
      copy = null;
      open.endCopy();
    }
  }

  @Override
  public void close() throws SQLException {
    try {
      rollback();
    } finally {
      connection.close();
    }
  }
}

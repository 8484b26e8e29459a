package io.bemi.ingester.snapshot;

import io.bemi.history.Operation;
import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.rules.ColumnRules;
import io.bemi.ingester.setup.SourceSetup;
import io.bemi.ingester.setup.SourceSetup.TrackedTable;
import io.bemi.sql.SqlNames;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the current rows of the tracked tables as baseline changes (operation SNAPSHOT,
 * {@code before} = {}, {@code after} = the source's own {@code to_jsonb(t.*)} with TimeZone=UTC),
 * consistent with where the slot starts streaming.
 *
 * <p>Position of the baseline rows: {@code commit_lsn} = the exported snapshot's consistent point
 * minus 1 and {@code change_index} counting 0, 1, 2… across the tables copied in that snapshot.
 * Every transaction the slot streams commits at or after the consistent point (the slot skips
 * commit records that start before it), and no WAL record starts at consistent point − 1 (records
 * are longer than one byte and 8-byte aligned), so baseline rows sort before every streamed change
 * and never collide with one in UNIQUE(commit_lsn, change_index). {@code committed_at} is the
 * source's clock just before the slot was created.
 *
 * <p>Resuming: per-table progress is kept in {@code snapshot_progress} (migration V3), updated in
 * the destination transaction of each batch. A run skips tables already 'done'. An exported
 * snapshot dies with its replication connection, so unfinished tables cannot be finished in the
 * old snapshot: when the ingester's slot already exists, they are copied again (after deleting
 * their partial rows) in the snapshot of a TEMPORARY slot created for this run. Their baseline
 * then describes a later point than the slot's start; changes streamed between the two points are
 * stored as ordinary changes that sort before the baseline, which restates their result. Nothing
 * is missed; nothing is stored twice as a different history.
 */
public final class BaselineSnapshot {

  /** Told after each stored batch; may throw to stop the copy (the next run resumes). */
  public interface Listener {
    void batchStored(TrackedTable table, long rowsDone, long rowsEstimated);
  }

  /** Logs rows done / estimated per table and an ETA at most every {@code interval}. */
  public static Listener loggingEvery(Duration interval) {
    return new Listener() {
      private long lastLog = System.nanoTime();
      private long tableStart = System.nanoTime();
      private TrackedTable current;

      @Override
      public void batchStored(TrackedTable table, long rowsDone, long rowsEstimated) {
        long now = System.nanoTime();
        if (!table.equals(current)) {
          current = table;
          tableStart = now;
        }
        if (now - lastLog < interval.toNanos()) {
          return;
        }
        lastLog = now;
        double seconds = (now - tableStart) / 1e9;
        double rate = seconds > 0 ? rowsDone / seconds : 0;
        String eta = rate > 0 && rowsEstimated > rowsDone
            ? Math.round((rowsEstimated - rowsDone) / rate) + " s" : "unknown";
        LOG.info("Snapshot {}.{}: {} / ~{} rows ({} rows/s), ETA {}", table.schema(), table.table(), rowsDone,
            rowsEstimated, Math.round(rate), eta);
      }
    };
  }

  private static final Logger LOG = LoggerFactory.getLogger(BaselineSnapshot.class);
  private static final int FETCH_SIZE = 2_000;

  private final PostgresUrl source;
  private final PostgresUrl destination;
  private final String schema;
  private final String slot;
  private final int batchSize;
  private final Listener listener;
  private final ColumnRules rules;

  public BaselineSnapshot(PostgresUrl source, PostgresUrl destination, String destinationSchema, String slot,
      int batchSize, Listener listener) {
    this(source, destination, destinationSchema, slot, batchSize, listener, ColumnRules.NONE);
  }

  /** @param rules redacted columns are stored as the marker, as the stream stores them */
  public BaselineSnapshot(PostgresUrl source, PostgresUrl destination, String destinationSchema, String slot,
      int batchSize, Listener listener, ColumnRules rules) {
    this.rules = rules;
    this.source = source;
    this.destination = destination;
    this.schema = destinationSchema;
    this.slot = slot;
    this.batchSize = batchSize;
    this.listener = listener;
  }

  /** What a run did. */
  public record Result(int tablesCopied, int tablesSkipped, long rows, boolean slotCreated) {}

  /**
   * Copies every table not yet done, creating the ingester's slot if it does not exist (with the
   * snapshot the copy uses). The destination must be migrated.
   */
  public Result run(List<TrackedTable> tracked) throws SQLException {
    // Partitions are read through their published root.
    List<TrackedTable> tables = tracked.stream().filter(t -> !t.partition()).toList();
    try (Connection target = connectForBatches(destination); Connection reader = source.connectWithCatalogSearchPath()) {
      String database = SqlNames.currentDatabase(reader);
      Map<String, Progress> progress = loadProgress(target, database);
      boolean slotExists = slotExists(reader);
      // Without the slot (first run, or after teardown) every table needs a baseline at the new
      // slot's start, even one copied for an earlier slot.
      List<TrackedTable> pending = new ArrayList<>();
      for (TrackedTable table : tables) {
        Progress p = progress.get(key(table));
        if (!slotExists || p == null || !p.done()) {
          pending.add(table);
        }
      }
      if (pending.isEmpty()) {
        LOG.info("Baseline snapshot: all {} table(s) already copied", tables.size());
        return new Result(0, tables.size(), 0, false);
      }
      OffsetDateTime snapshotTime = sourceClock(reader);
      String slotName = slotExists ? temporarySlotName() : slot;
      try (ExportedSnapshot snapshot = ExportedSnapshot.createSlot(source, slotName, slotExists)) {
        LOG.info("Baseline snapshot of {} table(s) at {} ({} slot {})", pending.size(), snapshot.consistentPoint(),
            slotExists ? "temporary" : "new", slotName);
        long commitLsn = snapshot.consistentPoint().value() - 1;
        reader.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        reader.setReadOnly(true);
        reader.setAutoCommit(false); // the next statement begins the transaction: it must import the snapshot first
        try (Statement s = reader.createStatement()) {
          s.execute("SET TRANSACTION SNAPSHOT " + SqlNames.literal(snapshot.snapshotName()));
          s.execute("SET LOCAL TimeZone = 'UTC'");
        }
        long rows = 0;
        for (TrackedTable table : pending) {
          Progress previous = progress.get(key(table));
          rows += copy(reader, target, database, table, previous, commitLsn, snapshotTime);
        }
        reader.commit();
        return new Result(pending.size(), tables.size() - pending.size(), rows, !slotExists);
      }
    }
  }

  private long copy(Connection reader, Connection target, String database, TrackedTable table, Progress previous,
      long commitLsn, OffsetDateTime snapshotTime) throws SQLException {
    target.setAutoCommit(false);
    if (previous != null && !previous.done()) { // interrupted in an earlier snapshot: drop its partial rows
      try (PreparedStatement d = target.prepareStatement("DELETE FROM " + changes()
          + " WHERE operation = '" + Operation.SNAPSHOT + "' AND commit_lsn = ? AND schema = ? AND \"table\" = ?")) {
        d.setLong(1, previous.snapshotLsn() - 1);
        d.setString(2, table.schema());
        d.setString(3, table.table());
        int deleted = d.executeUpdate();
        LOG.info("Snapshot {}: deleted {} row(s) of an interrupted copy; copying it again", table.qualified(), deleted);
      }
    }
    long estimated = estimatedRows(reader, table);
    try (PreparedStatement p = target.prepareStatement("INSERT INTO " + progressTable()
        + " (slot, source_database, schema, \"table\", snapshot_lsn, status, rows_done, rows_estimated)"
        + " VALUES (?, ?, ?, ?, ?, 'running', 0, ?)"
        + " ON CONFLICT (slot, source_database, schema, \"table\") DO UPDATE SET snapshot_lsn = EXCLUDED.snapshot_lsn,"
        + " status = 'running', rows_done = 0, rows_estimated = EXCLUDED.rows_estimated, started_at = now(),"
        + " finished_at = NULL")) {
      p.setString(1, slot);
      p.setString(2, database);
      p.setString(3, table.schema());
      p.setString(4, table.table());
      p.setLong(5, commitLsn + 1);
      p.setLong(6, estimated);
      p.executeUpdate();
    }
    target.commit();
    int nextIndex = nextChangeIndex(target, commitLsn);
    String select = "SELECT " + primaryKeyExpression(reader, table) + ", (" + rowExpression(reader, table)
        + ")::text FROM " + table.qualified() + " t";
    String insert = "INSERT INTO " + changes() + " (primary_key, before, after, database, schema, \"table\", operation,"
        + " committed_at, queued_at, transaction_id, position, commit_lsn, change_index)"
        + " VALUES (?, '{}', ?::jsonb, ?, ?, ?, '" + Operation.SNAPSHOT + "', ?, now(), 0, ?, ?, ?)";
    long done = 0;
    int inBatch = 0;
    try (Statement s = reader.createStatement(); PreparedStatement in = target.prepareStatement(insert)) {
      s.setFetchSize(FETCH_SIZE);
      try (ResultSet rs = s.executeQuery(select)) {
        while (rs.next()) {
          if (nextIndex == Integer.MAX_VALUE) {
            throw new IllegalStateException("Baseline snapshot of more than " + Integer.MAX_VALUE
                + " rows in one run: change_index is an int. Snapshot fewer tables per run (setup --tables …)");
          }
          in.setString(1, rs.getString(1));
          in.setString(2, rs.getString(2));
          in.setString(3, database);
          in.setString(4, table.schema());
          in.setString(5, table.table());
          in.setObject(6, snapshotTime);
          in.setLong(7, commitLsn);
          in.setLong(8, commitLsn);
          in.setInt(9, nextIndex++);
          in.addBatch();
          done++;
          if (++inBatch == batchSize) {
            storeBatch(in, target, database, table, done, false);
            inBatch = 0;
            listener.batchStored(table, done, estimated);
          }
        }
      }
      storeBatch(in, target, database, table, done, true);
      listener.batchStored(table, done, estimated);
    } catch (SQLException | RuntimeException e) {
      target.rollback();
      throw e;
    }
    LOG.info("Snapshot {}: {} row(s) stored", table.qualified(), done);
    return done;
  }

  private void storeBatch(PreparedStatement insert, Connection target, String database, TrackedTable table, long done,
      boolean last) throws SQLException {
    insert.executeBatch();
    try (PreparedStatement p = target.prepareStatement("UPDATE " + progressTable() + " SET rows_done = ?"
        + (last ? ", status = 'done', finished_at = now()" : "")
        + " WHERE slot = ? AND source_database = ? AND schema = ? AND \"table\" = ?")) {
      p.setLong(1, done);
      p.setString(2, slot);
      p.setString(3, database);
      p.setString(4, table.schema());
      p.setString(5, table.table());
      p.executeUpdate();
    }
    target.commit();
  }

  /**
   * The primary_key text as the stitcher renders it: a single key column as its text; a composite
   * key as a JSON array of the columns' to_jsonb values, without spaces; no key: NULL.
   */
  private static String primaryKeyExpression(Connection reader, TrackedTable table) throws SQLException {
    List<String> columns = new ArrayList<>();
    try (PreparedStatement s = reader.prepareStatement("""
        SELECT a.attname
          FROM pg_index i
          CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
          JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
         WHERE i.indrelid = ?::regclass AND i.indisprimary
         ORDER BY k.ord""")) {
      s.setString(1, table.qualified());
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          columns.add("t." + SqlNames.identifier(rs.getString(1)));
        }
      }
    }
    if (columns.isEmpty()) {
      return "NULL::text";
    }
    if (columns.size() == 1) {
      return columns.get(0) + "::text";
    }
    List<String> parts = columns.stream().map(c -> "coalesce(pg_catalog.to_jsonb(" + c + ")::text, 'null')").toList();
    return "'[' || concat_ws(',', " + String.join(", ", parts) + ") || ']'";
  }

  /**
   * {@code to_jsonb(t.*)} as the stream would store the row: without generated columns (pgoutput
   * does not send them) and with redacted columns replaced by the marker.
   */
  private String rowExpression(Connection reader, TrackedTable table) throws SQLException {
    StringBuilder row = new StringBuilder("pg_catalog.to_jsonb(t.*)");
    List<String> redacted = new ArrayList<>();
    try (PreparedStatement s = reader.prepareStatement("SELECT attname, attgenerated <> '' FROM pg_attribute"
        + " WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
      s.setString(1, table.qualified());
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          String column = rs.getString(1);
          if (rs.getBoolean(2)) {
            row.append(" OPERATOR(pg_catalog.-) ").append(SqlNames.literal(column));
          } else if (rules.redacts(table.schema(), table.table(), column)) {
            redacted.add(SqlNames.literal(column) + ", " + SqlNames.literal(ColumnRules.REDACTED));
          }
        }
      }
    }
    if (!redacted.isEmpty()) {
      row.append(" OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object(").append(String.join(", ", redacted)).append(')');
    }
    return row.toString();
  }

  /** pgjdbc sends a batch of INSERTs as multi-row INSERTs with reWriteBatchedInserts (several times faster). */
  private static Connection connectForBatches(PostgresUrl url) throws SQLException {
    Properties properties = url.properties();
    properties.setProperty("reWriteBatchedInserts", "true");
    return DriverManager.getConnection(url.jdbcUrl(), properties);
  }

  private static long estimatedRows(Connection reader, TrackedTable table) throws SQLException {
    // reltuples of a partitioned table is -1 (or 0): sum its leaf partitions instead.
    try (PreparedStatement s = reader.prepareStatement("""
        SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)::bigint
          FROM pg_partition_tree(?::regclass) p JOIN pg_class c ON c.oid = p.relid
         WHERE p.isleaf""")) {
      s.setString(1, table.qualified());
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private int nextChangeIndex(Connection target, long commitLsn) throws SQLException {
    try (PreparedStatement s = target.prepareStatement("SELECT coalesce(max(change_index) + 1, 0) FROM " + changes()
        + " WHERE commit_lsn = ?")) {
      s.setLong(1, commitLsn);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        int next = rs.getInt(1);
        target.commit();
        return next;
      }
    }
  }

  private record Progress(long snapshotLsn, boolean done) {}

  private Map<String, Progress> loadProgress(Connection target, String database) throws SQLException {
    Map<String, Progress> result = new HashMap<>();
    try (PreparedStatement s = target.prepareStatement("SELECT schema, \"table\", snapshot_lsn, status FROM "
        + progressTable() + " WHERE slot = ? AND source_database = ?")) {
      s.setString(1, slot);
      s.setString(2, database);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          result.put(rs.getString(1) + "." + rs.getString(2),
              new Progress(rs.getLong(3), "done".equals(rs.getString(4))));
        }
      }
    }
    return result;
  }

  private boolean slotExists(Connection reader) throws SQLException {
    try (PreparedStatement s = reader.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ? AND database = current_database()")) {
      s.setString(1, slot);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next();
      }
    }
  }

  private String temporarySlotName() {
    String suffix = "_snapshot_" + ProcessHandle.current().pid();
    return slot.substring(0, Math.min(slot.length(), 63 - suffix.length())) + suffix;
  }

  private static OffsetDateTime sourceClock(Connection reader) throws SQLException {
    try (Statement s = reader.createStatement(); ResultSet rs = s.executeQuery("SELECT clock_timestamp()")) {
      rs.next();
      return rs.getObject(1, OffsetDateTime.class);
    }
  }

  private static String key(TrackedTable table) {
    return table.schema() + "." + table.table();
  }

  private String changes() {
    return schema + ".changes";
  }

  private String progressTable() {
    return schema + ".snapshot_progress";
  }
}

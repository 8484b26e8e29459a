package io.bemi.ingester.snapshot;

import io.bemi.ingester.IngesterConfig;
import io.bemi.history.Operation;
import io.bemi.ingester.catalog.SourceCatalog;
import io.bemi.ingester.replication.SlotStream;
import io.bemi.ingester.values.JsonValues;
import io.bemi.ingester.values.RowLimit;
import io.bemi.ingester.values.PgType;
import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.rules.ColumnRules;
import io.bemi.ingester.rules.TablePattern;
import io.bemi.ingester.setup.SourceSetup.TrackedTable;
import io.bemi.ingester.setup.SourceSetup;
import io.bemi.ingester.snapshot.BaselineTarget.Progress;
import io.bemi.ingester.stitch.StoreEvent.Change;
import io.bemi.ingester.stitch.Transaction;
import io.bemi.sql.Lsn;
import io.bemi.sql.SqlNames;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the current rows of the tracked tables as baseline changes (operation SNAPSHOT,
 * {@code before} = {}, {@code after} = the row rendered from its columns' text forms by the stream's
 * own value mapping, so a row's baseline and its streamed changes agree in every value and key),
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
 * <p>The rows go to a {@link BaselineTarget}: {@code bemi.changes} ({@link ChangesBaseline}) or a
 * sink, which publishes them as Debezium read events ({@code op: "r"}) at the same position.
 *
 * <p>Resuming: the target keeps per-table progress ({@code snapshot_progress}, migration V3,
 * updated in the destination transaction of each batch; the Kafka sink's checkpoint topic). A run
 * skips tables already 'done'. An exported
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
  private final String slot;
  private final BaselineTarget target;
  private final int batchSize;
  private final Listener listener;
  private final ColumnRules rules;
  private final long maxRowBytes;

  /** A baseline into {@code bemi.changes} of the destination. */
  public BaselineSnapshot(PostgresUrl source, PostgresUrl destination, String destinationSchema, String slot,
      int batchSize, Listener listener) {
    this(source, slot, new ChangesBaseline(destination, destinationSchema, slot, source, null), batchSize, listener,
        ColumnRules.NONE);
  }

  /**
   * @param target where the rows go ({@link ChangesBaseline}, or a sink's read events)
   * @param rules redacted columns are stored as the marker, as the stream stores them
   */
  public BaselineSnapshot(PostgresUrl source, String slot, BaselineTarget target, int batchSize, Listener listener,
      ColumnRules rules) {
    this(source, slot, target, batchSize, listener, rules, IngesterConfig.defaultMaxRowBytes());
  }

  /** @param maxRowBytes {@code --max-row-bytes}, applied to each row as the stream applies it (0: no limit) */
  public BaselineSnapshot(PostgresUrl source, String slot, BaselineTarget target, int batchSize, Listener listener,
      ColumnRules rules, long maxRowBytes) {
    this.maxRowBytes = maxRowBytes;
    this.source = source;
    this.slot = slot;
    this.target = target;
    this.batchSize = batchSize;
    this.listener = listener;
    this.rules = rules;
  }

  /** What a run did. */
  public record Result(int tablesCopied, int tablesSkipped, long rows, boolean slotCreated) {}

  /**
   * Copies every table not yet done, creating the ingester's slot if it does not exist (with the
   * snapshot the copy uses). A database target must be migrated.
   */
  public Result run(List<TrackedTable> tracked) throws SQLException {
    // Partitions are read through their published root.
    List<TrackedTable> tables = tracked.stream().filter(t -> !t.partition()).toList();
    try (Connection reader = source.connect();
        BaselineTarget.Writer writer = target.open(SqlNames.currentDatabase(reader))) {
      Map<String, Progress> progress = writer.progress();
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
      Instant snapshotTime = sourceClock(reader);
      String slotName = slotExists ? temporarySlotName() : slot;
      try (ExportedSnapshot snapshot = ExportedSnapshot.createSlot(source, slotName, slotExists)) {
        LOG.info("Baseline snapshot of {} table(s) at {} ({} slot {})", pending.size(), snapshot.consistentPoint(),
            slotExists ? "temporary" : "new", slotName);
        Transaction baseline = new Transaction(SqlNames.currentDatabase(reader), 0, Lsn.of(snapshot.consistentPoint().value() - 1),
            snapshotTime, Instant.now());
        reader.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        reader.setReadOnly(true);
        reader.setAutoCommit(false); // the next statement begins the transaction: it must import the snapshot first
        try (Statement s = reader.createStatement()) {
          s.execute("SET TRANSACTION SNAPSHOT " + SqlNames.literal(snapshot.snapshotName()));
          for (String setting : SlotStream.OUTPUT_SETTINGS) { // values in the text forms the stream gets
            s.execute(setting.replaceFirst("^SET ", "SET LOCAL "));
          }
        }
        long rows = 0;
        for (TrackedTable table : pending) {
          rows += copy(reader, writer, table, progress.get(key(table)), baseline, (int) rows);
        }
        reader.commit();
        return new Result(pending.size(), tables.size() - pending.size(), rows, !slotExists);
      }
    }
  }

  /** Copies one table; its rows' change_index counts on from {@code firstIndex} across the run's tables. */
  private long copy(Connection reader, BaselineTarget.Writer writer, TrackedTable table, Progress previous,
      Transaction baseline, int firstIndex) throws SQLException {
    long estimated = estimatedRows(reader, table);
    writer.begin(table, previous, baseline.commitLsn().value() + 1, estimated);
    Columns columns = columns(reader, table);
    int nextIndex = firstIndex;
    long done = 0;
    int inBatch = 0;
    long batchText = 0;
    long budget = IngesterConfig.bufferBytes();
    try (Statement s = reader.createStatement()) {
      // Rows are fetched a few at a time at first, then as many as an eighth of the heap holds at
      // the width of the widest row of the previous fetch (at most FETCH_SIZE): wide rows never
      // arrive thousands at once.
      s.setFetchSize(1);
      try (ResultSet rs = s.executeQuery(columns.select())) {
        int fetched = 0;
        int fetchSize = 1;
        long widest = 0;
        while (rs.next()) {
          if (nextIndex == Integer.MAX_VALUE) {
            throw new IllegalStateException("Baseline snapshot of more than " + Integer.MAX_VALUE
                + " rows in one run: change_index is an int. Snapshot fewer tables per run (setup --snapshot-tables …)");
          }
          Change row = new Change(baseline, nextIndex++, baseline.commitLsn(), table.schema(), table.table(),
              Operation.SNAPSHOT, columns.primaryKey(rs), null, "{}", columns.row(rs, maxRowBytes), "{}");
          writer.row(row);
          done++;
          widest = Math.max(widest, row.textLength());
          if (++fetched == fetchSize) {
            fetchSize = (int) Math.max(1, Math.min(FETCH_SIZE, budget / widest));
            rs.setFetchSize(fetchSize);
            fetched = 0;
            widest = 0;
          }
          batchText += row.textLength();
          if (++inBatch == batchSize || batchText > budget) {
            writer.stored(table, done, false);
            inBatch = 0;
            batchText = 0;
            listener.batchStored(table, done, estimated);
          }
        }
      }
      writer.stored(table, done, true);
      listener.batchStored(table, done, estimated);
    } catch (SQLException | RuntimeException e) {
      writer.abort();
      throw e;
    }
    LOG.info("Snapshot {}: {} row(s) stored", table.qualified(), done);
    return done;
  }

  /**
   * The table's columns as the stream sees them: without generated columns (pgoutput does not send
   * them), each with its type, redacted ones marked, and the primary key's in key order.
   */
  private Columns columns(Connection reader, TrackedTable table) throws SQLException {
    SourceCatalog catalog = new SourceCatalog(reader);
    List<String> names = new ArrayList<>();
    List<PgType> types = new ArrayList<>();
    List<Boolean> redacted = new ArrayList<>();
    long relationOid;
    try (PreparedStatement s = reader.prepareStatement("SELECT ?::regclass::oid::bigint")) {
      s.setString(1, table.qualified());
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        relationOid = rs.getLong(1);
      }
    }
    try (PreparedStatement s = reader.prepareStatement("SELECT attname, atttypid::bigint FROM pg_attribute"
        + " WHERE attrelid = ?::bigint::oid AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum")) {
      s.setLong(1, relationOid);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          names.add(rs.getString(1));
          types.add(catalog.type((int) rs.getLong(2)));
          redacted.add(rules.redacts(table.schema(), table.table(), rs.getString(1)));
        }
      }
    }
    int[] key = catalog.primaryKey((int) relationOid).stream().mapToInt(names::indexOf).toArray();
    if (Arrays.stream(key).anyMatch(k -> k < 0)) {
      key = new int[0]; // a key column the stream does not send either (generated): no key, as it stores it
    }
    return new Columns(table, names, types.toArray(PgType[]::new), redacted, key);
  }

  /**
   * Renders a snapshot row as the stitcher renders a streamed one, from the same text forms (the
   * output functions in {@link SlotStream#OUTPUT_SETTINGS}) with the same {@link JsonValues}: the
   * same {@code after} and the same {@code primary_key} text for every type, including the
   * fallback form of a {@code json} value {@code jsonb} cannot hold.
   */
  private record Columns(TrackedTable table, List<String> names, PgType[] types, List<Boolean> redacted, int[] key) {

    /** Selects the columns as they are, read as text: the output function's text, as pgoutput sends it. */
    String select() {
      return "SELECT " + String.join(", ", names.stream().map(n -> "t." + SqlNames.identifier(n)).toList())
          + " FROM " + table.qualified() + " t";
    }

    /** The row as the stitcher renders it, {@code --max-row-bytes} applied alike ({@link RowLimit}). */
    String row(ResultSet rs, long limit) throws SQLException {
      String[] texts = new String[names.size()];
      long[] sizes = new long[texts.length];
      long chars = 0;
      for (int i = 0; i < texts.length; i++) {
        texts[i] = redacted.get(i) ? ColumnRules.REDACTED : rs.getString(i + 1);
        sizes[i] = texts[i] == null ? 0 : texts[i].length(); // characters: UTF-8 bytes below, when it matters
        chars += sizes[i];
      }
      boolean[] tooLarge = null;
      if (limit > 0 && chars * 3 > limit) { // the text may be over the limit in UTF-8 bytes
        for (int i = 0; i < texts.length; i++) {
          sizes[i] = texts[i] == null ? 0 : RowLimit.utf8Length(texts[i], 0, texts[i].length());
        }
        tooLarge = RowLimit.largestFirst(sizes, limit);
      }
      int[] ends = new int[texts.length];
      StringBuilder json = render(texts, sizes, tooLarge, ends, limit, true);
      boolean[] more = RowLimit.afterRendering(json, ends, tooLarge, limit);
      if (more != null) {
        tooLarge = more;
        json = render(texts, sizes, tooLarge, ends, limit, false);
      }
      if (tooLarge != null) {
        for (int i = 0; i < texts.length; i++) {
          if (tooLarge[i]) {
            LOG.warn("Snapshot of {}: column {} is stored as its size and SHA-256 (the fallback form "
                + "{\"{}\": {\"bytes\": …, \"sha256\": …}}): {}", table.qualified(), names.get(i),
                JsonValues.UNPARSED_KEY, RowLimit.problem(limit));
          }
        }
      }
      return json.toString();
    }

    private StringBuilder render(String[] texts, long[] sizes, boolean[] tooLarge, int[] ends, long limit,
        boolean report) {
      StringBuilder json = RowLimit.newRow(sizes, tooLarge);
      for (int i = 0; i < texts.length; i++) {
        if (i > 0) {
          json.append(',');
        }
        JsonValues.appendString(json, names.get(i));
        json.append(':');
        if (redacted.get(i)) {
          JsonValues.appendString(json, ColumnRules.REDACTED);
        } else if (tooLarge != null && tooLarge[i]) {
          byte[] bytes = texts[i].getBytes(StandardCharsets.UTF_8);
          JsonValues.appendTooLarge(json, RowLimit.problem(limit), bytes, 0, bytes.length);
        } else {
          String problem = JsonValues.append(json, types[i], texts[i]);
          if (report) {
            fallback(problem, i);
          }
        }
        ends[i] = json.length();
      }
      return json.append('}');
    }

    /** A single key column as its text; a composite key as a JSON array without spaces; no key: null. */
    String primaryKey(ResultSet rs) throws SQLException {
      if (key.length == 0) {
        return null;
      }
      if (key.length == 1) {
        return rs.getString(key[0] + 1);
      }
      StringBuilder json = new StringBuilder().append('[');
      for (int k = 0; k < key.length; k++) {
        if (k > 0) {
          json.append(',');
        }
        fallback(JsonValues.append(json, types[key[k]], rs.getString(key[k] + 1)), key[k]);
      }
      return json.append(']').toString();
    }

    private void fallback(String problem, int column) {
      if (problem != null) {
        LOG.warn("Snapshot of {}: column {} stored in the fallback form {\"{}\": {\"problem\": …, \"text\": …}}: {}",
            table.qualified(), names.get(column), JsonValues.UNPARSED_KEY, problem);
      }
    }
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

  private static Instant sourceClock(Connection reader) throws SQLException {
    try (Statement s = reader.createStatement(); ResultSet rs = s.executeQuery("SELECT clock_timestamp()")) {
      rs.next();
      return rs.getObject(1, OffsetDateTime.class).toInstant();
    }
  }

  private static String key(TrackedTable table) {
    return TablePattern.nameOf(table.schema(), table.table());
  }
}

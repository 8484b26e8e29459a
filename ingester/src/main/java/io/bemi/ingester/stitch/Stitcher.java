package io.bemi.ingester.stitch;

import io.bemi.history.Operation;
import io.bemi.sql.Lsn;
import io.bemi.ingester.pgoutput.PgOutputMessage;
import io.bemi.ingester.pgoutput.PgOutputMessage.Begin;
import io.bemi.ingester.pgoutput.PgOutputMessage.Delete;
import io.bemi.ingester.pgoutput.PgOutputMessage.Insert;
import io.bemi.ingester.pgoutput.PgOutputMessage.Message;
import io.bemi.ingester.pgoutput.PgOutputMessage.Relation;
import io.bemi.ingester.pgoutput.PgOutputMessage.Truncate;
import io.bemi.ingester.pgoutput.PgOutputMessage.Update;
import io.bemi.ingester.pgoutput.TupleData;
import io.bemi.ingester.rules.ColumnRules;
import io.bemi.ingester.stitch.StoreEvent.Change;
import io.bemi.ingester.values.JsonValues;
import io.bemi.ingester.values.RowLimit;
import io.bemi.ingester.values.PgType;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns decoded messages into row changes with their application context, one transaction at a
 * time, and hands them on in stream order.
 *
 * <p><b>Attribution rule.</b> A change gets the context of the latest {@code _bemi} message that
 * precedes it in the same transaction. Changes before the transaction's first message get that
 * first message's context. A transaction without messages gets {@code {}}. A bad message (not
 * UTF-8, not a JSON object, JSON jsonb refuses) is counted and logged once with its LSN and counts
 * as a message whose context is its text in the fallback form {@code {"_bemi_unparsed": …}} (see
 * {@link ContextMessages}), so the changes it precedes never get an older context that does not
 * describe them; an oversized object is reduced ({@link ContextTruncation}). A non-transactional
 * message describes no transaction: counted, logged, ignored.
 * Messages with other prefixes are ignored; {@value #HEARTBEAT_PREFIX} messages (the ingester's
 * own heartbeats) are only counted.
 *
 * <p><b>Bounded memory.</b> Changes before the first message are held back, at most
 * {@code holdBack} of them; beyond that they are handed on with {@code {}} and, if a message
 * comes later, a {@link StoreEvent.ContextBackfill} fixes them in the open destination transaction.
 *
 * <p>Not thread-safe: one reader thread feeds it.
 */
public final class Stitcher {

  public static final String CONTEXT_PREFIX = "_bemi";
  /** Prefix of the ingester's non-transactional heartbeat messages; never a context, never malformed. */
  public static final String HEARTBEAT_PREFIX = "bemi_heartbeat";
  private static final String EMPTY = "{}";
  private static final Logger LOG = LoggerFactory.getLogger(Stitcher.class);
  private static final TupleData.Value REDACTED = TupleData.Value.text(ColumnRules.REDACTED);

  /**
   * How the stitcher is set up for one stream.
   *
   * @param holdBack changes held back per transaction waiting for its first {@code _bemi} message
   * @param maxRowBytes a row whose values' text forms are larger has its largest values stored as
   *     their size and SHA-256 instead ({@link JsonValues#appendTooLarge}) until the rest fits; 0: no limit
   * @param holdBackBytes the changes held back may hold this much text (about), whatever their
   *     number; more are handed on without a context and backfilled when it arrives; 0: no limit
   */
  public record Settings(
      String database,
      int maxContextBytes,
      int holdBack,
      Lsn alreadyStoredUpTo,
      String ignoredSchema,
      String ownOrigin,
      ColumnRules columnRules,
      long maxRowBytes,
      long holdBackBytes) {

    public Settings(String database, int maxContextBytes, int holdBack, Lsn alreadyStoredUpTo, String ignoredSchema,
        String ownOrigin) {
      this(database, maxContextBytes, holdBack, alreadyStoredUpTo, ignoredSchema, ownOrigin, ColumnRules.NONE, 0, 0);
    }
  }

  private final Settings settings;
  private final SchemaLookup lookup;
  private final Consumer<StoreEvent> sink;
  private final Clock clock;
  private final Map<Integer, Table> tables = new HashMap<>();
  private final StitchListener listener;

  private Transaction transaction;
  private boolean skipping;
  private int nextIndex;
  private String context; // null until the transaction's first _bemi message
  private final List<Change> heldBack = new ArrayList<>();
  private long heldBackBytes;
  private boolean handedOnWithoutContext;

  public Stitcher(Settings settings, SchemaLookup lookup, Consumer<StoreEvent> sink, StitchListener listener,
      Clock clock) {
    this.settings = settings;
    this.listener = listener;
    this.lookup = lookup;
    this.sink = sink;
    this.clock = clock;
  }

  /** Whether a transaction has begun and not yet committed. */
  public boolean inTransaction() {
    return transaction != null;
  }

  /** @param lsn the XLogData start LSN of the message: a change's {@code position} */
  public void accept(PgOutputMessage message, Lsn lsn) {
    switch (message.type()) {
      case BEGIN -> begin((Begin) message);
      case COMMIT -> commit((PgOutputMessage.Commit) message, lsn);
      case ORIGIN -> {
        if (transaction != null && ((PgOutputMessage.Origin) message).name().equals(settings.ownOrigin())) {
          skipping = true; // the ingester's own destination writes
        }
      }
      case RELATION -> {
        Relation relation = (Relation) message;
        tables.put(relation.oid(), table(relation));
      }
      case TYPE -> { } // types are looked up by OID when a relation uses them
      case INSERT -> {
        Insert insert = (Insert) message;
        change(lsn, insert.relationOid(), Operation.CREATE, null, false, insert.newTuple());
      }
      case UPDATE -> {
        Update update = (Update) message;
        change(lsn, update.relationOid(), Operation.UPDATE, update.oldTuple(), update.oldKind() == 'K', update.newTuple());
      }
      case DELETE -> {
        Delete delete = (Delete) message;
        change(lsn, delete.relationOid(), Operation.DELETE, delete.oldTuple(), delete.oldKind() == 'K', null);
      }
      case TRUNCATE -> truncate(lsn, (Truncate) message);
      case MESSAGE -> message((Message) message, lsn);
    }
  }

  private void begin(Begin begin) {
    if (transaction != null) {
      throw new IllegalStateException("Begin at " + begin.finalLsn() + " inside the open transaction "
          + transaction.xid() + "; the stream is out of order");
    }
    transaction = new Transaction(settings.database(), begin.xid(), begin.finalLsn(), begin.committedAt(), clock.instant());
    skipping = settings.alreadyStoredUpTo() != null && begin.finalLsn().compareTo(settings.alreadyStoredUpTo()) <= 0;
    nextIndex = 0;
    context = null;
    heldBack.clear();
    heldBackBytes = 0;
    handedOnWithoutContext = false;
  }

  private void commit(PgOutputMessage.Commit commit, Lsn lsn) {
    Transaction done = requireTransaction(lsn);
    if (skipping) {
      sink.accept(new StoreEvent.Commit(done, commit.endLsn(), 0));
    } else {
      handOnHeldBack(EMPTY);
      sink.accept(new StoreEvent.Commit(done, commit.endLsn(), nextIndex));
    }
    transaction = null;
  }

  private void message(Message message, Lsn lsn) {
    if (!message.prefix().equals(CONTEXT_PREFIX)) {
      if (message.prefix().equals(HEARTBEAT_PREFIX)) {
        listener.heartbeat();
      }
      return;
    }
    if (!message.transactional() || transaction == null) {
      listener.malformedContextMessage();
      LOG.warn("Ignoring non-transactional {} message at LSN {}: it belongs to no transaction (emit it with "
          + "pg_logical_emit_message(true, ...))", CONTEXT_PREFIX, message.lsn());
      return;
    }
    if (skipping) {
      return;
    }
    ContextMessages.Parsed parsed = ContextMessages.parse(message.content(), settings.maxContextBytes(),
        settings.maxRowBytes());
    if (!parsed.valid()) {
      malformed(message.lsn(), parsed.problem());
    } else if (parsed.truncated()) {
      listener.contextTruncated();
      LOG.warn("Reduced the {} message at LSN {} ({} bytes) to --max-context-bytes {}: identifying keys kept, the "
          + "dropped keys listed under {}", CONTEXT_PREFIX, message.lsn(), message.content().remaining(),
          settings.maxContextBytes(), ContextTruncation.MARKER);
    }
    String newContext = parsed.json();
    if (context == null) {
      handOnHeldBack(newContext);
      if (handedOnWithoutContext && !newContext.equals(EMPTY)) {
        sink.accept(new StoreEvent.ContextBackfill(transaction, nextIndex, newContext));
      }
    }
    context = newContext;
  }

  private void malformed(Lsn lsn, String problem) {
    listener.malformedContextMessage();
    LOG.warn("Malformed {} message at LSN {}: {}; the changes it describes get the context {\"{}\": …} "
        + "holding its text", CONTEXT_PREFIX, lsn, problem, JsonValues.UNPARSED_KEY);
  }

  /** {@code oldKeyOnly}: the old tuple holds the key columns only ('K'), the others are NULL there. */
  private void change(Lsn lsn, int relationOid, Operation operation, TupleData oldTuple, boolean oldKeyOnly,
      TupleData newTuple) {
    requireTransaction(lsn);
    Table table = table(relationOid, lsn);
    if (skipping || table.ignored) {
      return;
    }
    if (operation == Operation.UPDATE && onlyIgnoredColumnsChanged(table, oldTuple, newTuple)) {
      return;
    }
    TupleData keySource = newTuple != null ? newTuple : oldTuple;
    String before = oldTuple == null ? EMPTY : row(table, oldTuple, null, oldKeyOnly, lsn);
    String after = newTuple == null ? EMPTY : row(table, newTuple, oldTuple, false, lsn);
    String key = primaryKey(table, keySource, oldTuple, lsn);
    emit(new Change(transaction, nextIndex++, lsn, table.relation.namespace(), table.relation.name(), operation,
        key, previousKey(table, operation, oldTuple, key, lsn), before, after, null));
  }

  private void truncate(Lsn lsn, Truncate truncate) {
    requireTransaction(lsn);
    if (skipping) {
      return;
    }
    for (int oid : truncate.relationOids()) {
      Table table = table(oid, lsn);
      if (!table.ignored) {
        emit(new Change(transaction, nextIndex++, lsn, table.relation.namespace(), table.relation.name(),
            Operation.TRUNCATE, null, null, EMPTY, EMPTY, null));
      }
    }
  }

  private void emit(Change change) {
    if (context != null) {
      sink.accept(change.withContext(context));
    } else if (heldBack.size() < settings.holdBack()
        && (settings.holdBackBytes() == 0 || heldBackBytes + change.textLength() <= settings.holdBackBytes())) {
      heldBack.add(change);
      heldBackBytes += change.textLength();
    } else {
      handOnHeldBack(EMPTY);
      sink.accept(change.withContext(EMPTY));
      handedOnWithoutContext = true;
    }
  }

  private void handOnHeldBack(String withContext) {
    for (Change change : heldBack) {
      sink.accept(change.withContext(withContext));
    }
    if (!heldBack.isEmpty() && withContext.equals(EMPTY)) {
      handedOnWithoutContext = true;
    }
    heldBack.clear();
    heldBackBytes = 0;
  }

  /**
   * Whether an UPDATE changed some columns and all of them are ignored by the column rules. Needs
   * the old row (REPLICA IDENTITY FULL); without it every update is kept.
   */
  private boolean onlyIgnoredColumnsChanged(Table table, TupleData oldTuple, TupleData newTuple) {
    if (table.ignoredColumns == null || oldTuple == null || oldTuple.size() != newTuple.size()) {
      return false;
    }
    boolean anyChanged = false;
    for (int i = 0; i < newTuple.size(); i++) {
      TupleData.Value now = newTuple.get(i);
      if (now.kind() == TupleData.Kind.UNCHANGED_TOAST) {
        continue;
      }
      TupleData.Value was = oldTuple.get(i);
      boolean changed = !was.sameAs(now);
      if (changed) {
        if (!table.ignoredColumns[i]) {
          return false;
        }
        anyChanged = true;
      }
    }
    return anyChanged;
  }

  /**
   * The row as a JSON object; 'u' values are taken from {@code old} (REPLICA IDENTITY FULL sends it).
   * A key tuple ({@code keyOnly}) gives its key columns only: its NULLs are columns it does not hold
   * (key columns are never NULL), and the time-travel functions complete it from the record's
   * previous change.
   */
  private String row(Table table, TupleData tuple, TupleData old, boolean keyOnly, Lsn lsn) {
    checkWidth(table, tuple);
    TupleData.Value[] values = new TupleData.Value[table.relation.columns().size()];
    long[] sizes = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      values[i] = valueAt(tuple, old, i);
      if (keyOnly && values[i] != null && values[i].kind() == TupleData.Kind.NULL) {
        values[i] = null; // not in the key tuple: omitted, never a placeholder
      } else if (values[i] != null && table.redactedColumns != null && table.redactedColumns[i]) {
        values[i] = REDACTED; // its size counts, not the value's
      }
      sizes[i] = values[i] == null ? 0 : values[i].length();
    }
    // A row's JSON is at least as large as its values' text: the values that put the text over the
    // limit are never rendered, so no value larger than the limit is ever held as a String.
    long limit = settings.maxRowBytes();
    boolean[] tooLarge = RowLimit.largestFirst(sizes, limit);
    int[] ends = new int[values.length];
    StringBuilder json = render(table, values, sizes, tooLarge, ends, lsn, true);
    boolean[] more = RowLimit.afterRendering(json, ends, tooLarge, limit);
    if (more != null) { // escapes or non-ASCII text made the JSON larger than the text
      tooLarge = more;
      json = render(table, values, sizes, tooLarge, ends, lsn, false);
    }
    if (tooLarge != null) {
      reportTooLarge(table, values, tooLarge, limit, lsn);
    }
    return json.toString();
  }

  /**
   * The row as a JSON object, values in {@code tooLarge} as their size and hash; {@code ends[i]} is
   * where the text of value i (a separator, its name and its JSON) ends, and that of the next begins.
   */
  private StringBuilder render(Table table, TupleData.Value[] values, long[] sizes, boolean[] tooLarge, int[] ends,
      Lsn lsn, boolean reportFallbacks) {
    List<PgOutputMessage.Column> columns = table.relation.columns();
    StringBuilder json = RowLimit.newRow(sizes, tooLarge);
    for (int i = 0; i < values.length; i++) {
      TupleData.Value value = values[i];
      if (value == null) {
        ends[i] = json.length();
        continue; // an unchanged TOAST value without an old row: omitted, never a placeholder
      }
      if (json.length() > 1) {
        json.append(',');
      }
      JsonValues.appendString(json, columns.get(i).name());
      json.append(':');
      if (table.redactedColumns != null && table.redactedColumns[i]) {
        JsonValues.appendString(json, ColumnRules.REDACTED);
      } else if (tooLarge != null && tooLarge[i]) {
        JsonValues.appendTooLarge(json, RowLimit.problem(settings.maxRowBytes()), value.array(), value.offset(),
            value.length());
      } else {
        String problem = JsonValues.append(json, table.types[i], value.text());
        if (reportFallbacks) {
          checkFallback(problem, table, columns.get(i).name(), lsn);
        }
      }
      ends[i] = json.length();
    }
    return json.append('}');
  }

  private void reportTooLarge(Table table, TupleData.Value[] values, boolean[] tooLarge, long limit, Lsn lsn) {
    for (int i = 0; i < values.length; i++) {
      if (tooLarge[i]) {
        listener.valueTooLarge();
        LOG.warn("Column {} of {}.{} at LSN {}: its row is larger than --max-row-bytes ({}), so this value of {} bytes "
            + "is stored as its size and SHA-256 (the fallback form {\"{}\": {\"bytes\": …, \"sha256\": …}}). To "
            + "keep such values whole, raise --max-row-bytes, and the ingester's heap (-Xmx) with it",
            table.relation.columns().get(i).name(), table.relation.namespace(), table.relation.name(), lsn, limit,
            values[i].length(), JsonValues.UNPARSED_KEY);
      }
    }
  }

  private String primaryKey(Table table, TupleData tuple, TupleData old, Lsn lsn) {
    int[] key = table.keyColumns;
    if (key.length == 0) {
      return null;
    }
    if (key.length == 1) {
      TupleData.Value value = valueAt(tuple, old, key[0]);
      return value == null ? null : value.text();
    }
    StringBuilder json = new StringBuilder().append('[');
    for (int k = 0; k < key.length; k++) {
      if (k > 0) {
        json.append(',');
      }
      TupleData.Value value = valueAt(tuple, old, key[k]);
      checkFallback(JsonValues.append(json, table.types[key[k]], value == null ? null : value.text()), table,
          table.relation.columns().get(key[k]).name(), lsn);
    }
    return json.append(']').toString();
  }

  /**
   * The key an UPDATE moved the row away from, null when the key did not change. The server sends
   * the old key for such an UPDATE: key columns ('K') under REPLICA IDENTITY DEFAULT or INDEX, the
   * whole old row ('O') under FULL, where it comes with every UPDATE and the keys are compared. A
   * replica identity index other than the primary key sends other columns: the old key is unknown.
   */
  private String previousKey(Table table, Operation operation, TupleData oldTuple, String key, Lsn lsn) {
    if (operation != Operation.UPDATE || oldTuple == null || key == null) {
      return null;
    }
    for (int column : table.keyColumns) {
      if (oldTuple.get(column).kind() != TupleData.Kind.TEXT) {
        return null;
      }
    }
    String previous = primaryKey(table, oldTuple, null, lsn);
    return key.equals(previous) ? null : previous;
  }

  /** A value kept in the fallback form ({@code problem} not null) is counted and logged with its LSN. */
  private void checkFallback(String problem, Table table, String column, Lsn lsn) {
    if (problem != null) {
      listener.valueFallback();
      LOG.warn("Column {} of {}.{} at LSN {} stored in the fallback form {\"{}\": {\"problem\": …, \"text\": …}}: {}",
          column, table.relation.namespace(), table.relation.name(), lsn, JsonValues.UNPARSED_KEY, problem);
    }
  }

  /** The value of column i, 'u' resolved from the old row; null when it cannot be resolved. */
  private TupleData.Value valueAt(TupleData tuple, TupleData old, int i) {
    TupleData.Value value = tuple.get(i);
    if (value.kind() == TupleData.Kind.UNCHANGED_TOAST) {
      TupleData.Value previous = old != null && i < old.size() ? old.get(i) : null;
      if (previous == null || previous.kind() != TupleData.Kind.TEXT) {
        listener.missingToastValue();
        return null;
      }
      return previous;
    }
    if (value.kind() == TupleData.Kind.BINARY) {
      throw new IllegalStateException("Binary tuple values are not requested and cannot be rendered");
    }
    return value;
  }

  private void checkWidth(Table table, TupleData tuple) {
    if (tuple.size() != table.relation.columns().size()) {
      throw new IllegalStateException("Row of " + table.relation.namespace() + "." + table.relation.name() + " has "
          + tuple.size() + " values but its Relation message announced " + table.relation.columns().size() + " columns");
    }
  }

  private Table table(Relation relation) {
    boolean ignored = relation.namespace().equals(settings.ignoredSchema());
    PgType[] types = new PgType[relation.columns().size()];
    for (int i = 0; i < types.length; i++) {
      types[i] = lookup.type(relation.columns().get(i).typeOid());
    }
    List<String> keyNames = ignored ? List.of() : lookup.primaryKey(relation.oid());
    int[] key = new int[keyNames.size()];
    for (int k = 0; k < key.length; k++) {
      key[k] = indexOf(relation, keyNames.get(k));
      if (key[k] < 0) { // the key changed since this Relation message; fall back to no key
        key = new int[0];
        break;
      }
    }
    ColumnRules rules = settings.columnRules();
    boolean[] ignoredColumns = null;
    boolean[] redactedColumns = null;
    if (!ignored && !rules.isEmpty()) {
      ignoredColumns = rules.ignore().isEmpty() ? null : new boolean[types.length];
      redactedColumns = rules.redact().isEmpty() ? null : new boolean[types.length];
      for (int i = 0; i < types.length; i++) {
        String column = relation.columns().get(i).name();
        if (ignoredColumns != null) {
          ignoredColumns[i] = rules.ignores(relation.namespace(), relation.name(), column);
        }
        if (redactedColumns != null) {
          redactedColumns[i] = rules.redacts(relation.namespace(), relation.name(), column);
        }
      }
    }
    return new Table(relation, types, key, ignored, ignoredColumns, redactedColumns);
  }

  private static int indexOf(Relation relation, String column) {
    for (int i = 0; i < relation.columns().size(); i++) {
      if (relation.columns().get(i).name().equals(column)) {
        return i;
      }
    }
    return -1;
  }

  private Table table(int oid, Lsn lsn) {
    Table table = tables.get(oid);
    if (table == null) {
      throw new IllegalStateException("Change at LSN " + lsn + " for relation OID " + oid
          + " without a preceding Relation message");
    }
    return table;
  }

  private Transaction requireTransaction(Lsn lsn) {
    if (transaction == null) {
      throw new IllegalStateException("Change at LSN " + lsn + " outside a transaction");
    }
    return transaction;
  }

  /** A relation with what rendering its rows needs, resolved once per Relation message. */
  private record Table(Relation relation, PgType[] types, int[] keyColumns, boolean ignored,
      boolean[] ignoredColumns, boolean[] redactedColumns) {}
}

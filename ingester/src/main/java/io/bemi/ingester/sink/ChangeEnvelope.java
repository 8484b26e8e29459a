package io.bemi.ingester.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bemi.history.Operation;
import io.bemi.ingester.stitch.StoreEvent.Change;
import io.bemi.ingester.values.JsonValues;
import java.util.List;

/**
 * A change as an event: Debezium's change-event envelope (the {@code payload} of its JSON
 * converter with {@code schemas.enable=false}) plus Bemi's {@code context} and position, so a
 * Debezium consumer reads it unchanged and {@code consume} can store it back into
 * {@code bemi.changes} exactly as the database sink would. The format is documented in
 * docs/sinks.md and described by docs/bemi-change-event.schema.json:
 *
 * <pre>
 * {"before": {…}|null, "after": {…}|null,
 *  "source": {"version": "0.1.0", "connector": "bemi", "name": NAME, "ts_ms": COMMIT_MS, "snapshot": "false"|"true",
 *             "db": DB, "schema": SCHEMA, "table": TABLE, "txId": XID, "lsn": CHANGE_LSN, "commit_lsn": COMMIT_LSN},
 *  "op": "c"|"u"|"d"|"t"|"r", "ts_ms": NOW_MS,
 *  "transaction": {"id": "XID:COMMIT_LSN", "total_order": INDEX + 1},
 *  "context": {…},
 *  "bemi": {"primary_key": TEXT|null, ["previous_primary_key": TEXT,] ["source": SOURCE,] "commit_lsn": COMMIT_LSN, "change_index": INDEX,
 *           "committed_at": ISO, "queued_at": ISO, "operation": "CREATE"|…}}
 * </pre>
 *
 * {@code before} is null for {@code c}, {@code t} and {@code r}, {@code after} for {@code d} and
 * {@code t} (Debezium's convention; {@code bemi.changes} stores {@code {}} there). A baseline
 * snapshot row is a read event: {@code op} {@code r}, {@code source.snapshot} {@code "true"},
 * {@code txId} 0 and its position in the baseline ({@code BaselineSnapshot}). The key of a change is a
 * JSON object of its primary key columns ({@code {"id": 42}}), null for keyless tables and TRUNCATE.
 */
public final class ChangeEnvelope {

  public static final String VERSION = "0.1.0";
  public static final String CONNECTOR = "bemi";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ChangeEnvelope() {}

  /** The value of a change's event; {@code name} is the logical source name ({@code source.name}). */
  public static String value(Change change, String name, long nowMillis) {
    return value(change, name, null, nowMillis);
  }

  /**
   * The value of a change's event; {@code name} is the logical source name ({@code source.name}),
   * {@code trailSource} (or null: left out) the source as the trail names it ({@code bemi.source},
   * what {@code run} stores in {@code changes.source}), which {@code consume} stores.
   */
  public static String value(Change change, String name, String trailSource, long nowMillis) {
    StringBuilder json = new StringBuilder(256 + change.after().length() + change.before().length()
        + (change.context() == null ? 2 : change.context().length()));
    Operation operation = change.operation();
    boolean hasBefore = operation == Operation.UPDATE || operation == Operation.DELETE;
    boolean hasAfter = operation == Operation.CREATE || operation == Operation.UPDATE
        || operation == Operation.SNAPSHOT;
    long commitLsn = change.transaction().commitLsn().value();
    json.append("{\"before\":").append(hasBefore ? change.before() : "null");
    json.append(",\"after\":").append(hasAfter ? change.after() : "null");
    json.append(",\"source\":{\"version\":\"").append(VERSION).append("\",\"connector\":\"").append(CONNECTOR)
        .append("\",\"name\":");
    JsonValues.appendString(json, name);
    json.append(",\"ts_ms\":").append(change.transaction().committedAt().toEpochMilli())
        .append(",\"snapshot\":\"").append(operation == Operation.SNAPSHOT).append("\",\"db\":");
    JsonValues.appendString(json, change.transaction().database());
    json.append(",\"schema\":");
    JsonValues.appendString(json, change.schema());
    json.append(",\"table\":");
    JsonValues.appendString(json, change.table());
    json.append(",\"txId\":").append(change.transaction().xid())
        .append(",\"lsn\":").append(change.position().value())
        .append(",\"commit_lsn\":").append(commitLsn).append('}');
    json.append(",\"op\":\"").append(op(operation)).append("\",\"ts_ms\":").append(nowMillis);
    json.append(",\"transaction\":{\"id\":\"").append(change.transaction().xid()).append(':').append(commitLsn)
        .append("\",\"total_order\":").append(change.index() + 1).append('}');
    json.append(",\"context\":").append(change.context() == null ? "{}" : change.context());
    json.append(",\"bemi\":{\"primary_key\":");
    if (change.primaryKey() == null) {
      json.append("null");
    } else {
      JsonValues.appendString(json, change.primaryKey());
    }
    if (change.previousPrimaryKey() != null) { // only on an UPDATE that changed the key
      json.append(",\"previous_primary_key\":");
      JsonValues.appendString(json, change.previousPrimaryKey());
    }
    if (trailSource != null) {
      json.append(",\"source\":");
      JsonValues.appendString(json, trailSource);
    }
    json.append(",\"commit_lsn\":").append(commitLsn)
        .append(",\"change_index\":").append(change.index())
        .append(",\"committed_at\":\"").append(change.transaction().committedAt())
        .append("\",\"queued_at\":\"").append(change.transaction().queuedAt())
        .append("\",\"operation\":\"").append(operation.name()).append("\"}}");
    return json.toString();
  }

  /** Debezium's {@code op}. */
  public static String op(Operation operation) {
    return switch (operation) {
      case CREATE -> "c";
      case UPDATE -> "u";
      case DELETE -> "d";
      case TRUNCATE -> "t";
      case SNAPSHOT -> "r";
    };
  }

  /**
   * The event key: the key columns' values taken from the row ({@code after}, or {@code before}
   * for a delete), null when the table has no key or the change is a TRUNCATE.
   */
  public static String key(Change change, List<String> keyColumns) {
    if (keyColumns.isEmpty() || change.primaryKey() == null || change.operation() == Operation.TRUNCATE) {
      return null;
    }
    String row = change.operation() == Operation.DELETE ? change.before() : change.after();
    try {
      JsonNode values = JSON.readTree(row);
      ObjectNode key = JSON.createObjectNode();
      for (String column : keyColumns) {
        JsonNode value = values.get(column);
        if (value == null) {
          return null; // the key changed since it was looked up; a null key is still a valid event
        }
        key.set(column, value);
      }
      return JSON.writeValueAsString(key);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Row of " + change.schema() + "." + change.table() + " at LSN "
          + change.position() + " is not JSON: " + e.getOriginalMessage(), e);
    }
  }
}

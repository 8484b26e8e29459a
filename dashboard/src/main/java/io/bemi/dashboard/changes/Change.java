package io.bemi.dashboard.changes;

import com.fasterxml.jackson.databind.JsonNode;
import io.bemi.history.Operation;
import java.time.Instant;
import java.util.UUID;

/** One row of {@code changes}, JSON columns parsed exactly (numbers keep every digit). */
public record Change(
    UUID id,
    String database,
    String schema,
    String table,
    String primaryKey,
    Operation operation,
    JsonNode before,
    JsonNode after,
    JsonNode context,
    Instant committedAt,
    Instant queuedAt,
    Instant createdAt,
    long transactionId,
    long position,
    long commitLsn,
    int changeIndex) {

  public String qualifiedTable() {
    return schema + "." + table;
  }

  /** The record's state after this change; null when the change removed it. */
  public JsonNode stateAfter() {
    return switch (operation) {
      case DELETE, TRUNCATE -> null;
      default -> after;
    };
  }
}

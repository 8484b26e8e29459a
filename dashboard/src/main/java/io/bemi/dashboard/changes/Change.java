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

  /** An LSN from PostgreSQL's text form ({@code 0/16B3748}); empty when the text is not one. */
  public static java.util.OptionalLong parseLsn(String text) {
    int slash = text == null ? -1 : text.indexOf('/');
    if (slash < 1 || slash > 8 || text.length() - slash - 1 < 1 || text.length() - slash - 1 > 8
        || !text.matches("[0-9A-Fa-f]+/[0-9A-Fa-f]+")) {
      return java.util.OptionalLong.empty();
    }
    return java.util.OptionalLong.of(Long.parseLong(text.substring(0, slash), 16) << 32 | Long.parseLong(text.substring(slash + 1), 16));
  }

  /** PostgreSQL's text form of an LSN, e.g. {@code 0/16B3748}. */
  public static String lsnText(long lsn) {
    return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
  }
}

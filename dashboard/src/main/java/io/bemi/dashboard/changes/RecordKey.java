package io.bemi.dashboard.changes;

import io.bemi.sql.SqlNames;

/**
 * Identifies one source row across its history: schema, table and primary key text, and the
 * source ({@code changes.source}) whose row it is; {@code source} null: not named (every source's
 * changes of that key, until {@link ChangeRepository#record} resolves it).
 */
public record RecordKey(String schema, String table, String primaryKey, String source) {

  public RecordKey {
    if (schema == null || schema.isBlank() || table == null || table.isBlank() || primaryKey == null) {
      throw new BadRequestException("a record needs schema, table and pk; missing: " + String.join(", ",
          java.util.stream.Stream.of(schema == null || schema.isBlank() ? "schema" : null,
              table == null || table.isBlank() ? "table" : null, primaryKey == null ? "pk" : null)
              .filter(java.util.Objects::nonNull).toList()));
    }
  }

  public RecordKey withSource(String source) {
    return new RecordKey(schema, table, primaryKey, source);
  }

  public String qualifiedTable() {
    return schema + "." + table;
  }

  /** The table as the bemi-sql functions take it: {@code "schema"."table"}, both parts quoted. */
  public String quotedTable() {
    return SqlNames.qualified(schema, table);
  }

  @Override
  public String toString() {
    return qualifiedTable() + " key " + primaryKey + (source == null ? "" : " of source " + SeveralSourcesException.quoted(source));
  }
}

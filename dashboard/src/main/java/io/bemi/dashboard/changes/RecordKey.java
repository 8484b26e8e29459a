package io.bemi.dashboard.changes;

import io.bemi.sql.SqlNames;

/** Identifies one source row across its history: schema, table and primary key text. */
public record RecordKey(String schema, String table, String primaryKey) {

  public RecordKey {
    if (schema == null || schema.isBlank() || table == null || table.isBlank() || primaryKey == null) {
      throw new BadRequestException("a record needs schema, table and pk");
    }
  }

  public String qualifiedTable() {
    return schema + "." + table;
  }

  /** The table as the bemi-sql functions take it: {@code "schema"."table"}, both parts quoted. */
  public String quotedTable() {
    return SqlNames.qualified(schema, table);
  }
}

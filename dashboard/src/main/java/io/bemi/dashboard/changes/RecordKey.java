package io.bemi.dashboard.changes;

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
}

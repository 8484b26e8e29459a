package io.bemi.history;

/** What restoring one table to an instant does: rows inserted, updated and deleted (a dry run). */
public record RestoreCount(String schema, String table, long inserts, long updates, long deletes) {

  public long total() {
    return inserts + updates + deletes;
  }
}

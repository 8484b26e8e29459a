package io.bemi.history;

/** One row of a table as of a time: its primary key text and the row as JSON text. */
public record TableRow(String primaryKey, String row) {}

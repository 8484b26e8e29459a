package io.bemi.history;

/**
 * One column a change changed. Values are JSON text ({@code "null"} for an SQL NULL value); a Java
 * {@code null} means the row did not exist on that side (CREATE has no old values, DELETE no new).
 */
public record ColumnChange(String column, String oldValue, String newValue) {}

package io.bemi.history;

/** What a change did to its row; the values of {@code changes.operation}. */
public enum Operation {
  CREATE,
  UPDATE,
  DELETE,
  TRUNCATE,
  /** A baseline copy of a row taken when capture started, not a change made by anyone. */
  SNAPSHOT
}

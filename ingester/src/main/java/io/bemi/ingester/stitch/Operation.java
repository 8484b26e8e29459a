package io.bemi.ingester.stitch;

/** The {@code operation} column of {@code bemi.changes}. */
public enum Operation {
  CREATE,
  UPDATE,
  DELETE,
  TRUNCATE,
  /** A row of the baseline snapshot ({@code setup --snapshot}), never streamed. */
  SNAPSHOT
}

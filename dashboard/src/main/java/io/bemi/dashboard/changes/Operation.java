package io.bemi.dashboard.changes;

import java.util.Locale;

/** The {@code operation} column of {@code changes}. */
public enum Operation {
  CREATE, UPDATE, DELETE, TRUNCATE, SNAPSHOT;

  /** Parses {@code create}, {@code UPDATE}, … (case-insensitive). */
  public static Operation parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new BadRequestException("op '" + text + "' is not an operation; use CREATE, UPDATE, DELETE, TRUNCATE or SNAPSHOT");
    }
  }
}

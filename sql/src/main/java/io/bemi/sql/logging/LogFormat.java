package io.bemi.sql.logging;

/** How log lines are written to stderr. */
public enum LogFormat {
  /** {@code [thread] LEVEL logger - message}, as slf4j-simple printed it. */
  TEXT,
  /** One JSON object per line: timestamp, level, logger, thread, message, exception. */
  JSON
}

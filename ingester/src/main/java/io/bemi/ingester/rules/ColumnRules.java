package io.bemi.ingester.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * Which columns are ignored (an UPDATE that changes only ignored columns is not stored) and which
 * are redacted (their values are stored as {@link #REDACTED}, in before and after).
 */
public record ColumnRules(List<ColumnPattern> ignore, List<ColumnPattern> redact) {

  public static final String REDACTED = "[REDACTED]";
  public static final ColumnRules NONE = new ColumnRules(List.of(), List.of());

  public ColumnRules {
    ignore = List.copyOf(ignore);
    redact = List.copyOf(redact);
  }

  /** Parses comma-separated lists (null or blank: none); the first bad rule is named in the exception. */
  public static ColumnRules parse(List<String> ignoreRules, List<String> redactRules) {
    return new ColumnRules(patterns(ignoreRules), patterns(redactRules));
  }

  private static List<ColumnPattern> patterns(List<String> rules) {
    List<ColumnPattern> result = new ArrayList<>();
    if (rules != null) {
      for (String rule : rules) {
        if (!rule.isBlank()) {
          result.add(ColumnPattern.parse(rule));
        }
      }
    }
    return result;
  }

  public boolean isEmpty() {
    return ignore.isEmpty() && redact.isEmpty();
  }

  public boolean ignores(String schema, String table, String column) {
    return ignore.stream().anyMatch(p -> p.matches(schema, table, column));
  }

  public boolean redacts(String schema, String table, String column) {
    return redact.stream().anyMatch(p -> p.matches(schema, table, column));
  }
}

package io.bemi.ingester.rules;

import java.util.regex.Pattern;

/**
 * A table pattern {@code schema.table} or {@code table} (schema {@code public}, as {@code --tables}
 * has always read it); each part is a name in which {@code *} matches any run of characters, e.g.
 * {@code public.sessions}, {@code audit.*}, {@code *.tmp_*}. Names are compared as they are stored
 * in the catalog (unquoted, case-sensitive).
 */
public record TablePattern(String text, Pattern schema, Pattern table) {

  /** @throws IllegalArgumentException naming the bad pattern and what a good one looks like */
  public static TablePattern parse(String text) {
    String rule = text.strip();
    String[] parts = rule.split("\\.", -1);
    if (parts.length > 2 || rule.isEmpty() || java.util.Arrays.stream(parts).anyMatch(String::isEmpty)) {
      throw new IllegalArgumentException("Invalid table pattern '" + text + "': expected schema.table or table "
          + "(schema public), * matching any run of characters (e.g. public.sessions, audit.*, *.tmp_*)");
    }
    String schema = parts.length == 2 ? parts[0] : "public";
    return new TablePattern(rule, Glob.compile(schema), Glob.compile(parts[parts.length - 1]));
  }

  public boolean matches(String schemaName, String tableName) {
    return schema.matcher(schemaName).matches() && table.matcher(tableName).matches();
  }

  /** A plain name (no {@code *}): naming a table that does not exist is a mistake worth stopping for. */
  public boolean isExactName() {
    return !Glob.isPattern(text);
  }

  @Override
  public String toString() {
    return text;
  }
}

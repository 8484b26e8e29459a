package io.bemi.ingester.rules;

import java.util.regex.Pattern;

/**
 * A column pattern {@code schema.table.column} or {@code table.column} (any schema); each part is
 * a name in which {@code *} matches any run of characters, e.g. {@code *.updated_at},
 * {@code public.users.last_seen_at}, {@code audit_*.*.token}.
 */
public record ColumnPattern(String text, Pattern schema, Pattern table, Pattern column) {

  private static final Pattern PART = Pattern.compile("[A-Za-z0-9_$*]+");

  /** @throws IllegalArgumentException naming the bad rule and what a good one looks like */
  public static ColumnPattern parse(String text) {
    String rule = text.strip();
    String[] parts = rule.split("\\.", -1);
    if (parts.length < 2 || parts.length > 3) {
      throw bad(text, "expected schema.table.column or table.column");
    }
    for (String part : parts) {
      if (!PART.matcher(part).matches()) {
        throw bad(text, "each part must be letters, digits, _, $ or *");
      }
    }
    Pattern schema = parts.length == 3 ? Glob.compile(parts[0]) : Glob.compile("*");
    return new ColumnPattern(rule, schema, Glob.compile(parts[parts.length - 2]), Glob.compile(parts[parts.length - 1]));
  }

  public boolean matches(String schemaName, String tableName, String columnName) {
    return schema.matcher(schemaName).matches() && table.matcher(tableName).matches()
        && column.matcher(columnName).matches();
  }

  private static IllegalArgumentException bad(String text, String why) {
    return new IllegalArgumentException("Invalid column rule '" + text + "': " + why
        + " (e.g. *.updated_at or public.users.password_hash)");
  }

  @Override
  public String toString() {
    return text;
  }
}

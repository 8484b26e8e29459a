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
    Pattern schema = parts.length == 3 ? glob(parts[0]) : glob("*");
    return new ColumnPattern(rule, schema, glob(parts[parts.length - 2]), glob(parts[parts.length - 1]));
  }

  public boolean matches(String schemaName, String tableName, String columnName) {
    return schema.matcher(schemaName).matches() && table.matcher(tableName).matches()
        && column.matcher(columnName).matches();
  }

  private static Pattern glob(String part) {
    StringBuilder regex = new StringBuilder();
    for (String literal : part.split("\\*", -1)) {
      regex.append(Pattern.quote(literal)).append(".*");
    }
    regex.setLength(regex.length() - 2); // no ".*" after the last literal
    return Pattern.compile(regex.toString());
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

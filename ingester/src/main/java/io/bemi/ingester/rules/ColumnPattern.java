package io.bemi.ingester.rules;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A column pattern {@code schema.table.column} or {@code table.column} (any schema); each part is
 * a name in which {@code *} matches any run of characters, e.g. {@code *.updated_at},
 * {@code public.users.last_seen_at}, {@code audit_*.*.token}, or a name in double quotes taken as
 * it is ({@code users."e-mail"}, {@link NamePart}).
 */
public record ColumnPattern(String text, Pattern schema, Pattern table, Pattern column) {

  /** What an unquoted part may hold: letters (any alphabet), digits, _, $ and *. */
  private static final Pattern PART = Pattern.compile("[\\p{L}\\p{N}_$*]+");

  /** @throws IllegalArgumentException naming the bad rule and what a good one looks like */
  public static ColumnPattern parse(String text) {
    String rule = text.strip();
    List<NamePart> parts;
    try {
      parts = NamePart.split(rule);
    } catch (IllegalArgumentException e) {
      throw bad(text, e.getMessage());
    }
    if (parts.size() < 2 || parts.size() > 3) {
      throw bad(text, "expected schema.table.column or table.column");
    }
    for (NamePart part : parts) {
      if (part.quoted() ? part.isEmpty() : !PART.matcher(part.text()).matches()) {
        throw bad(text, "each part must be letters, digits, _, $ or *, or a name in double quotes");
      }
    }
    Pattern schema = parts.size() == 3 ? parts.get(0).pattern() : Glob.compile("*");
    return new ColumnPattern(rule, schema, parts.get(parts.size() - 2).pattern(), parts.get(parts.size() - 1).pattern());
  }

  public boolean matches(String schemaName, String tableName, String columnName) {
    return schema.matcher(schemaName).matches() && table.matcher(tableName).matches()
        && column.matcher(columnName).matches();
  }

  private static IllegalArgumentException bad(String text, String why) {
    return new IllegalArgumentException("Invalid column rule '" + text + "': " + why
        + " (e.g. *.updated_at, public.users.password_hash or users.\"e-mail\")");
  }

  @Override
  public String toString() {
    return text;
  }
}

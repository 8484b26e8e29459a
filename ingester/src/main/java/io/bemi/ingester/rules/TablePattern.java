package io.bemi.ingester.rules;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A table pattern {@code schema.table} or {@code table} (schema {@code public}, as {@code --tables}
 * has always read it); each part is a name in which {@code *} matches any run of characters, e.g.
 * {@code public.sessions}, {@code audit.*}, {@code *.tmp_*}, or a name in double quotes taken as it
 * is ({@code public."orders.2024"}, {@link NamePart}). Names are compared as they are stored in the
 * catalog (case-sensitive, with or without quotes).
 *
 * @param isExactName a plain name (no {@code *} outside quotes): naming a table that does not exist
 *     is a mistake worth stopping for
 */
public record TablePattern(String text, Pattern schema, Pattern table, boolean isExactName) {

  /** @throws IllegalArgumentException naming the bad pattern and what a good one looks like */
  public static TablePattern parse(String text) {
    String rule = text.strip();
    List<NamePart> parts;
    try {
      parts = NamePart.split(rule);
    } catch (IllegalArgumentException e) {
      throw bad(text, e.getMessage());
    }
    if (parts.size() > 2 || rule.isEmpty() || parts.stream().anyMatch(NamePart::isEmpty)) {
      throw bad(text, "expected schema.table or table (schema public)");
    }
    NamePart schema = parts.size() == 2 ? parts.get(0) : new NamePart("public", true);
    NamePart table = parts.get(parts.size() - 1);
    return new TablePattern(rule, schema.pattern(), table.pattern(), !schema.isGlob() && !table.isGlob());
  }

  /**
   * The pattern text that matches exactly this table, for messages and the commands they suggest:
   * {@code shop.refunds}, or {@code shop."refunds.2024"} when a name needs quotes.
   */
  public static String nameOf(String schema, String table) {
    return NamePart.literal(schema) + "." + NamePart.literal(table);
  }

  public boolean matches(String schemaName, String tableName) {
    return schema.matcher(schemaName).matches() && table.matcher(tableName).matches();
  }

  private static IllegalArgumentException bad(String text, String why) {
    return new IllegalArgumentException("Invalid table pattern '" + text + "': " + why + "; * matches any run of"
        + " characters, double quotes take a name as it is (e.g. public.sessions, audit.*, *.tmp_*,"
        + " public.\"orders.2024\")");
  }

  @Override
  public String toString() {
    return text;
  }
}

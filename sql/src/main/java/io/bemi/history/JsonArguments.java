package io.bemi.history;

import java.util.Iterator;
import java.util.Map;

/**
 * Writes the few JSON values the API sends (context filters, composite keys) in the compact form
 * the ingester stores: {@code ["a",1]}, strings escaped as PostgreSQL's jsonb output does. Reading
 * JSON is left to the application, which has a JSON library of its own choice.
 */
final class JsonArguments {

  private JsonArguments() {}

  static String write(Object value) {
    StringBuilder out = new StringBuilder();
    append(out, value);
    return out.toString();
  }

  private static void append(StringBuilder out, Object value) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof Boolean || value instanceof Number) {
      String text = value.toString();
      if (text.equals("NaN") || text.contains("Infinity")) {
        string(out, text); // as to_jsonb renders non-finite numbers
      } else {
        out.append(value instanceof java.math.BigDecimal big ? big.toPlainString() : text);
      }
    } else if (value instanceof Map<?, ?> map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        string(out, String.valueOf(entry.getKey()));
        out.append(':');
        append(out, entry.getValue());
      }
      out.append('}');
    } else if (value instanceof Iterable<?> list) {
      out.append('[');
      for (Iterator<?> it = list.iterator(); it.hasNext(); ) {
        append(out, it.next());
        if (it.hasNext()) {
          out.append(',');
        }
      }
      out.append(']');
    } else if (value instanceof Object[] array) {
      append(out, java.util.Arrays.asList(array));
    } else {
      string(out, value.toString());
    }
  }

  private static void string(StringBuilder out, String s) {
    io.bemi.sql.JsonStrings.append(out, s);
  }
}

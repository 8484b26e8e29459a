package io.bemi;

import java.lang.reflect.Array;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A small JSON writer for context values, so the driver forces no JSON library on applications.
 *
 * <p>The output must survive two PostgreSQL conversions: the message travels as {@code text}
 * (which cannot hold NUL) and the ingester reads it as {@code jsonb} (which rejects the JSON escape
 * for NUL and unpaired surrogates). So NUL and unpaired surrogates become U+FFFD, the
 * replacement character; every other control character is escaped as JSON requires.
 */
final class Json {

  /** Deeper nesting is almost certainly a cycle (a map that contains itself). */
  static final int MAX_DEPTH = 64;

  private Json() {}

  static String write(Object value) {
    StringBuilder out = new StringBuilder(64);
    write(out, value, 0);
    return out.toString();
  }

  static void write(StringBuilder out, Object value, int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException("Context nested deeper than " + MAX_DEPTH + " levels (does a map contain itself?)");
    }
    if (value == null) {
      out.append("null");
    } else if (value instanceof String s) {
      string(out, s);
    } else if (value instanceof Boolean b) {
      out.append(b.booleanValue());
    } else if (value instanceof Double d) {
      number(out, d, !d.isNaN() && !d.isInfinite());
    } else if (value instanceof Float f) {
      number(out, f, !f.isNaN() && !f.isInfinite());
    } else if (value instanceof Number n) {
      number(out, n, true);
    } else if (value instanceof Map<?, ?> map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        string(out, String.valueOf(e.getKey()));
        out.append(':');
        write(out, e.getValue(), depth + 1);
      }
      out.append('}');
    } else if (value instanceof Iterable<?> items) {
      out.append('[');
      boolean first = true;
      for (Object item : items) {
        if (!first) {
          out.append(',');
        }
        first = false;
        write(out, item, depth + 1);
      }
      out.append(']');
    } else if (value instanceof Object[] items) {
      write(out, Arrays.asList(items), depth);
    } else if (value.getClass().isArray()) { // int[], double[], boolean[]…: their elements, boxed
      List<Object> items = new ArrayList<>(Array.getLength(value));
      for (int i = 0; i < Array.getLength(value); i++) {
        items.add(Array.get(value, i));
      }
      write(out, items, depth);
    } else if (value instanceof Optional<?> optional) {
      write(out, optional.orElse(null), depth);
    } else if (value instanceof Enum<?> e) {
      string(out, e.name());
    } else if (value instanceof UUID || value instanceof Character) {
      string(out, value.toString());
    } else if (value instanceof ZonedDateTime z) {
      // ZonedDateTime.toString() appends "[Zone/Id]", which is not ISO-8601.
      string(out, DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(z));
    } else if (value instanceof OffsetDateTime || value instanceof TemporalAccessor) {
      // Instant, LocalDate, LocalDateTime, OffsetDateTime, LocalTime...: toString() is ISO-8601.
      string(out, value.toString());
    } else {
      string(out, String.valueOf(value));
    }
  }

  private static void number(StringBuilder out, Number n, boolean finite) {
    if (finite) {
      out.append(n);
    } else {
      string(out, n.toString()); // NaN and Infinity are not JSON numbers; PostgreSQL writes them as strings too
    }
  }

  static void string(StringBuilder out, String s) {
    out.append('"');
    int length = s.length();
    for (int i = 0; i < length; i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\0' -> out.append('\uFFFD');
        default -> {
          if (c < 0x20 || c == 0x7F) {
            out.append(String.format("\\u%04x", (int) c));
          } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(s.charAt(i + 1))) {
            out.append(c).append(s.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            out.append('\uFFFD');
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}

package io.bemi.sql;

/**
 * JSON string literals that {@code jsonb} accepts, for every JSON this module and the ingester
 * write (query filters, row values, health and log lines). jsonb rejects the escape for NUL and
 * unpaired surrogates, so those become U+FFFD, the replacement character, as in the driver's own
 * copy ({@code io.bemi.Json}, which stays separate because the driver has no dependencies); the
 * test vectors in test-support's {@code json-strings.tsv} pin both to the same output.
 */
public final class JsonStrings {

  private JsonStrings() {}

  /**
   * Appends {@code s} as a JSON string literal. Runs of characters that need no escape are copied
   * whole: row values of kilobytes are the ingester's hottest path, and most have nothing to escape.
   */
  public static void append(StringBuilder out, String s) {
    out.append('"');
    int length = s.length();
    int i = plainUntil(s, 0);
    if (i == length) {
      out.append(s);
    } else {
      out.append(s, 0, i);
      while (i < length) {
        i = appendSpecial(out, s, i);
        int plain = plainUntil(s, i);
        out.append(s, i, plain);
        i = plain;
      }
    }
    out.append('"');
  }

  /** The index of the first character from {@code from} on that is not copied as it is, or the length. */
  private static int plainUntil(String s, int from) {
    int length = s.length();
    int i = from;
    while (i < length) {
      char c = s.charAt(i);
      if (c < 0x20 || c == '"' || c == '\\' || (c >= 0x7F && (c == 0x7F || Character.isSurrogate(c)))) {
        return i;
      }
      i++;
    }
    return i;
  }

  /** Appends the character at {@code i} (one that {@link #plainUntil} stopped at); returns the index after it. */
  private static int appendSpecial(StringBuilder out, String s, int i) {
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
        } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          out.append(c).append(s.charAt(i + 1));
          return i + 2;
        } else {
          out.append('\uFFFD'); // an unpaired surrogate
        }
      }
    }
    return i + 1;
  }
}

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

  /** Appends {@code s} as a JSON string literal. */
  public static void append(StringBuilder out, String s) {
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

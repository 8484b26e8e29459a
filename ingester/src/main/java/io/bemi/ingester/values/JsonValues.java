package io.bemi.ingester.values;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Renders a column value, given in its PostgreSQL text output form, as the JSON that
 * {@code to_jsonb(value)} gives for it in a session with {@code TimeZone=UTC, DateStyle=ISO,
 * IntervalStyle=postgres, bytea_output=hex} (the replication connection sets these).
 *
 * <table>
 *   <caption>Mapping (documented in docs/ingester.md)</caption>
 *   <tr><th>type</th><th>text form from pgoutput</th><th>JSON</th></tr>
 *   <tr><td>int2/4/8, float4/8, numeric</td><td>{@code 1.50}</td><td>number {@code 1.50} (every digit)</td></tr>
 *   <tr><td>same, special values</td><td>{@code NaN}, {@code Infinity}</td><td>string</td></tr>
 *   <tr><td>bool</td><td>{@code t}/{@code f}</td><td>true/false</td></tr>
 *   <tr><td>json, jsonb</td><td>JSON text</td><td>nested JSON</td></tr>
 *   <tr><td>timestamp</td><td>{@code 2024-01-02 03:04:05.5}</td><td>{@code "2024-01-02T03:04:05.5"}</td></tr>
 *   <tr><td>timestamptz</td><td>{@code 2024-01-02 03:04:05.5+00}</td><td>{@code "2024-01-02T03:04:05.5+00:00"}</td></tr>
 *   <tr><td>arrays</td><td>{@code {1,NULL,"a b"}}</td><td>JSON array of the elements (nested per dimension)</td></tr>
 *   <tr><td>domains</td><td colspan="2">as their base type</td></tr>
 *   <tr><td>int2vector, oidvector</td><td>{@code 1 2}</td><td>JSON array of the elements</td></tr>
 *   <tr><td>everything else</td><td>text form</td><td>JSON string of the text form</td></tr>
 *   <tr><td>json that jsonb refuses ({@link JsonbCheck}), text not understood</td><td>any</td>
 *       <td>{@code {"_bemi_unparsed": {"problem": "…", "text": "<the text form>"}}}</td></tr>
 *   <tr><td>a value of a row over {@code --max-row-bytes} ({@link RowLimit})</td><td>any</td>
 *       <td>{@code {"_bemi_unparsed": {"problem": "…", "bytes": n, "sha256": "…", "head": "…"}}}</td></tr>
 * </table>
 *
 * <p>Rendering never fails on data: whatever the text, the result is JSON jsonb accepts.
 */
public final class JsonValues {

  private JsonValues() {}

  /** The reserved key of the fallback form, for row values and {@code _bemi} messages alike. */
  public static final String UNPARSED_KEY = "_bemi_unparsed";

  /**
   * Appends the JSON for a value; {@code text} null means SQL NULL.
   *
   * @return null when the value is rendered exactly; otherwise why it was kept in the fallback form
   */
  public static String append(StringBuilder out, PgType type, String text) {
    if (text == null) {
      out.append("null");
      return null;
    }
    int start = out.length();
    try {
      return appendValue(out, type, text);
    } catch (RuntimeException e) { // text that is not what the type's output function gives
      out.setLength(start);
      String problem = "text form of type OID " + type.oid() + " not understood";
      appendUnparsed(out, problem, text, null);
      return problem;
    }
  }

  private static String appendValue(StringBuilder out, PgType type, String text) {
    switch (type.kind()) {
      case NUMBER -> appendNumber(out, text);
      case BOOLEAN -> out.append(text.equals("t") ? "true" : "false");
      case JSON -> {
        String problem = type.oid() == BuiltinTypes.JSONB ? null : JsonbCheck.problem(text);
        if (problem != null) {
          appendUnparsed(out, problem, text, null);
          return problem;
        }
        out.append(text);
      }
      case TIMESTAMP -> appendString(out, isoTimestamp(text, false));
      case TIMESTAMPTZ -> appendString(out, isoTimestamp(text, true));
      case ARRAY -> {
        return new ArrayText(text, type).appendJson(out);
      }
      case STRING -> appendString(out, text);
    }
    return null;
  }

  public static String toJson(PgType type, String text) {
    StringBuilder out = new StringBuilder();
    append(out, type, text);
    return out.toString();
  }

  /**
   * Appends the fallback form {@code {"_bemi_unparsed": {"problem": "…", "text": "…"}}}. The text
   * is kept whole; when jsonb cannot hold it even as a string (a NUL, or {@code raw} bytes that are
   * not UTF-8) it is given as {@code "hex"} of its UTF-8 bytes (or of {@code raw}) instead.
   */
  public static void appendUnparsed(StringBuilder out, String problem, String text, byte[] raw) {
    out.append("{\"").append(UNPARSED_KEY).append("\": {\"problem\": ");
    appendString(out, problem);
    if (text != null && JsonbCheck.stringProblem(text) == null) {
      out.append(", \"text\": ");
      appendString(out, text);
    } else {
      byte[] bytes = raw != null ? raw : text.getBytes(StandardCharsets.UTF_8);
      out.append(", \"hex\": \"").append(HexFormat.of().formatHex(bytes)).append('"');
    }
    out.append("}}");
  }

  /** Characters of a value too large to keep that its fallback form still shows, to tell it apart. */
  static final int TOO_LARGE_HEAD_BYTES = 256;

  /**
   * Appends the fallback form of a value too large to keep: {@code {"_bemi_unparsed": {"problem":
   * "…", "bytes": n, "sha256": "<hex of the text form's UTF-8 bytes>", "head": "<its first 256
   * bytes>"}}}. Compare with the source's {@code encode(sha256(convert_to(col::text, 'UTF8')), 'hex')}.
   */
  public static void appendTooLarge(StringBuilder out, String problem, byte[] array, int offset, int length) {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
    sha256.update(array, offset, length);
    out.append("{\"").append(UNPARSED_KEY).append("\": {\"problem\": ");
    appendString(out, problem);
    out.append(", \"bytes\": ").append(length).append(", \"sha256\": \"")
        .append(HexFormat.of().formatHex(sha256.digest())).append('"');
    String head = utf8Head(array, offset, Math.min(length, TOO_LARGE_HEAD_BYTES));
    if (JsonbCheck.stringProblem(head) == null) {
      out.append(", \"head\": ");
      appendString(out, head);
    }
    out.append("}}");
  }

  /** The first bytes as text, without a character cut in two at the end. */
  private static String utf8Head(byte[] array, int offset, int length) {
    return new String(array, offset, utf8End(array, offset, length) - offset, StandardCharsets.UTF_8);
  }

  /**
   * Where {@code length} bytes of UTF-8 from {@code offset} end without a character cut in two: at
   * the end, or before the last character when its bytes do not all fit.
   */
  public static int utf8End(byte[] array, int offset, int length) {
    int end = offset + length;
    int start = end;
    while (start > offset && (array[start - 1] & 0xC0) == 0x80) {
      start--; // continuation bytes of the last character
    }
    if (start > offset && (array[start - 1] & 0x80) != 0) {
      int lead = array[start - 1] & 0xFF;
      int needed = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
      if (end - (start - 1) < needed) {
        end = start - 1; // the last character is incomplete: leave it out
      }
    }
    return end;
  }

  private static void appendNumber(StringBuilder out, String text) {
    char first = text.charAt(0);
    // NaN, Infinity, -Infinity are not JSON numbers; to_jsonb gives them as strings.
    if (first == 'N' || first == 'I' || (first == '-' && text.length() > 1 && text.charAt(1) == 'I')) {
      appendString(out, text);
    } else {
      out.append(text);
    }
  }

  /**
   * ISO output ({@code 2024-01-02 03:04:05.5+00}, optionally followed by {@code " BC"}) to the
   * XSD form to_jsonb uses: a 'T' between date and time, and the offset always with minutes.
   */
  static String isoTimestamp(String text, boolean withOffset) {
    int space = text.indexOf(' ');
    if (space < 0) {
      return text; // infinity, -infinity
    }
    String era = "";
    String value = text;
    if (value.endsWith(" BC")) {
      era = " BC";
      value = value.substring(0, value.length() - 3);
    }
    StringBuilder iso = new StringBuilder(value.length() + 4).append(value);
    iso.setCharAt(space, 'T');
    if (withOffset) {
      int sign = Math.max(iso.lastIndexOf("+"), iso.lastIndexOf("-"));
      if (sign > space && iso.length() - sign == 3) { // "+hh" -> "+hh:00"
        iso.append(":00");
      }
    }
    return iso.append(era).toString();
  }

  /** Appends {@code s} as a JSON string literal. */
  public static void appendString(StringBuilder out, String s) {
    io.bemi.sql.JsonStrings.append(out, s);
  }


  /**
   * A parser for array_out's text: {@code [1:2]=} dimension decoration (optional), braces per
   * dimension, elements separated by the type's delimiter, double-quoted when they contain
   * special characters (with backslash escapes), and an unquoted {@code NULL} for null elements.
   */
  private static final class ArrayText {
    private final String text;
    private final PgType element;
    private final char delimiter;
    private int pos;

    ArrayText(String text, PgType arrayType) {
      this.text = text;
      this.element = arrayType.element();
      this.delimiter = arrayType.delimiter();
      if (!text.isEmpty() && text.charAt(0) == '[') {
        pos = text.indexOf('=') + 1;
      }
    }

    private String problem; // the first element kept in the fallback form

    String appendJson(StringBuilder out) {
      if (delimiter == ' ') { // int2vector, oidvector
        vector(out);
      } else {
        dimension(out);
        if (pos != text.length()) {
          throw new IllegalArgumentException("Text after the array at " + pos);
        }
      }
      return problem;
    }

    /** int2vector and oidvector print their elements space-separated, without braces. */
    private void vector(StringBuilder out) {
      out.append('[');
      String trimmed = text.trim();
      String[] elements = trimmed.isEmpty() ? new String[0] : trimmed.split(" +");
      for (int i = 0; i < elements.length; i++) {
        if (i > 0) {
          out.append(',');
        }
        element(out, elements[i]);
      }
      out.append(']');
    }

    private void element(StringBuilder out, String value) {
      String elementProblem = JsonValues.append(out, element, value);
      if (problem == null) {
        problem = elementProblem;
      }
    }

    private void dimension(StringBuilder out) {
      expect('{');
      out.append('[');
      if (text.charAt(pos) == '}') {
        pos++;
        out.append(']');
        return;
      }
      while (true) {
        char c = text.charAt(pos);
        if (c == '{') {
          dimension(out);
        } else if (c == '"') {
          element(out, quoted());
        } else {
          String raw = unquoted();
          element(out, raw.equalsIgnoreCase("NULL") ? null : raw);
        }
        char next = text.charAt(pos++);
        if (next == '}') {
          out.append(']');
          return;
        }
        if (next != delimiter) {
          throw new IllegalArgumentException("Unexpected '" + next + "' at " + (pos - 1) + " in array " + text);
        }
        out.append(',');
      }
    }

    private String quoted() {
      pos++; // opening quote
      StringBuilder value = new StringBuilder();
      while (true) {
        char c = text.charAt(pos++);
        if (c == '\\') {
          value.append(text.charAt(pos++));
        } else if (c == '"') {
          return value.toString();
        } else {
          value.append(c);
        }
      }
    }

    private String unquoted() {
      int start = pos;
      while (text.charAt(pos) != delimiter && text.charAt(pos) != '}') {
        pos++;
      }
      return text.substring(start, pos);
    }

    private void expect(char c) {
      if (text.charAt(pos) != c) {
        throw new IllegalArgumentException("Expected '" + c + "' at " + pos + " in array " + text);
      }
      pos++;
    }
  }
}

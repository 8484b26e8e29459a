package io.bemi.ingester.values;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;

/**
 * Says, before anything is sent to the destination, whether jsonb will accept a JSON text. The
 * {@code json} type (and {@code pg_logical_emit_message}) accept text that jsonb refuses; one such
 * value in a COPY would fail the whole batch, and every replay of it again. jsonb refuses:
 *
 * <ul>
 *   <li>{@code \u0000} in a string or key ({@code unsupported Unicode escape sequence});
 *   <li>an unpaired UTF-16 surrogate escape such as {@code "\ud800"};
 *   <li>a number numeric cannot hold: more than 131072 digits before the decimal point, more than
 *       16383 after it ({@code value overflows numeric format}); PostgreSQL 14 also refuses an
 *       exponent beyond ±1000, so that is the limit here on every version;
 *   <li>nesting deeper than the server's stack allows; {@value #MAX_DEPTH} levels are accepted here,
 *       which every default {@code max_stack_depth} holds.
 * </ul>
 *
 * Anything that is not a single JSON value is refused as well. The check is conservative: it may
 * refuse a rare text jsonb would take (then the text is kept in the fallback form, never lost).
 */
public final class JsonbCheck {

  public static final int MAX_DEPTH = 1000;
  private static final int MAX_EXPONENT = 1000;
  private static final int MAX_INTEGER_DIGITS = 131072;
  private static final int MAX_FRACTION_DIGITS = 16383;
  private static final int SHOWN = 40;

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(MAX_DEPTH)
          .maxNumberLength(Integer.MAX_VALUE)
          .maxStringLength(Integer.MAX_VALUE)
          .maxDocumentLength(-1)
          .build())
      .build();

  private JsonbCheck() {}

  /** Null when jsonb stores {@code text} as it is; otherwise why not (short, quoting at most 40 characters). */
  public static String problem(String text) {
    try (JsonParser parser = FACTORY.createParser(text)) {
      if (parser.nextToken() == null) {
        return "empty";
      }
      int depth = 0;
      do {
        JsonToken token = parser.currentToken();
        switch (token) {
          case START_OBJECT, START_ARRAY -> depth++;
          case END_OBJECT, END_ARRAY -> depth--;
          case FIELD_NAME, VALUE_STRING -> {
            String problem = stringProblem(parser.getText());
            if (problem != null) {
              return problem;
            }
          }
          case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
            String problem = numberProblem(parser.getText());
            if (problem != null) {
              return problem;
            }
          }
          default -> { }
        }
        if (depth == 0) {
          break;
        }
      } while (parser.nextToken() != null);
      if (depth != 0) {
        return "not JSON (unexpected end)";
      }
      if (parser.nextToken() != null) {
        return "not JSON (text after the value)";
      }
      return null;
    } catch (JsonProcessingException e) {
      String reason = e.getOriginalMessage();
      return "not JSON (" + shorten(reason == null ? e.getClass().getSimpleName() : reason) + ")";
    } catch (IOException e) {
      return "not JSON (" + shorten(String.valueOf(e.getMessage())) + ")";
    }
  }

  /** Whether jsonb can hold the string as a key or value: no NUL, no unpaired surrogate. */
  public static String stringProblem(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0) {
        return "contains \\u0000, which jsonb cannot store";
      }
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return "contains an unpaired surrogate, which jsonb cannot store";
      }
    }
    return null;
  }

  /** Whether numeric holds a JSON number token: its exponent, integer and fraction digits in range. */
  static String numberProblem(String number) {
    int length = number.length();
    if (length <= 18) {
      boolean plain = true;
      for (int i = 0; i < length && plain; i++) {
        char c = number.charAt(i);
        plain = c != 'e' && c != 'E';
      }
      if (plain) {
        return null; // the common case: short, no exponent
      }
    }
    int i = number.charAt(0) == '-' ? 1 : 0;
    while (i < length && number.charAt(i) == '0') {
      i++;
    }
    int significantStart = i;
    while (i < length && Character.isDigit(number.charAt(i))) {
      i++;
    }
    long integerDigits = i - significantStart;
    long fractionDigits = 0;
    if (i < length && number.charAt(i) == '.') {
      int fractionStart = ++i;
      while (i < length && Character.isDigit(number.charAt(i))) {
        i++;
      }
      fractionDigits = i - fractionStart;
    }
    long exponent = 0;
    if (i < length && (number.charAt(i) == 'e' || number.charAt(i) == 'E')) {
      i++;
      boolean negative = false;
      if (i < length && (number.charAt(i) == '+' || number.charAt(i) == '-')) {
        negative = number.charAt(i) == '-';
        i++;
      }
      for (; i < length; i++) {
        exponent = exponent * 10 + (number.charAt(i) - '0');
        if (exponent > MAX_EXPONENT) {
          return "number " + shorten(number) + " is outside what jsonb can hold";
        }
      }
      exponent = negative ? -exponent : exponent;
    }
    long weight = integerDigits + exponent;
    long scale = Math.max(0, fractionDigits - exponent);
    if (weight > MAX_INTEGER_DIGITS || scale > MAX_FRACTION_DIGITS) {
      return "number " + shorten(number) + " is outside what jsonb can hold";
    }
    return null;
  }

  static String shorten(String s) {
    return s.length() <= SHOWN ? s : s.substring(0, SHOWN) + "…";
  }
}

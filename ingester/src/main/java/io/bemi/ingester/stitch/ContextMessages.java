package io.bemi.ingester.stitch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bemi.ingester.values.JsonValues;
import io.bemi.ingester.values.JsonbCheck;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the content of a {@code _bemi} message: a UTF-8 JSON object, stored as it is. Anything
 * else is kept in the fallback form (see {@link JsonValues#appendUnparsed}) with the reason, so a
 * message never stops the stream and never vanishes:
 *
 * <table>
 *   <caption>Message content → stored context</caption>
 *   <tr><th>content</th><th>context</th></tr>
 *   <tr><td>a JSON object jsonb accepts, ≤ limit</td><td>the object as sent</td></tr>
 *   <tr><td>same, &gt; limit</td><td>reduced by {@link ContextTruncation} (marker {@code _bemi_truncated})</td></tr>
 *   <tr><td>not UTF-8, not JSON, not an object, or JSON jsonb refuses ({@link JsonbCheck})</td>
 *       <td>{@code {"_bemi_unparsed": {"problem": "…", "text": "<content>"}}} ({@code "hex"} when the
 *       content is not UTF-8 or holds a NUL); beyond the limit only its first limit bytes are kept</td></tr>
 * </table>
 */
final class ContextMessages {

  private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder()
              .maxNestingDepth(JsonbCheck.MAX_DEPTH).maxNumberLength(Integer.MAX_VALUE).build())
          .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
      .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
      .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
      .build();
  private static final ContextTruncation TRUNCATION = new ContextTruncation(JSON);

  private ContextMessages() {}

  /**
   * The outcome: {@code json} is always text for a jsonb column; {@code problem} says why it is
   * the fallback form (null when the message was a storable object), {@code truncated} that it
   * was reduced to the limit.
   */
  record Parsed(String json, String problem, boolean truncated) {
    boolean valid() {
      return problem == null;
    }
  }

  static Parsed parse(byte[] content, int maxBytes) {
    return parse(ByteBuffer.wrap(content), maxBytes, 0);
  }

  /**
   * @param maxParseBytes content larger than this (0: no limit) is not read as JSON at all, which
   *     would hold it several times over: only its first {@code maxBytes} are kept, in the fallback
   *     form (the ingester passes {@code --max-row-bytes}: a context never costs more than a row)
   */
  static Parsed parse(ByteBuffer message, int maxBytes, long maxParseBytes) {
    int length = message.remaining();
    if (maxParseBytes > 0 && length > maxParseBytes && length > maxBytes) {
      byte[] head = new byte[maxBytes];
      message.get(message.position(), head);
      String problem = "larger than --max-row-bytes (" + maxParseBytes + "), so not read as JSON: " + length
          + " bytes, the first " + maxBytes + " kept";
      StringBuilder out = new StringBuilder();
      JsonValues.appendUnparsed(out, problem, strictUtf8Prefix(head), head);
      return new Parsed(out.toString(), problem, false);
    }
    byte[] content = new byte[length]; // at most a row's size
    message.get(message.position(), content);
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(content)).toString();
    } catch (CharacterCodingException e) {
      return unparsed("not UTF-8", null, content, maxBytes);
    }
    String problem = JsonbCheck.problem(text);
    if (problem != null) {
      return unparsed(problem, text, content, maxBytes);
    }
    if (text.stripLeading().charAt(0) != '{') {
      return unparsed("not a JSON object", text, content, maxBytes);
    }
    if (content.length <= maxBytes) {
      return new Parsed(text, null, false);
    }
    try {
      ObjectNode reduced = TRUNCATION.reduce((ObjectNode) JSON.readTree(text), content.length, maxBytes);
      return new Parsed(JSON.writeValueAsString(reduced), null, true);
    } catch (JsonProcessingException e) { // JsonbCheck accepted it, so this is not expected
      return unparsed("not JSON (" + e.getOriginalMessage() + ")", text, content, maxBytes);
    }
  }

  private static Parsed unparsed(String problem, String text, byte[] content, int maxBytes) {
    StringBuilder out = new StringBuilder();
    if (content.length > maxBytes) {
      problem += "; larger than " + maxBytes + " bytes (" + content.length + "), the first " + maxBytes + " kept";
      byte[] head = Arrays.copyOf(content, maxBytes);
      String headText = text == null ? null : utf8Prefix(head);
      JsonValues.appendUnparsed(out, problem, headText, head);
    } else {
      JsonValues.appendUnparsed(out, problem, text, content);
    }
    return new Parsed(out.toString(), problem, false);
  }

  /** The head as text, without a character cut off at its end; null when it is not UTF-8. */
  private static String strictUtf8Prefix(byte[] head) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(head, 0, JsonValues.utf8End(head, 0, head.length))).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** The bytes as text, without a character cut off at their end. */
  private static String utf8Prefix(byte[] bytes) {
    return new String(bytes, 0, JsonValues.utf8End(bytes, 0, bytes.length), StandardCharsets.UTF_8);
  }
}

package io.bemi.ingester.stitch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads the content of a {@code _bemi} message: a UTF-8 JSON object. Anything else is rejected
 * with a reason; the caller counts and logs it and attributes {@code {}} instead.
 */
final class ContextMessages {

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private ContextMessages() {}

  /** The outcome: {@code json} (text for a jsonb column) when valid, otherwise {@code problem}. */
  record Parsed(String json, String problem) {
    boolean valid() {
      return problem == null;
    }
  }

  static Parsed parse(byte[] content, int maxBytes) {
    if (content.length > maxBytes) {
      return new Parsed(null, "larger than " + maxBytes + " bytes (" + content.length + ")");
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(content)).toString();
    } catch (CharacterCodingException e) {
      return new Parsed(null, "not UTF-8");
    }
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      return new Parsed(null, "not JSON (" + e.getOriginalMessage() + ")");
    }
    if (node == null || !node.isObject()) {
      return new Parsed(null, "not a JSON object");
    }
    // jsonb rejects \u0000 and unpaired surrogates; storing them would stop ingestion.
    if (!storableInJsonb(node)) {
      return new Parsed(null, "contains \\u0000 or an unpaired surrogate, which jsonb cannot store");
    }
    return new Parsed(text, null);
  }

  private static boolean storableInJsonb(JsonNode node) {
    if (node.isTextual()) {
      return storable(node.textValue());
    }
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.properties().iterator();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (!storable(field.getKey()) || !storableInJsonb(field.getValue())) {
          return false;
        }
      }
      return true;
    }
    if (node.isArray()) {
      for (JsonNode element : node) {
        if (!storableInJsonb(element)) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean storable(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0) {
        return false;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}

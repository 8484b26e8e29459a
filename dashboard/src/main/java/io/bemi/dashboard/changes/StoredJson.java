package io.bemi.dashboard.changes;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.bemi.history.Change;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The trail's stored JSON (a change's row images and context, a record's state) parsed exactly:
 * every digit of a numeric kept, deeper nesting than the dashboard renders shown as its text.
 */
public final class StoredJson {

  /**
   * Nesting the dashboard parses; deeper stored values (jsonb allows more) are shown as their JSON
   * text instead, so no page renders or serializes an unbounded recursion.
   */
  public static final int MAX_NESTING = 1000;

  private static final ObjectMapper MAPPER = mapper();

  private StoredJson() {}

  /**
   * The mapper for stored JSON: decimals stay BigDecimal with their scale, written plainly. Jackson's
   * default read limits are lifted where PostgreSQL stores more (a numeric has up to 147,455 digits,
   * a jsonb string up to 256 MB), so every value the trail holds can be shown.
   */
  public static ObjectMapper mapper() {
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNumberLength(Integer.MAX_VALUE)
            .maxStringLength(Integer.MAX_VALUE)
            .maxNameLength(Integer.MAX_VALUE)
            .maxNestingDepth(MAX_NESTING)
            .build())
        .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(MAX_NESTING + 100).build())
        .build();
    return JsonMapper.builder(factory)
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
        .enable(SerializationFeature.INDENT_OUTPUT)
        .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false)
        .build();
  }

  public static JsonNode before(Change change) {
    return parse(change.before());
  }

  public static JsonNode after(Change change) {
    return parse(change.after());
  }

  public static JsonNode context(Change change) {
    return parse(change.context());
  }

  /** Stored JSON text as a tree; null (a column without a value) as an empty object. */
  public static JsonNode parse(String text) {
    if (text == null) {
      return MAPPER.createObjectNode();
    }
    try {
      return MAPPER.readTree(text);
    } catch (IOException e) {
      if (e instanceof StreamConstraintsException || e.getCause() instanceof StreamConstraintsException) {
        return MAPPER.getNodeFactory().textNode(text); // deeper than MAX_NESTING: shown as its JSON text
      }
      throw new UncheckedIOException(e);
    }
  }
}

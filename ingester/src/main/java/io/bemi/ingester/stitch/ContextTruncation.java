package io.bemi.ingester.stitch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reduces an oversized context object to a limit, the contract shared with the driver and the
 * agent (test vectors: {@code src/test/resources/context-truncation-vectors.json}):
 *
 * <ol>
 *   <li>The result starts with {@code "_bemi_truncated": {"originalBytes": N, "droppedKeys": [...]}}
 *       (N: UTF-8 size of the original; the dropped top-level keys in original order, at most
 *       {@value #MAX_LISTED} of them, each cut to {@value #MAX_LISTED_KEY} characters).
 *   <li>Keys are considered identifying keys first ({@link #IDENTIFYING_KEYS}, in that order),
 *       then every other key in original order.
 *   <li>A key is kept when its serialized value is at most {@value #MAX_VALUE_BYTES} bytes and the
 *       result still fits the limit. "Still fits" is decided with the marker listing every key not
 *       kept so far (undecided ones included), so the final result, whose list can only be
 *       shorter, fits too.
 * </ol>
 *
 * Sizes are those of compact serialization ({@code {"a":1}}) in UTF-8.
 */
public final class ContextTruncation {

  public static final String MARKER = "_bemi_truncated";
  public static final List<String> IDENTIFYING_KEYS = List.of("user", "userId", "requestId", "endpoint", "method",
      "traceId", "job", "tenant", "thread", "mainClass");
  static final int MAX_VALUE_BYTES = 1024;
  static final int MAX_LISTED = 100;
  static final int MAX_LISTED_KEY = 256;

  private final ObjectMapper json;

  public ContextTruncation(ObjectMapper json) {
    this.json = json;
  }

  /** The context itself when it fits {@code limit}, otherwise the reduced object. */
  public ObjectNode reduce(ObjectNode context, int originalBytes, int limit) {
    if (originalBytes <= limit) {
      return context;
    }
    List<String> order = new ArrayList<>();
    for (String key : IDENTIFYING_KEYS) {
      if (context.has(key)) {
        order.add(key);
      }
    }
    context.fieldNames().forEachRemaining(key -> {
      if (!IDENTIFYING_KEYS.contains(key)) {
        order.add(key);
      }
    });
    Map<String, Integer> position = new LinkedHashMap<>();
    List<String> originalOrder = new ArrayList<>();
    context.fieldNames().forEachRemaining(key -> {
      position.put(key, originalOrder.size());
      originalOrder.add(key);
    });
    boolean[] kept = new boolean[originalOrder.size()];
    long keptBytes = 0; // the kept members, "key":value each, without separators
    int keptCount = 0;
    for (String key : order) {
      int index = position.get(key);
      long valueBytes = bytes(context.get(key));
      if (valueBytes > MAX_VALUE_BYTES || keptBytes + valueBytes > limit) {
        continue;
      }
      long member = bytes(json.getNodeFactory().textNode(key)) + 1 + valueBytes;
      kept[index] = true; // tentatively: every key not kept (undecided ones included) is listed as dropped
      long size = 2 + bytes(json.getNodeFactory().textNode(MARKER)) + 1 + bytes(marker(originalBytes, originalOrder, kept))
          + keptCount + 1 + keptBytes + member;
      kept[index] = size <= limit;
      if (kept[index]) {
        keptBytes += member;
        keptCount++;
      }
    }
    ObjectNode result = json.createObjectNode();
    result.set(MARKER, marker(originalBytes, originalOrder, kept));
    for (String key : order.stream().filter(k -> kept[position.get(k)]).toList()) {
      result.set(key, context.get(key));
    }
    return result;
  }

  private ObjectNode marker(int originalBytes, List<String> keys, boolean[] kept) {
    ObjectNode marker = json.createObjectNode();
    marker.put("originalBytes", originalBytes);
    ArrayNode dropped = marker.putArray("droppedKeys");
    for (int i = 0; i < keys.size() && dropped.size() < MAX_LISTED; i++) {
      if (!kept[i]) {
        String key = keys.get(i);
        dropped.add(listedKey(key));
      }
    }
    return marker;
  }

  /** The first 256 characters, never ending in half a surrogate pair (jsonb would refuse it). */
  private static String listedKey(String key) {
    if (key.length() <= MAX_LISTED_KEY) {
      return key;
    }
    int end = Character.isHighSurrogate(key.charAt(MAX_LISTED_KEY - 1)) ? MAX_LISTED_KEY - 1 : MAX_LISTED_KEY;
    return key.substring(0, end);
  }

  long bytes(JsonNode node) {
    try {
      return json.writeValueAsString(node).getBytes(StandardCharsets.UTF_8).length;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}

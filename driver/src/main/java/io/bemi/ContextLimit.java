package io.bemi;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The size contract for contexts, shared by the driver, the agent and the ingester: a context
 * whose JSON fits {@code maxBytes} (UTF-8) is sent unchanged; a larger one is reduced, never
 * dropped whole:
 *
 * <pre>
 * {"_bemi_truncated":{"originalBytes":N,"droppedKeys":[…]}, &lt;kept keys&gt;}
 * </pre>
 *
 * Keys are considered identifying ones first ({@link #IDENTIFYING}, in that order), then the rest
 * in their original order; a key is kept when its value's JSON is at most {@value #MAX_VALUE_BYTES}
 * bytes and the result, marker included, still fits (checked against the marker that would list
 * every key not yet kept, so the final result fits too). {@code droppedKeys} lists dropped keys in
 * original order, at most {@value #MAX_LISTED} of them, each cut to {@value #MAX_KEY_CHARS}
 * characters. The marker itself is always there, even when it alone exceeds a tiny limit.
 */
final class ContextLimit {

  static final int DEFAULT_MAX_BYTES = 65_536;
  static final String MARKER = "_bemi_truncated";
  static final List<String> IDENTIFYING =
      List.of("user", "userId", "requestId", "endpoint", "method", "traceId", "job", "tenant", "thread", "mainClass");
  static final int MAX_VALUE_BYTES = 1024;
  static final int MAX_LISTED = 100;
  static final int MAX_KEY_CHARS = 256;

  private ContextLimit() {}

  /** {@code json} (the serialization of {@code values}) if it fits {@code maxBytes}, else the reduced object. */
  static String fit(Map<String, Object> values, String json, int maxBytes) {
    if ((long) json.length() * 3 <= maxBytes) {
      return json; // at most 3 UTF-8 bytes per UTF-16 char: most contexts are clearly within the limit
    }
    int originalBytes = utf8Length(json);
    if (originalBytes <= maxBytes) {
      return json;
    }
    List<String> order = new ArrayList<>(values.size());
    for (String key : IDENTIFYING) {
      if (values.containsKey(key)) {
        order.add(key);
      }
    }
    for (String key : values.keySet()) {
      if (!IDENTIFYING.contains(key)) {
        order.add(key);
      }
    }
    Map<String, String> kept = new LinkedHashMap<>();
    int keptBytes = 0;
    for (int i = 0; i < order.size(); i++) {
      String key = order.get(i);
      String value = Json.write(values.get(key));
      int valueBytes = utf8Length(value);
      if (valueBytes > MAX_VALUE_BYTES) {
        continue;
      }
      int entryBytes = utf8Length(Json.write(key)) + 1 + valueBytes + 1; // "key":value,
      kept.put(key, value);
      if (utf8Length(marker(values, kept, originalBytes)) + keptBytes + entryBytes + 1 > maxBytes) {
        kept.remove(key);
      } else {
        keptBytes += entryBytes;
      }
    }
    StringBuilder out = new StringBuilder(marker(values, kept, originalBytes));
    out.setLength(out.length() - 1);
    for (Map.Entry<String, String> entry : kept.entrySet()) {
      out.append(',');
      Json.string(out, entry.getKey());
      out.append(':').append(entry.getValue());
    }
    return out.append('}').toString();
  }

  /** {@code {"_bemi_truncated":{…}}} listing every key of {@code values} not in {@code kept}. */
  private static String marker(Map<String, Object> values, Map<String, String> kept, int originalBytes) {
    StringBuilder out = new StringBuilder("{\"").append(MARKER).append("\":{\"originalBytes\":").append(originalBytes)
        .append(",\"droppedKeys\":[");
    int listed = 0;
    for (String key : values.keySet()) {
      if (!kept.containsKey(key) && listed < MAX_LISTED) {
        out.append(listed++ > 0 ? "," : "");
        Json.string(out, key.codePointCount(0, key.length()) > MAX_KEY_CHARS
            ? key.substring(0, key.offsetByCodePoints(0, MAX_KEY_CHARS)) : key);
      }
    }
    return out.append("]}}").toString();
  }

  static int utf8Length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}

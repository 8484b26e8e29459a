package io.bemi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The context of one thread at one moment: an immutable map and its JSON, rendered once when the
 * context is set. Hand it to another thread with {@link Bemi#restore(ContextSnapshot)}, or let
 * {@link Bemi#wrap(Runnable)} do it.
 */
public final class ContextSnapshot {

  /** No context: nothing is emitted. */
  public static final ContextSnapshot EMPTY = new ContextSnapshot(Map.of(), "{}");

  private final Map<String, Object> values;
  private final String json;

  private ContextSnapshot(Map<String, Object> values, String json) {
    this.values = values;
    this.json = json;
  }

  static ContextSnapshot of(Map<String, ?> values) {
    if (values == null || values.isEmpty()) {
      return EMPTY;
    }
    Map<String, Object> copy = new LinkedHashMap<>(values.size() * 2);
    for (Map.Entry<String, ?> entry : values.entrySet()) {
      if (entry.getKey() == null) {
        throw new IllegalArgumentException("Context keys must not be null");
      }
      copy.put(entry.getKey(), entry.getValue());
    }
    Map<String, Object> frozen = Collections.unmodifiableMap(copy);
    return new ContextSnapshot(frozen, Json.write(frozen));
  }

  /** The values as set (an unmodifiable copy of the top level). */
  public Map<String, Object> values() {
    return values;
  }

  /** The JSON object emitted to the WAL, e.g. {@code {"user":"ann","endpoint":"/orders"}}. */
  public String json() {
    return json;
  }

  /**
   * The JSON within {@code maxBytes} of UTF-8: unchanged when it fits, else reduced to a
   * {@code "_bemi_truncated"} marker and the identifying keys that fit (the contract every Bemi
   * writer and the ingester share; see docs/driver.md). The marker is not bounded by
   * {@code maxBytes}: it lists up to 100 dropped keys of up to 256 characters, so with many or long
   * keys and a small limit the result can exceed it.
   */
  public String json(int maxBytes) {
    return ContextLimit.fit(values, json, maxBytes);
  }

  /** {@link #jsonWith(String, String)} within {@code maxBytes}, as {@link #json(int)}. */
  public String jsonWith(String key, String value, int maxBytes) {
    String with = jsonWith(key, value);
    if ((long) with.length() * 3 <= maxBytes) {
      return with;
    }
    Map<String, Object> all = new LinkedHashMap<>(values);
    all.put(key, value);
    return ContextLimit.fit(all, with, maxBytes);
  }

  public boolean isEmpty() {
    return values.isEmpty();
  }

  /**
   * This context's JSON with one more string member, e.g. the statement text under {@code "SQL"};
   * a member of the same name in the context is replaced.
   */
  public String jsonWith(String key, String value) {
    if (values.containsKey(key)) {
      Map<String, Object> replaced = new LinkedHashMap<>(values);
      replaced.put(key, value);
      return Json.write(replaced);
    }
    StringBuilder out = new StringBuilder(json.length() + key.length() + value.length() + 8);
    out.append(json, 0, json.length() - 1);
    if (!values.isEmpty()) {
      out.append(',');
    }
    Json.string(out, key);
    out.append(':');
    Json.string(out, value);
    return out.append('}').toString();
  }

  @Override
  public String toString() {
    return "ContextSnapshot" + json;
  }
}

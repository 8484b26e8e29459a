package io.bemi.ingester.values;

/** How {@code to_jsonb} renders a value of a type (after looking through domains). */
public enum JsonKind {
  /** int2, int4, int8, float4, float8, numeric: a JSON number; NaN and ±Infinity as strings. */
  NUMBER,
  /** bool: true / false. */
  BOOLEAN,
  /** json, jsonb: nested JSON. */
  JSON,
  /** timestamp: ISO-8601 without offset, {@code 2024-01-02T03:04:05.5}. */
  TIMESTAMP,
  /** timestamptz: ISO-8601 with offset, {@code 2024-01-02T03:04:05.5+00:00}. */
  TIMESTAMPTZ,
  /** Any array: a JSON array (nested for several dimensions) of its elements. */
  ARRAY,
  /** Everything else: a JSON string of the type's text output. */
  STRING
}

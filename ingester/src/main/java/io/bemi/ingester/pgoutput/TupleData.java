package io.bemi.ingester.pgoutput;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** The column values of one row, in the column order of the row's {@link PgOutputMessage.Relation}. */
public record TupleData(List<Value> values) {

  public TupleData {
    values = List.copyOf(values);
  }

  public int size() {
    return values.size();
  }

  public Value get(int column) {
    return values.get(column);
  }

  /** How a value travels on the wire: the byte after each column in TupleData. */
  public enum Kind {
    /** {@code 'n'}: SQL NULL. */
    NULL,
    /** {@code 'u'}: an unchanged TOASTed value the server did not send; take it from the old row. */
    UNCHANGED_TOAST,
    /** {@code 't'}: the value in the type's text output form. */
    TEXT,
    /** {@code 'b'}: the type's binary send form (only with the {@code binary} option, not used by the ingester). */
    BINARY
  }

  public record Value(Kind kind, byte[] bytes) {

    public static final Value NULL = new Value(Kind.NULL, null);
    public static final Value UNCHANGED_TOAST = new Value(Kind.UNCHANGED_TOAST, null);

    public static Value text(String text) {
      return new Value(Kind.TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The text form (UTF-8); null for NULL and unchanged-TOAST values. */
    public String text() {
      return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Value v && v.kind == kind && java.util.Arrays.equals(v.bytes, bytes);
    }

    @Override
    public int hashCode() {
      return kind.hashCode() * 31 + java.util.Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return switch (kind) {
        case NULL -> "n";
        case UNCHANGED_TOAST -> "u";
        case TEXT -> "t:" + text();
        case BINARY -> "b:" + bytes.length + " bytes";
      };
    }
  }
}

package io.bemi.ingester.pgoutput;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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

  /**
   * One column's value: for TEXT and BINARY, {@code length} bytes of {@code array} from {@code offset}.
   * The decoder slices the received message rather than copying each value, so a value is held once
   * while its row is rendered; a tuple must not outlive the handling of its message.
   */
  public record Value(Kind kind, byte[] array, int offset, int length) {

    public static final Value NULL = new Value(Kind.NULL, null, 0, 0);
    public static final Value UNCHANGED_TOAST = new Value(Kind.UNCHANGED_TOAST, null, 0, 0);

    public Value(Kind kind, byte[] bytes) {
      this(kind, bytes, 0, bytes == null ? 0 : bytes.length);
    }

    public static Value text(String text) {
      return new Value(Kind.TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The text form (UTF-8); null for NULL and unchanged-TOAST values. */
    public String text() {
      return array == null ? null : new String(array, offset, length, StandardCharsets.UTF_8);
    }

    /** Whether both are the same kind with the same bytes. */
    public boolean sameAs(Value other) {
      return other.kind == kind && (array == null ? other.array == null : other.array != null
          && Arrays.equals(array, offset, offset + length, other.array, other.offset, other.offset + other.length));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Value v && sameAs(v);
    }

    @Override
    public int hashCode() {
      int hash = kind.hashCode();
      for (int i = offset; array != null && i < offset + length; i++) {
        hash = hash * 31 + array[i];
      }
      return hash;
    }

    @Override
    public String toString() {
      return switch (kind) {
        case NULL -> "n";
        case UNCHANGED_TOAST -> "u";
        case TEXT -> "t:" + text();
        case BINARY -> "b:" + length + " bytes";
      };
    }
  }
}

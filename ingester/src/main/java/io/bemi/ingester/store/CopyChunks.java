package io.bemi.ingester.store;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;

/**
 * Encodes rows in COPY's text format into one fixed chunk of UTF-8 that is handed on whenever it
 * fills. A row is never built whole: a value costs the store its {@code String} and,
 * while it is copied, its UTF-8 bytes, where building the row as a {@code String}, then its bytes,
 * then a growing buffer of them held it four to eight times over.
 *
 * <p>Not thread-safe: one store thread owns it.
 */
final class CopyChunks {

  /** Receives a full (or flushed) chunk; {@code bytes} is reused once it returns. */
  interface Consumer {
    void accept(byte[] bytes, int length) throws SQLException;
  }

  private final byte[] chunk;
  private final Consumer consumer;
  private int length;

  CopyChunks(int size, Consumer consumer) {
    this.chunk = new byte[size];
    this.consumer = consumer;
  }

  /** Bytes encoded and not yet handed on. */
  int size() {
    return length;
  }

  /** Hands on what is encoded, if anything. */
  void flush() throws SQLException {
    if (length > 0) {
      consumer.accept(chunk, length);
      length = 0;
    }
  }

  /** Forgets what is encoded and not handed on. */
  void discard() {
    length = 0;
  }

  /**
   * A text field: {@code \N} for null; backslash, newline, carriage return and tab escaped. The
   * value's UTF-8 bytes (one array, made by the JDK's fast encoder; a lone surrogate becomes
   * {@code ?}) are copied in runs between escapes: in UTF-8 no byte of a multi-byte character
   * equals one of those four.
   */
  CopyChunks text(String value) throws SQLException {
    if (value == null) {
      return ascii("\\N");
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    int start = 0;
    for (int i = 0; i < bytes.length; i++) {
      byte b = bytes[i];
      if (b == '\\' || b == '\n' || b == '\r' || b == '\t') {
        put(bytes, start, i - start);
        put((byte) '\\');
        put((byte) (b == '\\' ? '\\' : b == '\n' ? 'n' : b == '\r' ? 'r' : 't'));
        start = i + 1;
      }
    }
    put(bytes, start, bytes.length - start);
    return this;
  }

  /** Text known to be ASCII with nothing to escape (numbers, times, names of operations). */
  CopyChunks ascii(String value) throws SQLException {
    for (int i = 0; i < value.length(); i++) {
      put((byte) value.charAt(i));
    }
    return this;
  }

  CopyChunks number(long value) throws SQLException {
    return ascii(Long.toString(value));
  }

  /** The field separator. */
  CopyChunks tab() throws SQLException {
    return put((byte) '\t');
  }

  /** The end of a row. */
  CopyChunks newline() throws SQLException {
    return put((byte) '\n');
  }

  private CopyChunks put(byte b) throws SQLException {
    if (length == chunk.length) {
      flush();
    }
    chunk[length++] = b;
    return this;
  }

  private void put(byte[] bytes, int offset, int count) throws SQLException {
    while (count > 0) {
      if (length == chunk.length) {
        flush();
      }
      int n = Math.min(count, chunk.length - length);
      System.arraycopy(bytes, offset, chunk, length, n);
      length += n;
      offset += n;
      count -= n;
    }
  }
}

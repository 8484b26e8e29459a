package io.bemi.ingester.store;

import java.sql.SQLException;

/**
 * Encodes rows in COPY's text format straight into UTF-8, in one fixed chunk that is handed on
 * whenever it fills. A row is never held whole a second time: a value of hundreds of megabytes
 * costs the store no more memory than the {@code String} it already has, where building the row as
 * a {@code String}, then its bytes, then a buffer of them held it four to eight times over.
 *
 * <p>Not thread-safe: one store thread owns it.
 */
final class CopyChunks {

  /** Receives a full (or flushed) chunk; {@code bytes} is reused once it returns. */
  interface Consumer {
    void accept(byte[] bytes, int length) throws SQLException;
  }

  private static final int MAX_BYTES_PER_CHAR = 4; // a surrogate pair; an escape is 2

  private final byte[] chunk;
  private final int limit;
  private final Consumer consumer;
  private int length;

  CopyChunks(int size, Consumer consumer) {
    this.chunk = new byte[size];
    this.limit = size - MAX_BYTES_PER_CHAR;
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

  /** A text field: {@code \N} for null; backslash, newline, carriage return and tab escaped. */
  CopyChunks text(String value) throws SQLException {
    if (value == null) {
      return ascii("\\N");
    }
    byte[] out = chunk;
    int n = value.length();
    for (int i = 0; i < n; i++) {
      if (length > limit) {
        flush();
      }
      char c = value.charAt(i);
      if (c < 0x80) {
        switch (c) {
          case '\\' -> escape('\\');
          case '\n' -> escape('n');
          case '\r' -> escape('r');
          case '\t' -> escape('t');
          default -> out[length++] = (byte) c;
        }
      } else if (c < 0x800) {
        out[length++] = (byte) (0xC0 | c >> 6);
        out[length++] = (byte) (0x80 | c & 0x3F);
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1))) {
        int codePoint = Character.toCodePoint(c, value.charAt(++i));
        out[length++] = (byte) (0xF0 | codePoint >> 18);
        out[length++] = (byte) (0x80 | codePoint >> 12 & 0x3F);
        out[length++] = (byte) (0x80 | codePoint >> 6 & 0x3F);
        out[length++] = (byte) (0x80 | codePoint & 0x3F);
      } else if (Character.isSurrogate(c)) {
        out[length++] = '?'; // a lone surrogate, as String.getBytes(UTF_8) replaces it
      } else {
        out[length++] = (byte) (0xE0 | c >> 12);
        out[length++] = (byte) (0x80 | c >> 6 & 0x3F);
        out[length++] = (byte) (0x80 | c & 0x3F);
      }
    }
    return this;
  }

  /** Text known to be ASCII with nothing to escape (numbers, times, names of operations). */
  CopyChunks ascii(String value) throws SQLException {
    int n = value.length();
    for (int i = 0; i < n; i++) {
      if (length > limit) {
        flush();
      }
      chunk[length++] = (byte) value.charAt(i);
    }
    return this;
  }

  CopyChunks number(long value) throws SQLException {
    return ascii(Long.toString(value));
  }

  /** The field separator. */
  CopyChunks tab() throws SQLException {
    return separator('\t');
  }

  /** The end of a row. */
  CopyChunks newline() throws SQLException {
    return separator('\n');
  }

  private CopyChunks separator(char c) throws SQLException {
    if (length > limit) {
      flush();
    }
    chunk[length++] = (byte) c;
    return this;
  }

  private void escape(char c) {
    chunk[length++] = '\\';
    chunk[length++] = (byte) c;
  }
}

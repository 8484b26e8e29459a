package io.bemi.jdbc;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the driver has emitted since this class was loaded, across all its connections: the
 * {@code _bemi} messages that went to the server, the bytes of context JSON they carried, how many
 * carried a context reduced to fit {@code bemi.maxContextBytes}, and how many writes needed no
 * message because their transaction's latest message already carried the same context. Reads never
 * move a counter.
 *
 * <p>A message counts once the statement that carries it succeeds; a transaction rolled back
 * afterwards discards it in the server, not here. The counters are static, so one per class loader
 * that loads the driver. Reading is cheap (a {@link LongAdder} sum); counting costs the hot path an
 * increment and nothing else. Micrometer users get them from the Spring Boot starter as
 * {@code bemi.driver.*} meters; others can poll them.
 */
public final class BemiDriverStats {

  /** How a reduced context starts (see {@code io.bemi.ContextLimit}). */
  static final String TRUNCATED_PREFIX = "{\"_bemi_truncated\"";

  private static final LongAdder MESSAGES_SENT = new LongAdder();
  private static final LongAdder CONTEXT_BYTES_SENT = new LongAdder();
  private static final LongAdder CONTEXTS_TRUNCATED = new LongAdder();
  private static final LongAdder MESSAGES_SKIPPED = new LongAdder();

  private BemiDriverStats() {}

  /** {@code _bemi} messages sent in statements that succeeded. */
  public static long messagesSent() {
    return MESSAGES_SENT.sum();
  }

  /** Bytes (UTF-8) of context JSON in those messages. */
  public static long contextBytesSent() {
    return CONTEXT_BYTES_SENT.sum();
  }

  /** Those messages whose context was larger than {@code bemi.maxContextBytes} and went reduced ({@code _bemi_truncated}). */
  public static long contextsTruncated() {
    return CONTEXTS_TRUNCATED.sum();
  }

  /** Writes that needed no message: the same context was already the latest message of their transaction. */
  public static long messagesSkipped() {
    return MESSAGES_SKIPPED.sum();
  }

  static void sent(int jsonBytes, boolean truncated) {
    MESSAGES_SENT.increment();
    CONTEXT_BYTES_SENT.add(jsonBytes);
    if (truncated) {
      CONTEXTS_TRUNCATED.increment();
    }
  }

  static void skipped() {
    MESSAGES_SKIPPED.increment();
  }

  /**
   * {@code json}'s length in UTF-8, without encoding it. Context JSON has no unpaired surrogates
   * ({@code io.bemi.Json} replaces them), so a surrogate is half of a 4-byte pair.
   */
  static int utf8Length(String json) {
    int bytes = json.length();
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (c >= 0x800 && !Character.isSurrogate(c)) {
        bytes += 2;
      } else if (c >= 0x80) {
        bytes += 1;
      }
    }
    return bytes;
  }

  @Override
  public String toString() {
    return "BemiDriverStats[messagesSent=" + messagesSent() + ", contextBytesSent=" + contextBytesSent()
        + ", contextsTruncated=" + contextsTruncated() + ", messagesSkipped=" + messagesSkipped() + "]";
  }
}

package io.bemi.ingester.store;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Time-ordered change ids (UUID version 7, RFC 9562): 48 bits of Unix milliseconds, then a 12-bit
 * sequence that keeps ids issued within one millisecond increasing, then 62 random bits. Ids the
 * ingester issues increase, so inserting them appends to the right edge of {@code changes_pkey}
 * instead of touching a random leaf page per row as {@code gen_random_uuid()} does.
 *
 * <p>Ids are identifiers, not secrets: the random bits come from {@link ThreadLocalRandom}. Not
 * thread-safe: one store owns one generator.
 */
public final class ChangeIds {

  private long lastMillis;
  private int sequence;

  /** The next id, greater than every id this generator issued before (also when the clock steps back). */
  public UUID next(long nowMillis) {
    if (nowMillis > lastMillis) {
      lastMillis = nowMillis;
      sequence = 0;
    } else if (++sequence > 0xFFF) { // 4,096 ids in one millisecond: borrow the next millisecond
      lastMillis++;
      sequence = 0;
    }
    long high = (lastMillis & 0xFFFF_FFFF_FFFFL) << 16 | 0x7000 | sequence;
    long low = ThreadLocalRandom.current().nextLong() & 0x3FFF_FFFF_FFFF_FFFFL | 0x8000_0000_0000_0000L;
    return new UUID(high, low);
  }
}

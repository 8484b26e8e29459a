package io.bemi.ingester;

/**
 * A limit on how many bytes are in flight between two threads (here: row text queued between the
 * reader and the store thread), beside the queue's limit on their number. An item larger than the
 * whole limit still passes when nothing else is in flight, so nothing waits forever.
 */
final class ByteBudget {

  private final long limit;
  private long used;

  /** @param limit bytes; 0 or less: no limit */
  ByteBudget(long limit) {
    this.limit = limit;
  }

  /** Takes {@code bytes} from the budget, waiting up to {@code timeoutMillis} for room; false if there was none. */
  synchronized boolean take(long bytes, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    while (!fits(bytes)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    used += bytes;
    return true;
  }

  synchronized void release(long bytes) {
    used -= bytes;
    notifyAll();
  }

  synchronized long used() {
    return used;
  }

  private boolean fits(long bytes) {
    return limit <= 0 || used == 0 || used + bytes <= limit;
  }
}

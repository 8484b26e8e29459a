package io.bemi.ingester;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A limit on how many bytes are in flight between two threads (here: row text queued between the
 * reader and the store thread), beside the queue's limit on their number. An item larger than the
 * whole limit still passes when nothing else is in flight, so nothing waits forever. Taking and
 * releasing are lock-free while there is room; only a thread that has to wait takes the monitor.
 */
final class ByteBudget {

  private final long limit;
  private final AtomicLong used = new AtomicLong();
  private volatile boolean waiting;

  /** @param limit bytes; 0 or less: no limit */
  ByteBudget(long limit) {
    this.limit = limit;
  }

  /** Takes {@code bytes} from the budget, waiting up to {@code timeoutMillis} for room; false if there was none. */
  boolean take(long bytes, long timeoutMillis) throws InterruptedException {
    if (tryTake(bytes)) {
      return true;
    }
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    synchronized (this) {
      waiting = true;
      try {
        while (!tryTake(bytes)) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          wait(Math.max(1, left / 1_000_000));
        }
        return true;
      } finally {
        waiting = false;
      }
    }
  }

  void release(long bytes) {
    used.addAndGet(-bytes);
    if (waiting) {
      synchronized (this) {
        notifyAll();
      }
    }
  }

  private boolean tryTake(long bytes) {
    while (true) {
      long now = used.get();
      if (limit > 0 && now > 0 && now + bytes > limit) {
        return false;
      }
      if (used.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }
}

package io.bemi.dashboard.changes;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/** The list of tables with changes, reloaded when older than its time to live. */
final class TableCatalog {

  private final Supplier<List<String>> loader;
  private final long ttlNanos;
  private List<String> tables;
  private long loadedAt;

  TableCatalog(Supplier<List<String>> loader, Duration ttl) {
    this.loader = loader;
    this.ttlNanos = ttl.toNanos();
  }

  synchronized List<String> get() {
    long now = System.nanoTime();
    if (tables == null || now - loadedAt > ttlNanos) {
      tables = List.copyOf(loader.get());
      loadedAt = now;
    }
    return tables;
  }
}

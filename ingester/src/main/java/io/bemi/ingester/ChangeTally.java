package io.bemi.ingester;

import io.bemi.history.Operation;
import io.bemi.ingester.stitch.StoreEvent;
import io.micrometer.core.instrument.Counter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts the changes of the open destination transaction per table and operation, and adds them
 * to the per-table counters when it commits (so the counters only ever show stored changes). A
 * change costs a comparison with the previous one's table in the common case (runs of one table),
 * a hash lookup otherwise. Store thread only.
 */
final class ChangeTally {

  private record Key(String schema, String table, Operation operation) {}

  private static final class Count {
    final Counter counter;
    long pending;

    Count(Counter counter) {
      this.counter = counter;
    }
  }

  private final IngesterMetrics metrics;
  private final Map<Key, Count> counts = new HashMap<>();
  private final List<Count> touched = new ArrayList<>();
  private String lastSchema;
  private String lastTable;
  private Operation lastOperation;
  private Count last;

  ChangeTally(IngesterMetrics metrics) {
    this.metrics = metrics;
  }

  void add(StoreEvent.Change change) {
    if (last == null || change.operation() != lastOperation || !change.table().equals(lastTable)
        || !change.schema().equals(lastSchema)) {
      lastSchema = change.schema();
      lastTable = change.table();
      lastOperation = change.operation();
      last = counts.computeIfAbsent(new Key(lastSchema, lastTable, lastOperation),
          k -> new Count(metrics.changesStoredCounter(k.schema(), k.table(), k.operation())));
    }
    if (last.pending++ == 0) {
      touched.add(last);
    }
  }

  /** After the destination commit: adds what it stored to the counters. */
  void publish() {
    for (Count count : touched) {
      count.counter.increment(count.pending);
      count.pending = 0;
    }
    touched.clear();
  }
}

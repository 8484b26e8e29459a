package io.bemi.spring.boot;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the starter has done since start: connections it wrapped and contexts it set, by source.
 * Plain counters, published as Micrometer meters by {@link BemiMeters} when Micrometer is present.
 */
public final class BemiCounts {

  final LongAdder connectionsWrapped = new LongAdder();
  final LongAdder requestContexts = new LongAdder();
  final LongAdder jobContexts = new LongAdder();
  final LongAdder asyncContexts = new LongAdder();

  public long connectionsWrapped() {
    return connectionsWrapped.sum();
  }

  public long requestContexts() {
    return requestContexts.sum();
  }

  public long jobContexts() {
    return jobContexts.sum();
  }

  public long asyncContexts() {
    return asyncContexts.sum();
  }
}

package io.bemi.spring.boot;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Publishes {@link BemiCounts}:
 * <ul>
 *   <li>{@code bemi.connections.wrapped}: connections handed out with the Bemi wrapper;
 *   <li>{@code bemi.contexts{source=request|job|async}}: contexts set for HTTP requests,
 *       {@code @Scheduled} runs and tasks carried to another thread.
 * </ul>
 */
final class BemiMeters implements MeterBinder {

  private final BemiCounts counts;

  BemiMeters(BemiCounts counts) {
    this.counts = counts;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    FunctionCounter.builder("bemi.connections.wrapped", counts, BemiCounts::connectionsWrapped)
        .description("Connections handed out with the Bemi wrapper, whose writes carry the context")
        .register(registry);
    context(registry, "request", BemiCounts::requestContexts);
    context(registry, "job", BemiCounts::jobContexts);
    context(registry, "async", BemiCounts::asyncContexts);
  }

  private void context(MeterRegistry registry, String source, java.util.function.ToDoubleFunction<BemiCounts> count) {
    FunctionCounter.builder("bemi.contexts", counts, count)
        .description("Bemi contexts set by the starter, by where they came from")
        .tag("source", source)
        .register(registry);
  }
}

package io.bemi.spring.boot;

import io.bemi.jdbc.BemiDriverStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.function.ToDoubleFunction;

/**
 * Publishes what the driver sent ({@link BemiDriverStats}) and what the starter did ({@link BemiCounts}):
 * <ul>
 *   <li>{@code bemi.driver.messages.sent}, {@code bemi.driver.context.bytes.sent},
 *       {@code bemi.driver.contexts.truncated}, {@code bemi.driver.messages.skipped}: the {@code _bemi}
 *       messages the driver emitted, their context bytes, those reduced to fit
 *       {@code bemi.maxContextBytes}, and writes that needed none (counted by the driver, for every
 *       connection of its class loader);
 *   <li>{@code bemi.connections.wrapped}: connections handed out with the Bemi wrapper;
 *   <li>{@code bemi.contexts{source=request|job|async}}: contexts set for HTTP requests,
 *       {@code @Scheduled} runs and tasks carried to another thread (whether or not they wrote).
 * </ul>
 */
final class BemiMeters implements MeterBinder {

  private final BemiCounts counts;

  BemiMeters(BemiCounts counts) {
    this.counts = counts;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    driver(registry, "bemi.driver.messages.sent", "_bemi messages the driver sent in statements that succeeded",
        null, stats -> BemiDriverStats.messagesSent());
    driver(registry, "bemi.driver.context.bytes.sent", "Bytes (UTF-8) of context JSON in the _bemi messages sent",
        "bytes", stats -> BemiDriverStats.contextBytesSent());
    driver(registry, "bemi.driver.contexts.truncated",
        "_bemi messages whose context exceeded bemi.maxContextBytes and was reduced (_bemi_truncated)",
        null, stats -> BemiDriverStats.contextsTruncated());
    driver(registry, "bemi.driver.messages.skipped",
        "Writes that needed no _bemi message: their transaction's latest message already carried the context",
        null, stats -> BemiDriverStats.messagesSkipped());
    FunctionCounter.builder("bemi.connections.wrapped", counts, BemiCounts::connectionsWrapped)
        .description("Connections handed out with the Bemi wrapper, whose writes carry the context")
        .register(registry);
    context(registry, "request", BemiCounts::requestContexts);
    context(registry, "job", BemiCounts::jobContexts);
    context(registry, "async", BemiCounts::asyncContexts);
  }

  /**
   * One of the driver's counters. They are static, so the meter's state object is the class itself,
   * which lives as long as the driver (Micrometer holds state objects weakly).
   */
  private static void driver(MeterRegistry registry, String name, String description, String unit,
      ToDoubleFunction<Class<BemiDriverStats>> count) {
    FunctionCounter.builder(name, BemiDriverStats.class, count)
        .description(description)
        .baseUnit(unit)
        .register(registry);
  }

  private void context(MeterRegistry registry, String source, ToDoubleFunction<BemiCounts> count) {
    FunctionCounter.builder("bemi.contexts", counts, count)
        .description("Bemi contexts set by the starter, by where they came from (whether or not they wrote)")
        .tag("source", source)
        .register(registry);
  }
}

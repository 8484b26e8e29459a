package io.bemi.ingester.sink.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Per-endpoint meters (tag {@code endpoint}, the URL without user info and query):
 * {@code bemi_webhook_requests_total{status}} (status = HTTP status class, or "error" without a response),
 * {@code bemi_webhook_request_seconds}, {@code bemi_webhook_retries_total},
 * {@code bemi_webhook_transactions_delivered_total}, {@code bemi_webhook_dead_letters_total}.
 */
final class WebhookMetrics {

  private final MeterRegistry registry;
  private final String endpoint;
  private final Timer duration;
  private final Counter retries;
  private final Counter delivered;
  private final Counter deadLetters;

  WebhookMetrics(MeterRegistry registry, String endpoint) {
    this.registry = registry;
    this.endpoint = endpoint;
    this.duration = Timer.builder("bemi.webhook.request").tag("endpoint", endpoint)
        .description("Webhook request durations").register(registry);
    this.retries = Counter.builder("bemi.webhook.retries").tag("endpoint", endpoint).register(registry);
    this.delivered = Counter.builder("bemi.webhook.transactions.delivered").tag("endpoint", endpoint)
        .register(registry);
    this.deadLetters = Counter.builder("bemi.webhook.dead.letters").tag("endpoint", endpoint).register(registry);
  }

  void response(int status, long nanos) {
    duration.record(nanos, TimeUnit.NANOSECONDS);
    requests((status / 100) + "xx");
  }

  void failed(long nanos) {
    duration.record(nanos, TimeUnit.NANOSECONDS);
    requests("error");
  }

  private void requests(String status) {
    Counter.builder("bemi.webhook.requests").tag("endpoint", endpoint).tag("status", status).register(registry)
        .increment();
  }

  void retried() {
    retries.increment();
  }

  void delivered(int transactions) {
    delivered.increment(transactions);
  }

  void deadLettered() {
    deadLetters.increment();
  }
}

package io.bemi.ingester.sink.webhook;

import java.net.URI;
import java.time.Duration;

/**
 * Where and how the webhook sink posts.
 *
 * @param url the receiver
 * @param secret the shared HMAC-SHA256 key of the {@code Bemi-Signature} header
 * @param perTransaction one POST per source transaction; false: one per batch (several transactions)
 * @param requestTimeout a request without a response this long is retried
 * @param maxBackoff the longest wait between retries (Retry-After is honoured up to this)
 * @param giveUpAfter a batch still failing this long ends the session: the ingester restarts from
 *     the slot's confirmed position and delivers it again (same idempotency keys)
 */
public record WebhookSettings(URI url, String secret, boolean perTransaction, Duration requestTimeout,
    Duration maxBackoff, Duration giveUpAfter) {

  public WebhookSettings {
    if (url == null || !(url.getScheme() != null && url.getScheme().matches("https?"))) {
      throw new IllegalArgumentException("--webhook-url must be an http(s) URL, got " + url);
    }
    if (secret == null || secret.length() < 16) {
      throw new IllegalArgumentException("--webhook-secret (or BEMI_WEBHOOK_SECRET) must be at least 16 characters:"
          + " receivers verify the Bemi-Signature header with it");
    }
  }

  public static WebhookSettings defaults(URI url, String secret) {
    return new WebhookSettings(url, secret, true, Duration.ofSeconds(10), Duration.ofSeconds(30),
        Duration.ofMinutes(5));
  }

  public WebhookSettings withTiming(Duration requestTimeout, Duration maxBackoff, Duration giveUpAfter) {
    return new WebhookSettings(url, secret, perTransaction, requestTimeout, maxBackoff, giveUpAfter);
  }

  public WebhookSettings perBatch() {
    return new WebhookSettings(url, secret, false, requestTimeout, maxBackoff, giveUpAfter);
  }

  /** The URL as logged and stored: no user info, no query (either may hold a token). */
  public String endpoint() {
    return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
        + (url.getRawPath() == null ? "" : url.getRawPath());
  }
}

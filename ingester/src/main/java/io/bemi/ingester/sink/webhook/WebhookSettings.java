package io.bemi.ingester.sink.webhook;

import io.bemi.ingester.IngesterConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Pattern;

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
 * @param partChanges a source transaction with more changes is posted in parts of this many
 * @param partBytes … or of about this much row text, so that no transaction is held whole in memory;
 *     a batch of several transactions is posted once it holds this much
 */
public record WebhookSettings(URI url, String secret, boolean perTransaction, Duration requestTimeout,
    Duration maxBackoff, Duration giveUpAfter, int partChanges, long partBytes) {

  /** Changes per request of a transaction posted in parts. */
  public static final int PART_CHANGES = 10_000;

  public WebhookSettings(URI url, String secret, boolean perTransaction, Duration requestTimeout, Duration maxBackoff,
      Duration giveUpAfter) {
    this(url, secret, perTransaction, requestTimeout, maxBackoff, giveUpAfter, PART_CHANGES,
        IngesterConfig.bufferBytes() / 2);
  }

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
    return new WebhookSettings(url, secret, perTransaction, requestTimeout, maxBackoff, giveUpAfter, partChanges,
        partBytes);
  }

  public WebhookSettings perBatch() {
    return new WebhookSettings(url, secret, false, requestTimeout, maxBackoff, giveUpAfter, partChanges, partBytes);
  }

  /** The same with other part limits (tests). */
  public WebhookSettings withParts(int changes, long bytes) {
    return new WebhookSettings(url, secret, perTransaction, requestTimeout, maxBackoff, giveUpAfter, changes, bytes);
  }

  /** The URL the requests go to: {@link #url} without its user information (sent as {@link #authorization}). */
  public URI requestUrl() {
    String userInfo = url.getRawUserInfo();
    return userInfo == null ? url : URI.create(url.toString().replaceFirst("//" + Pattern.quote(userInfo) + "@", "//"));
  }

  /**
   * The {@code Authorization} header for a URL with user information ({@code https://user:password@host/…}):
   * HTTP Basic, as curl sends it; null without.
   */
  public String authorization() {
    String userInfo = url.getUserInfo(); // decoded
    return userInfo == null ? null : "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
  }

  /** The URL as logged and stored: no user info, no query (either may hold a token). */
  public String endpoint() {
    return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
        + (url.getRawPath() == null ? "" : url.getRawPath());
  }
}

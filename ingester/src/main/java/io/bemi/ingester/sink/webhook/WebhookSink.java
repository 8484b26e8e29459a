package io.bemi.ingester.sink.webhook;

import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.failover.SourceIdentity;
import io.bemi.ingester.sink.ChangeEnvelope;
import io.bemi.ingester.sink.Sink;
import io.bemi.ingester.sink.SinkFactory;
import io.bemi.ingester.sink.SinkUnavailableException;
import io.bemi.ingester.stitch.StoreEvent;
import io.bemi.ingester.stitch.StoreEvent.Change;
import io.bemi.ingester.stitch.StoreEvent.Commit;
import io.bemi.ingester.stitch.StoreEvent.ContextBackfill;
import io.bemi.ingester.stitch.Transaction;
import io.bemi.ingester.store.Checkpoint;
import io.bemi.ingester.values.JsonValues;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts changes to a webhook, at least once. A batch of whole source transactions is delivered
 * (one POST per transaction, or one per batch) before {@link #commit()} returns, so the slot is
 * confirmed only after the receiver answered 2xx. Failures are retried with exponential backoff
 * and full jitter, honouring Retry-After; a non-retryable 4xx is stored in
 * {@code webhook_dead_letters} (then the slot moves on); a batch failing longer than
 * {@code giveUpAfter} ends the session and is delivered again from the checkpoint.
 *
 * <p>After each delivered batch its checkpoint is written to the destination (see
 * {@link Deliveries}); a restart resumes after it. Duplicates happen only when a request was
 * received but its 2xx did not get back (a timeout, a crash before the checkpoint); a duplicate
 * always carries the same {@code Idempotency-Key}
 * ({@code <database>/<slot>/<commit LSN>} of the request's last transaction) and the same body
 * except the events' {@code ts_ms}. A source transaction is held in memory until it is posted.
 */
public final class WebhookSink implements Sink {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookSink.class);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);

  private final WebhookSettings settings;
  private final String slot;
  private final String database;
  private final String source; // <database>/<slot>
  private final String trailSource; // the events' bemi.source, as run stores changes.source
  private final HttpClient http;
  private final Deliveries deliveries;
  private final WebhookMetrics metrics;
  private final List<List<Change>> batch = new ArrayList<>(); // complete transactions
  private final List<Change> open = new ArrayList<>(); // the transaction being received
  private int uncommittedChanges;
  private Checkpoint pending;

  WebhookSink(WebhookSettings settings, String slot, String database, String trailSource, Deliveries deliveries,
      WebhookMetrics metrics) {
    this.settings = settings;
    this.slot = slot;
    this.database = database;
    this.source = database + "/" + slot;
    this.trailSource = trailSource;
    this.deliveries = deliveries;
    this.metrics = metrics;
    this.http = HttpClient.newBuilder().connectTimeout(settings.requestTimeout())
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /**
   * Opens a webhook sink per session; dead letters go to {@code schema.webhook_dead_letters} there.
   * {@code sourceName} is the events' {@code bemi.source} ({@code --source-name}; null: the
   * system identifier and database of {@code source}, as {@code run} stores {@code changes.source}).
   */
  public static SinkFactory factory(WebhookSettings settings, PostgresUrl destination, String schema,
      MeterRegistry registry, PostgresUrl source, String sourceName) {
    WebhookMetrics metrics = new WebhookMetrics(registry, settings.endpoint());
    return (slot, database) -> new WebhookSink(settings, slot, database,
        SourceIdentity.sourceName(source, sourceName, database), new Deliveries(destination, schema), metrics);
  }

  @Override
  public Checkpoint storedCheckpoint() throws SQLException {
    return deliveries.checkpoint(slot, database);
  }

  @Override
  public void accept(StoreEvent event) {
    if (event instanceof Change change) {
      open.add(change);
      uncommittedChanges++;
    } else if (event instanceof ContextBackfill backfill) {
      for (int i = 0; i < open.size(); i++) {
        Change c = open.get(i);
        if (c.index() < backfill.beforeIndex()) {
          open.set(i, c.withContext(backfill.context()));
        }
      }
    } else {
      Commit commit = (Commit) event;
      if (!open.isEmpty()) {
        batch.add(new ArrayList<>(open));
        open.clear();
      }
      pending = new Checkpoint(commit.transaction().commitLsn(), commit.endLsn(), commit.transaction().committedAt());
    }
  }

  @Override
  public boolean canCommit() {
    return open.isEmpty() && pending != null;
  }

  @Override
  public int uncommittedChanges() {
    return uncommittedChanges;
  }

  @Override
  public Checkpoint commit() throws SQLException {
    if (!canCommit()) {
      throw new IllegalStateException("Not at a source transaction boundary");
    }
    if (settings.perTransaction()) {
      for (List<Change> transaction : batch) {
        deliver(List.of(transaction), source + "/" + transaction.get(0).transaction().commitLsn());
      }
    } else if (!batch.isEmpty()) {
      deliver(batch, source + "/" + batch.get(batch.size() - 1).get(0).transaction().commitLsn());
    }
    Checkpoint checkpoint = pending;
    if (!batch.isEmpty()) {
      deliveries.saveCheckpoint(slot, database, checkpoint);
    }
    batch.clear();
    uncommittedChanges = 0;
    pending = null;
    return checkpoint;
  }

  @Override
  public void rollback() {
    batch.clear();
    open.clear();
    uncommittedChanges = 0;
    pending = null;
  }

  @Override
  public void close() throws SQLException {
    rollback();
    deliveries.close();
  }

  /**
   * Posts rows of the baseline snapshot (read events of one baseline position) as one request
   * whose idempotency key is {@code <database>/<slot>/<baseline LSN>/<first change index>}.
   */
  void deliverBaseline(List<Change> rows) throws SQLException {
    Change first = rows.get(0);
    deliver(List.of(rows), source + "/" + first.transaction().commitLsn() + "/" + first.index());
  }

  /** Posts one request until a 2xx or a dead letter; throws when it keeps failing past giveUpAfter. */
  private void deliver(List<List<Change>> transactions, String key) throws SQLException {
    Transaction last = transactions.get(transactions.size() - 1).get(0).transaction();
    String body = body(transactions, key);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    long giveUpAt = System.nanoTime() + settings.giveUpAfter().toNanos();
    Duration backoff = FIRST_BACKOFF;
    for (int attempt = 1; ; attempt++) {
      long started = System.nanoTime();
      Duration wait;
      String failure;
      try {
        HttpResponse<String> response = http.send(request(key, bytes, attempt), HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        metrics.response(status, System.nanoTime() - started);
        if (status >= 200 && status < 300) {
          metrics.delivered(transactions.size());
          return;
        }
        if (status >= 400 && status < 500 && status != 408 && status != 429) {
          deliveries.store(settings.endpoint(), key, last.commitLsn().value(), status, response.body(), body);
          metrics.deadLettered();
          LOG.warn("Webhook {} refused {} with HTTP {}; stored in webhook_dead_letters, moving on",
              settings.endpoint(), key, status);
          return;
        }
        failure = "HTTP " + status;
        wait = retryAfter(response).orElse(null);
      } catch (IOException e) {
        metrics.failed(System.nanoTime() - started);
        failure = e.toString();
        wait = null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SinkUnavailableException("Interrupted while delivering " + key, e);
      }
      if (wait == null) {
        // full jitter: a random wait up to the current backoff, which doubles up to maxBackoff
        wait = Duration.ofMillis(ThreadLocalRandom.current().nextLong(backoff.toMillis() + 1));
        backoff = backoff.multipliedBy(2).compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff()
            : backoff.multipliedBy(2);
      } else if (wait.compareTo(settings.maxBackoff()) > 0) {
        wait = settings.maxBackoff();
      }
      if (System.nanoTime() + wait.toNanos() > giveUpAt) {
        throw new SinkUnavailableException("Webhook " + settings.endpoint() + " still failing for " + key + " after "
            + attempt + " attempts (" + failure + ")", null);
      }
      metrics.retried();
      if (attempt == 1 || attempt % 10 == 0) {
        LOG.warn("Webhook {} failed for {} ({}), attempt {}; retrying in {} ms", settings.endpoint(), key, failure,
            attempt, wait.toMillis());
      }
      try {
        Thread.sleep(wait.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SinkUnavailableException("Interrupted while delivering " + key, e);
      }
    }
  }

  private HttpRequest request(String key, byte[] body, int attempt) {
    HttpRequest.Builder request = HttpRequest.newBuilder(settings.requestUrl());
    if (settings.authorization() != null) {
      request.header("Authorization", settings.authorization());
    }
    return request
        .timeout(settings.requestTimeout())
        .header("Content-Type", "application/json")
        .header("User-Agent", "bemi-ingester/" + ChangeEnvelope.VERSION)
        .header("Idempotency-Key", key)
        .header("Bemi-Attempt", String.valueOf(attempt))
        .header(WebhookSignature.HEADER, WebhookSignature.header(settings.secret(),
            Instant.now().getEpochSecond(), body))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
  }

  /**
   * The request body:
   * <pre>
   * {"source": "DB/SLOT", "idempotency_key": KEY,
   *  "transactions": [{"id": "XID:COMMIT_LSN", "commit_lsn": N, "committed_at": ISO, "changes": [EVENT…]}, …]}
   * </pre>
   * where EVENT is {@link ChangeEnvelope#value}.
   */
  private String body(List<List<Change>> transactions, String key) {
    StringBuilder json = new StringBuilder(1024);
    json.append("{\"source\":");
    JsonValues.appendString(json, source);
    json.append(",\"idempotency_key\":");
    JsonValues.appendString(json, key);
    json.append(",\"transactions\":[");
    long now = System.currentTimeMillis();
    for (int t = 0; t < transactions.size(); t++) {
      List<Change> changes = transactions.get(t);
      Transaction transaction = changes.get(0).transaction();
      json.append(t == 0 ? "" : ",").append("{\"id\":\"").append(transaction.xid()).append(':')
          .append(transaction.commitLsn().value()).append("\",\"commit_lsn\":").append(transaction.commitLsn().value())
          .append(",\"committed_at\":\"").append(transaction.committedAt()).append("\",\"changes\":[");
      for (int c = 0; c < changes.size(); c++) {
        json.append(c == 0 ? "" : ",").append(ChangeEnvelope.value(changes.get(c), source, trailSource, now));
      }
      json.append("]}");
    }
    return json.append("]}").toString();
  }

  /** Retry-After in seconds or as an HTTP date. */
  private static java.util.Optional<Duration> retryAfter(HttpResponse<?> response) {
    return response.headers().firstValue("Retry-After").map(value -> {
      try {
        return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
      } catch (NumberFormatException notSeconds) {
        try {
          ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
          Duration until = Duration.between(Instant.now(), at.toInstant());
          return until.isNegative() ? Duration.ZERO : until;
        } catch (DateTimeParseException unparsable) {
          return null;
        }
      }
    });
  }

  @Override
  public String toString() {
    return "webhook " + settings.endpoint() + (settings.perTransaction() ? " (one POST per transaction)"
        : " (one POST per batch)");
  }
}

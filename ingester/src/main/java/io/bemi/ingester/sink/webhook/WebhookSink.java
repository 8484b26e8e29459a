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
 * except the events' {@code ts_ms}. A source transaction larger than the settings' part limits is
 * posted in parts as it arrives (keys {@code <database>/<slot>/<commit LSN>/<first change index>}),
 * so memory holds at most a part, whatever the transaction's size.
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
  private final List<Posted> batch = new ArrayList<>(); // complete transactions not yet posted
  private long batchText;
  private final List<Change> open = new ArrayList<>(); // changes of the transaction being received, not yet posted
  private long openText;
  private boolean inTransaction; // changes seen whose Commit has not arrived
  private int nextPartIndex = -1; // the transaction being received is posted in parts: its next change's index
  private boolean postedSinceCheckpoint;
  private int uncommittedChanges;
  private Checkpoint pending;

  /**
   * What one request holds of a transaction: all its changes ({@code firstIndex} null), or one part
   * of them, from change {@code firstIndex} on; {@code last} marks a transaction's final part.
   */
  private record Posted(Transaction transaction, List<Change> changes, Integer firstIndex, boolean last) {

    static Posted whole(List<Change> changes) {
      return new Posted(changes.get(0).transaction(), changes, null, false);
    }

    boolean completesTransaction() {
      return firstIndex == null || last;
    }
  }

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

  /**
   * Collects whole transactions for {@link #commit()}. A transaction of more than {@link
   * WebhookSettings#partChanges} changes or {@link WebhookSettings#partBytes} of row text is posted
   * in parts as it arrives (each waits for its 2xx), so it is never held whole; a batch of
   * transactions that reaches {@code partBytes} is posted at once too. The checkpoint still moves
   * only at {@link #commit()}.
   */
  @Override
  public void accept(StoreEvent event) throws SQLException {
    if (event instanceof Change change) {
      inTransaction = true;
      open.add(change);
      openText += change.textLength();
      uncommittedChanges++;
      if (open.size() >= settings.partChanges() || openText >= settings.partBytes()) {
        postBatch(); // the transactions before it go first
        postPart(change.transaction(), false);
      }
    } else if (event instanceof ContextBackfill backfill) {
      for (int i = 0; i < open.size(); i++) { // parts already posted keep {}, as Kafka events do
        Change c = open.get(i);
        if (c.index() < backfill.beforeIndex()) {
          open.set(i, c.withContext(backfill.context()));
        }
      }
    } else {
      Commit commit = (Commit) event;
      inTransaction = false;
      if (nextPartIndex >= 0) {
        postPart(commit.transaction(), true); // the rest, perhaps nothing: the receiver learns the transaction ended
      } else if (!open.isEmpty()) {
        batch.add(Posted.whole(new ArrayList<>(open)));
        batchText += openText;
        open.clear();
        openText = 0;
        if (batchText >= settings.partBytes()) {
          postBatch();
        }
      }
      pending = new Checkpoint(commit.transaction().commitLsn(), commit.endLsn(), commit.transaction().committedAt());
    }
  }

  @Override
  public boolean canCommit() {
    return !inTransaction && pending != null;
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
    postBatch();
    Checkpoint checkpoint = pending;
    if (postedSinceCheckpoint) {
      deliveries.saveCheckpoint(slot, database, checkpoint);
    }
    postedSinceCheckpoint = false;
    uncommittedChanges = 0;
    pending = null;
    return checkpoint;
  }

  /** Posts the complete transactions collected: one request each, or one for all of them. */
  private void postBatch() throws SQLException {
    if (batch.isEmpty()) {
      return;
    }
    if (settings.perTransaction()) {
      for (Posted transaction : batch) {
        deliver(List.of(transaction), source + "/" + transaction.transaction().commitLsn());
      }
    } else {
      deliver(batch, source + "/" + batch.get(batch.size() - 1).transaction().commitLsn());
    }
    batch.clear();
    batchText = 0;
    postedSinceCheckpoint = true;
  }

  /** Posts the open transaction's changes received since its last part, keyed by the first one's index. */
  private void postPart(Transaction transaction, boolean last) throws SQLException {
    int first = open.isEmpty() ? nextPartIndex : open.get(0).index();
    deliver(List.of(new Posted(transaction, List.copyOf(open), first, last)),
        source + "/" + transaction.commitLsn() + "/" + first);
    nextPartIndex = last ? -1 : first + open.size();
    open.clear();
    openText = 0;
    postedSinceCheckpoint = true;
  }

  @Override
  public void rollback() {
    batch.clear();
    batchText = 0;
    open.clear();
    openText = 0;
    inTransaction = false;
    nextPartIndex = -1;
    postedSinceCheckpoint = false;
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
    deliver(List.of(Posted.whole(rows)), source + "/" + first.transaction().commitLsn() + "/" + first.index());
  }

  /** Posts one request until a 2xx or a dead letter; throws when it keeps failing past giveUpAfter. */
  private void deliver(List<Posted> transactions, String key) throws SQLException {
    Transaction last = transactions.get(transactions.size() - 1).transaction();
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
          metrics.delivered((int) transactions.stream().filter(Posted::completesTransaction).count());
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
   * where EVENT is {@link ChangeEnvelope#value}; a part of a transaction posted in parts also has
   * {@code "part": {"first_change_index": I, "last": true|false}}.
   */
  private String body(List<Posted> transactions, String key) {
    StringBuilder json = new StringBuilder(1024);
    json.append("{\"source\":");
    JsonValues.appendString(json, source);
    json.append(",\"idempotency_key\":");
    JsonValues.appendString(json, key);
    json.append(",\"transactions\":[");
    long now = System.currentTimeMillis();
    for (int t = 0; t < transactions.size(); t++) {
      Posted posted = transactions.get(t);
      Transaction transaction = posted.transaction();
      json.append(t == 0 ? "" : ",").append("{\"id\":\"").append(transaction.xid()).append(':')
          .append(transaction.commitLsn().value()).append("\",\"commit_lsn\":").append(transaction.commitLsn().value())
          .append(",\"committed_at\":\"").append(transaction.committedAt()).append('"');
      if (posted.firstIndex() != null) {
        json.append(",\"part\":{\"first_change_index\":").append(posted.firstIndex()).append(",\"last\":")
            .append(posted.last()).append('}');
      }
      json.append(",\"changes\":[");
      List<Change> changes = posted.changes();
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

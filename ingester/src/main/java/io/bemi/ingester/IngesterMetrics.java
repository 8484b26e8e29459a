package io.bemi.ingester;

import io.bemi.ingester.leader.Leadership;
import io.bemi.ingester.monitor.LagEstimate;
import io.bemi.ingester.monitor.SlotMonitor;
import io.bemi.ingester.monitor.SlotPosition;
import io.bemi.ingester.setup.SetupCoverage;
import io.bemi.sql.Lsn;
import io.bemi.history.Operation;
import io.bemi.ingester.stitch.StitchListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Counters of one ingester, safe to read from any thread, registered in a Micrometer registry
 * (the Prometheus one behind {@code /metrics} in production). Hot-path counts are plain atomics
 * the registry reads when scraped; per-table counts are added once per destination commit.
 */
public final class IngesterMetrics implements StitchListener, SlotMonitor.Listener {

  private final MeterRegistry registry;
  private final Clock clock;
  private final Timer commitToStored;
  private final Timer storeCommit;

  private final AtomicLong changesStored = new AtomicLong();
  private final AtomicLong transactionsStored = new AtomicLong();
  private final AtomicLong batchesCommitted = new AtomicLong();
  private final AtomicLong malformedContextMessages = new AtomicLong();
  private final AtomicLong missingToastValues = new AtomicLong();
  private final AtomicLong contextsTruncated = new AtomicLong();
  private final AtomicLong valueFallbacks = new AtomicLong();
  private final AtomicLong valuesTooLarge = new AtomicLong();
  private final AtomicLong quarantined = new AtomicLong();
  private final AtomicLong reconnects = new AtomicLong();
  private final AtomicLong heartbeatsReceived = new AtomicLong();
  private final AtomicLong heartbeatsEmitted = new AtomicLong();
  // written by the reader thread only (lazySet), read by scrapes
  private final AtomicLong bytesReceived = new AtomicLong();
  private final AtomicLong messagesReceived = new AtomicLong();
  private final AtomicLong decodeNanos = new AtomicLong();
  private final AtomicLong readerWaitNanos = new AtomicLong();
  private final AtomicReference<Lsn> confirmedLsn = new AtomicReference<>(Lsn.INVALID);
  private final AtomicReference<Lsn> lastStoredCommitLsn = new AtomicReference<>(Lsn.INVALID);
  private final AtomicReference<Instant> lastStoredCommittedAt = new AtomicReference<>();
  private volatile SlotPosition slotPosition;
  private volatile Instant caughtUpTo;
  private volatile SetupCoverage setupCoverage;
  private volatile boolean streaming;
  private final Leadership leadership;

  public IngesterMetrics() {
    this(new SimpleMeterRegistry());
  }

  /** @param registry where every meter is registered (e.g. a Prometheus registry) */
  public IngesterMetrics(MeterRegistry registry) {
    this(registry, Clock.systemUTC());
  }

  public IngesterMetrics(MeterRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
    this.leadership = new Leadership(registry);
    this.commitToStored = Timer.builder("bemi.ingester.commit.to.stored")
        .description("From a source transaction's commit to the destination commit that stored it")
        .publishPercentiles(0.5, 0.99)
        .register(registry);
    this.storeCommit = Timer.builder("bemi.ingester.store.commit")
        .description("Destination commit of a batch (ends the COPY, writes the checkpoint, commits)")
        .register(registry);
    counter("bemi.ingester.changes.stored", changesStored, "Row changes stored");
    counter("bemi.ingester.transactions.stored", transactionsStored, "Source transactions stored");
    counter("bemi.ingester.batches.committed", batchesCommitted, "Destination transactions committed");
    counter("bemi.ingester.context.malformed", malformedContextMessages,
        "Malformed or non-transactional _bemi messages");
    counter("bemi.ingester.context.truncated", contextsTruncated,
        "Oversized _bemi context objects reduced to --max-context-bytes (identifying keys kept)");
    counter("bemi.ingester.values.fallback", valueFallbacks,
        "Row values jsonb cannot hold as they are, stored as {\"_bemi_unparsed\": …}");
    counter("bemi.ingester.values.too_large", valuesTooLarge,
        "Row values kept as their size and SHA-256 because their row exceeded --max-row-bytes");
    counter("bemi.ingester.quarantined", quarantined,
        "Changes the destination refused, stored in the quarantine table instead");
    counter("bemi.ingester.toast.missing", missingToastValues,
        "Unchanged TOAST values left out for want of an old row");
    counter("bemi.ingester.reconnects", reconnects, "Sessions ended by an outage and retried");
    counter("bemi.ingester.heartbeats.received", heartbeatsReceived, "Heartbeat messages read back from the slot");
    counter("bemi.ingester.heartbeats.emitted", heartbeatsEmitted, "Heartbeat messages emitted on the source");
    counter("bemi.ingester.messages.received", messagesReceived, "pgoutput messages read from the slot");
    FunctionCounter.builder("bemi.ingester.received", bytesReceived, AtomicLong::get).baseUnit("bytes")
        .description("pgoutput payload bytes read from the slot").register(registry);
    FunctionCounter.builder("bemi.ingester.decode", decodeNanos, n -> n.get() / 1e9).baseUnit("seconds")
        .description("Reader time spent decoding and stitching messages (excluding waits for the store)")
        .register(registry);
    FunctionCounter.builder("bemi.ingester.reader.waiting", readerWaitNanos, n -> n.get() / 1e9).baseUnit("seconds")
        .description("Reader time spent waiting for a full queue to the store thread (backpressure)")
        .register(registry);
    Gauge.builder("bemi.ingester.streaming", this, m -> m.isStreaming() ? 1 : 0)
        .description("1 while connected and streaming").register(registry);
    Gauge.builder("bemi.ingester.confirmed.lsn", this, m -> m.confirmedLsn().value())
        .description("End LSN of the last stored transaction (confirmed to the slot)").register(registry);
    Gauge.builder("bemi.ingester.lag", this, m -> m.slotPosition == null ? Double.NaN : m.slotPosition.lagBytes())
        .baseUnit("bytes").description("Server WAL position minus the slot's confirmed_flush_lsn (sampled)")
        .register(registry);
    Gauge.builder("bemi.ingester.retained.wal", this,
            m -> m.slotPosition == null ? Double.NaN : m.slotPosition.retainedBytes())
        .baseUnit("bytes").description("Server WAL position minus the slot's restart_lsn: WAL kept for the slot")
        .register(registry);
    Gauge.builder("bemi.ingester.lag.seconds", this, IngesterMetrics::lagSeconds)
        .description("Time since the newest moment up to which everything the server wrote is stored (sampled)")
        .register(registry);
    Gauge.builder("bemi.ingester.untracked.tables", this,
            m -> m.setupCoverage == null ? Double.NaN : m.setupCoverage.untracked().size())
        .description("Tables setup's --schemas/--tables/--exclude-tables take in that the publication lacks "
            + "(created since setup; none of their changes is captured); NaN: setup's choice not recorded")
        .register(registry);
    Gauge.builder("bemi.ingester.tables.without.full.identity", this,
            m -> m.setupCoverage == null ? Double.NaN : m.setupCoverage.withoutFullIdentity().size())
        .description("Tracked tables and partitions without REPLICA IDENTITY FULL (their old rows carry only "
            + "the key); NaN: setup's choice not recorded")
        .register(registry);
  }

  private void counter(String name, AtomicLong value, String description) {
    FunctionCounter.builder(name, value, AtomicLong::get).description(description).register(registry);
  }

  /** Latency from source commit (its commit timestamp) to the destination commit, per stored transaction. */
  public Timer commitToStored() {
    return commitToStored;
  }

  void transactionStored(Instant committedAt, Instant storedAt) {
    commitToStored.record(Duration.between(committedAt, storedAt));
  }

  void storeCommitTook(long nanos) {
    storeCommit.record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * {@code bemi_ingester_source{source="…"} 1}: which source this process stores changes of (the value of
   * {@code changes.source}), for joining its other meters to a source when several feed one destination.
   */
  void storingSource(String source) {
    Gauge.builder("bemi.ingester.source", () -> 1).description("The source whose changes this ingester stores")
        .tag("source", source).register(registry);
  }

  /** The counter of changes stored for one table and operation (looked up once per table by the store thread). */
  Counter changesStoredCounter(String schema, String table, Operation operation) {
    return Counter.builder("bemi.ingester.table.changes.stored")
        .description("Row changes stored, by source table and operation")
        .tag("schema", schema).tag("table", table).tag("operation", operation.name())
        .register(registry);
  }

  @Override
  public void malformedContextMessage() {
    malformedContextMessages.incrementAndGet();
  }

  @Override
  public void contextTruncated() {
    contextsTruncated.incrementAndGet();
  }

  @Override
  public void valueFallback() {
    valueFallbacks.incrementAndGet();
  }

  /** A change the destination refused was put into the quarantine table. */
  public void quarantinedChange() {
    quarantined.incrementAndGet();
  }

  public long contextsTruncated() {
    return contextsTruncated.get();
  }

  @Override
  public void valueTooLarge() {
    valuesTooLarge.incrementAndGet();
  }

  public long valuesTooLarge() {
    return valuesTooLarge.get();
  }

  public long valueFallbacks() {
    return valueFallbacks.get();
  }

  public long quarantinedChanges() {
    return quarantined.get();
  }

  @Override
  public void missingToastValue() {
    missingToastValues.incrementAndGet();
  }

  @Override
  public void heartbeat() {
    heartbeatsReceived.incrementAndGet();
  }

  @Override
  public void heartbeatEmitted() {
    heartbeatsEmitted.incrementAndGet();
  }

  @Override
  public void setupChecked(SetupCoverage coverage) {
    this.setupCoverage = coverage;
  }

  @Override
  public void slotSampled(SlotPosition position, Instant caughtUpTo) {
    this.slotPosition = position;
    this.caughtUpTo = caughtUpTo;
  }

  /** Reader thread only: running totals of what it read and how long decoding and waiting took. */
  void readerTotals(long bytes, long messages, long decodeNanosTotal, long waitNanosTotal) {
    bytesReceived.lazySet(bytes);
    messagesReceived.lazySet(messages);
    decodeNanos.lazySet(decodeNanosTotal);
    readerWaitNanos.lazySet(waitNanosTotal);
  }

  void batchCommitted(int changes, int transactions, Lsn commitLsn, Lsn endLsn, Instant committedAt) {
    changesStored.addAndGet(changes);
    transactionsStored.addAndGet(transactions);
    batchesCommitted.incrementAndGet();
    lastStoredCommitLsn.set(commitLsn);
    lastStoredCommittedAt.set(committedAt);
    confirmedLsn.set(endLsn);
  }

  void reconnected() {
    reconnects.incrementAndGet();
  }

  void streaming(boolean value) {
    streaming = value;
  }

  public long changesStored() {
    return changesStored.get();
  }

  public long transactionsStored() {
    return transactionsStored.get();
  }

  public long batchesCommitted() {
    return batchesCommitted.get();
  }

  public long malformedContextMessages() {
    return malformedContextMessages.get();
  }

  public long missingToastValues() {
    return missingToastValues.get();
  }

  public long reconnects() {
    return reconnects.get();
  }

  public long heartbeatsReceived() {
    return heartbeatsReceived.get();
  }

  public long heartbeatsEmitted() {
    return heartbeatsEmitted.get();
  }

  public long bytesReceived() {
    return bytesReceived.get();
  }

  public long messagesReceived() {
    return messagesReceived.get();
  }

  public long decodeNanos() {
    return decodeNanos.get();
  }

  public long readerWaitNanos() {
    return readerWaitNanos.get();
  }

  /** The latest sample of the slot, or null before the first. */
  public SlotPosition slotPosition() {
    return slotPosition;
  }

  /** Seconds behind (see {@link LagEstimate#seconds}); NaN before the first sample. */
  public double lagSeconds() {
    Instant upTo = caughtUpTo;
    return upTo == null ? Double.NaN : LagEstimate.seconds(upTo, clock.instant());
  }

  /** The end LSN of the last stored transaction: what the slot is (or is about to be) confirmed to. */
  public Lsn confirmedLsn() {
    return confirmedLsn.get();
  }

  public Lsn lastStoredCommitLsn() {
    return lastStoredCommitLsn.get();
  }

  public Instant lastStoredCommittedAt() {
    return lastStoredCommittedAt.get();
  }

  /** Who leads the slot and what this process is doing (leader, standby, outage, misconfigured). */
  public Leadership leadership() {
    return leadership;
  }

  /** Connected to the source and destination and reading the slot. */
  public boolean isStreaming() {
    return streaming;
  }
}

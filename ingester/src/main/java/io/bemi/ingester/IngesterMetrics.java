package io.bemi.ingester;

import io.bemi.ingester.pgoutput.Lsn;
import io.bemi.ingester.stitch.StitchListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Counters of one ingester, safe to read from any thread; an HTTP {@code /metrics} endpoint can
 * bind them to a meter registry.
 */
public final class IngesterMetrics implements StitchListener {

  private final Timer commitToStored;

  private final AtomicLong changesStored = new AtomicLong();
  private final AtomicLong transactionsStored = new AtomicLong();
  private final AtomicLong batchesCommitted = new AtomicLong();
  private final AtomicLong malformedContextMessages = new AtomicLong();
  private final AtomicLong missingToastValues = new AtomicLong();
  private final AtomicLong reconnects = new AtomicLong();
  private final AtomicReference<Lsn> confirmedLsn = new AtomicReference<>(Lsn.INVALID);
  private final AtomicReference<Lsn> lastStoredCommitLsn = new AtomicReference<>(Lsn.INVALID);
  private final AtomicReference<Instant> lastStoredCommittedAt = new AtomicReference<>();
  private volatile boolean streaming;

  public IngesterMetrics() {
    this(new SimpleMeterRegistry());
  }

  /** @param registry where the commit-to-stored latency timer is registered (e.g. a Prometheus registry) */
  public IngesterMetrics(MeterRegistry registry) {
    this.commitToStored = Timer.builder("bemi.ingester.commit.to.stored")
        .description("From a source transaction's commit to the destination commit that stored it")
        .publishPercentiles(0.5, 0.99)
        .register(registry);
  }

  /** Latency from source commit (its commit timestamp) to the destination commit, per stored transaction. */
  public Timer commitToStored() {
    return commitToStored;
  }

  void transactionStored(Instant committedAt, Instant storedAt) {
    commitToStored.record(Duration.between(committedAt, storedAt));
  }

  @Override
  public void malformedContextMessage() {
    malformedContextMessages.incrementAndGet();
  }

  @Override
  public void missingToastValue() {
    missingToastValues.incrementAndGet();
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

  /** Connected to the source and destination and reading the slot. */
  public boolean isStreaming() {
    return streaming;
  }
}

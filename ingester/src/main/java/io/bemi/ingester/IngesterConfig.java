package io.bemi.ingester;

import io.bemi.ingester.monitor.SlotMonitor;
import io.bemi.ingester.rules.ColumnRules;
import java.time.Duration;

/**
 * Everything {@code run} needs.
 *
 * @param maxBatchChanges commit the destination transaction once it holds this many changes (at the next source commit)
 * @param maxBatchDelay commit at the next source commit once the batch is this old, even if more is queued
 * @param batchLinger when nothing more is queued, wait until the batch is this old before committing it,
 *     so that a steady stream of small transactions is stored in fewer, larger destination transactions
 * @param queueCapacity events between the reader and the store thread
 * @param holdBack changes held back per transaction waiting for its first {@code _bemi} message
 * @param columnRules ignored and redacted columns
 * @param monitoring heartbeats, slot sampling and the retained-WAL warning
 * @param sourceName stored in every change's {@code source}; null: the source's system identifier and database
 * @param maxRowBytes a row whose values are larger keeps its largest values as their size and hash; 0: no limit
 * @param originNone leave out changes applied under a replication origin (a subscription's, another tool's), as
 *     pgoutput's {@code origin = none} (PostgreSQL 16+); false: capture every change, whoever applied it
 */
public record IngesterConfig(
    PostgresUrl source,
    PostgresUrl destination,
    String destinationSchema,
    String slot,
    String publication,
    int maxContextBytes,
    int maxBatchChanges,
    Duration maxBatchDelay,
    Duration batchLinger,
    int queueCapacity,
    int holdBack,
    Duration statusInterval,
    ColumnRules columnRules,
    SlotMonitor.Settings monitoring,
    String sourceName,
    long maxRowBytes,
    boolean originNone) {

  public static final int DEFAULT_MAX_CONTEXT_BYTES = 64 * 1024;
  /** Heartbeat every 10 s, sample the slot every 5 s, warn above 1 GB of retained WAL. */
  public static final SlotMonitor.Settings DEFAULT_MONITORING =
      new SlotMonitor.Settings(Duration.ofSeconds(10), Duration.ofSeconds(5), 1024);

  /** How long a batch waits for more transactions while nothing is queued (see {@code batchLinger}). */
  public static final Duration DEFAULT_BATCH_LINGER = Duration.ofMillis(20);

  public static IngesterConfig defaults(PostgresUrl source, PostgresUrl destination, String schema, String slot,
      String publication) {
    return new IngesterConfig(source, destination, schema, slot, publication, DEFAULT_MAX_CONTEXT_BYTES, 10_000,
        Duration.ofMillis(200), DEFAULT_BATCH_LINGER, 20_000, 1_000, Duration.ofSeconds(10), ColumnRules.NONE,
        DEFAULT_MONITORING, null, defaultMaxRowBytes(), false);
  }

  /** The same configuration with other batch limits (tests and benchmarks). */
  public IngesterConfig withBatching(int maxChanges, Duration maxDelay, int holdBackChanges) {
    return new IngesterConfig(source, destination, destinationSchema, slot, publication, maxContextBytes, maxChanges,
        maxDelay, batchLinger, queueCapacity, holdBackChanges, statusInterval, columnRules, monitoring, sourceName,
        maxRowBytes, originNone);
  }

  /** The same configuration with another {@code batchLinger} (zero: commit as soon as nothing is queued). */
  public IngesterConfig withBatchLinger(Duration linger) {
    return new IngesterConfig(source, destination, destinationSchema, slot, publication, maxContextBytes,
        maxBatchChanges, maxBatchDelay, linger, queueCapacity, holdBack, statusInterval, columnRules, monitoring,
        sourceName, maxRowBytes, originNone);
  }

  public IngesterConfig withMaxContextBytes(int bytes) {
    return new IngesterConfig(source, destination, destinationSchema, slot, publication, bytes, maxBatchChanges,
        maxBatchDelay, batchLinger, queueCapacity, holdBack, statusInterval, columnRules, monitoring, sourceName,
        maxRowBytes, originNone);
  }

  public IngesterConfig withColumnRules(ColumnRules rules) {
    return new IngesterConfig(source, destination, destinationSchema, slot, publication, maxContextBytes,
        maxBatchChanges, maxBatchDelay, batchLinger, queueCapacity, holdBack, statusInterval, rules, monitoring,
        sourceName, maxRowBytes, originNone);
  }

  public IngesterConfig withMonitoring(SlotMonitor.Settings settings) {
    return new IngesterConfig(source, destination, destinationSchema, slot, publication, maxContextBytes,
        maxBatchChanges, maxBatchDelay, batchLinger, queueCapacity, holdBack, statusInterval, columnRules, settings,
        sourceName, maxRowBytes, originNone);
  }

  public IngesterConfig withSourceName(String name) {
    return new IngesterConfig(source, destination, destinationSchema, slot, publication, maxContextBytes,
        maxBatchChanges, maxBatchDelay, batchLinger, queueCapacity, holdBack, statusInterval, columnRules, monitoring,
        name, maxRowBytes, originNone);
  }

  public IngesterConfig withMaxRowBytes(long bytes) {
    return new IngesterConfig(source, destination, destinationSchema, slot, publication, maxContextBytes,
        maxBatchChanges, maxBatchDelay, batchLinger, queueCapacity, holdBack, statusInterval, columnRules, monitoring,
        sourceName, bytes, originNone);
  }

  /** The same configuration asking the server to leave out changes applied under a replication origin, or not. */
  public IngesterConfig withOriginNone(boolean none) {
    return new IngesterConfig(source, destination, destinationSchema, slot, publication, maxContextBytes,
        maxBatchChanges, maxBatchDelay, batchLinger, queueCapacity, holdBack, statusInterval, columnRules, monitoring,
        sourceName, maxRowBytes, none);
  }

  /**
   * A sixteenth of the heap: a row is held a few times over while it is rendered and stored (as
   * received, as text, as JSON), and the queue and the changes held back for their context take
   * an eighth each ({@link #bufferBytes()}), so rows of this size never exhaust it.
   */
  public static long defaultMaxRowBytes() {
    return Runtime.getRuntime().maxMemory() / 16;
  }

  /**
   * How much row text (about) the queue between reader and store, and the changes held back for
   * their context, may each hold: an eighth of the heap. One change larger than that still passes
   * alone.
   */
  public static long bufferBytes() {
    return Runtime.getRuntime().maxMemory() / 8;
  }

  /** Destination and source are the same database: the ingester must not capture its own writes. */
  public boolean destinationIsSource() {
    return destination.sameDatabaseAs(source);
  }

  /**
   * The replication origin the destination session writes under when destination = source and
   * {@code originNone} (PostgreSQL 16+), so the walsender skips the trail's own writes before decoding them.
   */
  public String originName() {
    return "bemi_" + slot;
  }
}

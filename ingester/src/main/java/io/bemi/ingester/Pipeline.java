package io.bemi.ingester;

import io.bemi.ingester.catalog.SourceCatalog;
import io.bemi.ingester.leader.LeaderLease;
import io.bemi.ingester.monitor.SlotPosition;
import io.bemi.ingester.pgoutput.MessageType;
import io.bemi.ingester.pgoutput.PgOutputDecoder;
import io.bemi.ingester.pgoutput.PgOutputMessage;
import io.bemi.ingester.replication.SlotStream;
import io.bemi.ingester.sink.Sink;
import io.bemi.ingester.stitch.Stitcher;
import io.bemi.ingester.stitch.StoreEvent;
import io.bemi.ingester.store.Checkpoint;
import io.bemi.sql.Lsn;
import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One streaming session: the reader loop on the calling thread, the store loop on its own thread. */
final class Pipeline {
  private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);
  private static final Duration FINISH_TRANSACTION_ON_STOP = Duration.ofSeconds(10);
  private static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(10);
  /** How long the store thread waits for an event when it has nothing to commit. */
  private static final long IDLE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  /** Marks the end of the stream for the store thread (compared by identity). */
  private static final StoreEvent END = new StoreEvent.Commit(null, null, -1);

  private final IngesterConfig config;
  private final IngesterMetrics metrics;
  private final Clock clock;
  private final SessionHealth health;
  private final BooleanSupplier stopRequested;
  private final Sink store;
  private final SlotStream stream;
  private final LeaderLease lease;
  private final Stitcher stitcher;
  private final BlockingQueue<StoreEvent> queue;
  private final ByteBudget queuedText; // row text in the queue: bounds memory when rows are wide
  private final AtomicReference<Lsn> toConfirm = new AtomicReference<>(Lsn.INVALID);
  private final AtomicReference<Throwable> storeFailure = new AtomicReference<>();
  private final Thread storeThread;
  private Lsn lastEnqueuedEnd = Lsn.INVALID; // end LSN of the last Commit handed to the store
  private Instant progressSince; // store thread only
  private long progressChanges;
  private Lsn progressConfirmed;
  // reader thread only: running totals published to the metrics
  private long bytesReceived;
  private long messagesReceived;
  private long decodeNanos;
  private long waitNanos;

  Pipeline(IngesterConfig config, IngesterMetrics metrics, Clock clock, SessionHealth health,
      BooleanSupplier stopRequested, Sink store, SlotStream stream, SourceCatalog catalog, Stitcher.Settings settings,
      LeaderLease lease) {
    this.config = config;
    this.metrics = metrics;
    this.clock = clock;
    this.health = health;
    this.stopRequested = stopRequested;
    this.store = store;
    this.stream = stream;
    this.lease = lease;
    this.bytesReceived = metrics.bytesReceived();
    this.messagesReceived = metrics.messagesReceived();
    this.decodeNanos = metrics.decodeNanos();
    this.waitNanos = metrics.readerWaitNanos();
    this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
    this.queuedText = new ByteBudget(IngesterConfig.bufferBytes());
    this.stitcher = new Stitcher(settings, catalog, this::enqueue, metrics, clock);
    this.storeThread = new Thread(this::storeLoop, "bemi-store");
    this.storeThread.setDaemon(true);
  }

  void run() throws SQLException, InterruptedException {
    storeThread.start();
    metrics.streaming(true);
    health.streaming();
    try {
      long stopDeadline = 0;
      while (true) {
        if (stopRequested.getAsBoolean()) {
          if (!stitcher.inTransaction()) {
            break; // between transactions: everything received can be stored
          }
          if (stopDeadline == 0) {
            stopDeadline = System.nanoTime() + FINISH_TRANSACTION_ON_STOP.toNanos();
          } else if (System.nanoTime() > stopDeadline) {
            LOG.info("Stopping inside a transaction; it will be read again on the next start");
            break;
          }
        }
        checkStore();
        if (lease != null) {
          lease.requireHeld();
        }
        stream.confirm(toConfirm.get());
        ByteBuffer buffer = stream.readPending();
        if (buffer == null) {
          confirmIdlePosition();
          Thread.sleep(5);
          continue;
        }
        Lsn lsn = stream.lastReceived();
        long started = System.nanoTime();
        long waitedBefore = waitNanos;
        int bytes = buffer.remaining();
        PgOutputMessage message = PgOutputDecoder.decode(buffer, lsn);
        stitcher.accept(message, lsn);
        decodeNanos += System.nanoTime() - started - (waitNanos - waitedBefore);
        bytesReceived += bytes;
        messagesReceived++;
        metrics.readerTotals(bytesReceived, messagesReceived, decodeNanos, waitNanos);
        if (message.type() == MessageType.MESSAGE && !stitcher.inTransaction()) {
          confirmIdlePosition(); // a heartbeat (or any message outside a transaction) with nothing pending
        }
      }
      enqueue(END);
      while (storeThread.isAlive()) {
        storeThread.join(1000);
        stream.sendStatus();
      }
      checkStore();
      stream.confirm(toConfirm.get());
      LOG.info("Stopped after storing up to {}", metrics.lastStoredCommitLsn());
    } finally {
      if (storeThread.isAlive()) {
        storeThread.interrupt();
        storeThread.join(10_000);
      }
    }
  }

  private void checkStore() throws SQLException {
    Throwable failure = storeFailure.get();
    if (failure instanceof SQLException sql) {
      throw sql;
    }
    if (failure instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (failure instanceof OutOfMemoryError) {
      throw new IllegalStateException("Store thread failed: " + failure + ": a row of this transaction does not fit in"
          + " the ingester's heap; start it with a larger one (JAVA_OPTS=-Xmx…, docs/ingester.md, Guarantees:"
          + " memory grows with the largest row, not the transaction). Nothing was stored from it; the next run"
          + " retries it", failure);
    }
    if (failure != null) {
      throw new IllegalStateException("Store thread failed: " + failure, failure);
    }
  }

  /**
   * When everything received is stored and confirmed and no transaction is open, the server's
   * position from its last keepalive can be confirmed too: the server has decoded up to there and
   * sent every transaction that committed before it (transactions still open are kept by the
   * slot's restart LSN). This keeps the slot moving while tracked tables are idle and other
   * tables or databases write. pgjdbc's automatic flush does the same without the "everything
   * stored" check, which is why it is off.
   */
  private void confirmIdlePosition() throws SQLException {
    if (!stitcher.inTransaction() && queue.isEmpty() && toConfirm.get().equals(lastEnqueuedEnd)) {
      stream.confirm(stream.lastReceived());
    }
  }

  /**
   * Hands an event to the store thread; while the queue is full (of events, or of row text: a few
   * wide rows fill it as many narrow ones do), keeps the replication connection alive.
   */
  private void enqueue(StoreEvent event) {
    if (event instanceof StoreEvent.Commit commit && event != END) {
      lastEnqueuedEnd = commit.endLsn();
    }
    long text = event instanceof StoreEvent.Change change ? change.textLength() : 0;
    long waitStarted = System.nanoTime();
    try {
      // a status message only after a second of waiting: while the store is the bottleneck the
      // reader waits here for every event, and the server needs to hear from it only every few seconds
      boolean waited = false;
      if (!queuedText.take(text, 0)) {
        waited = true;
        while (!queuedText.take(text, 1000)) {
          keepAliveWhileWaiting();
        }
      }
      if (!queue.offer(event)) {
        waited = true;
        while (!queue.offer(event, 1, TimeUnit.SECONDS)) {
          keepAliveWhileWaiting();
        }
      }
      if (waited) {
        waitNanos += System.nanoTime() - waitStarted;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while queueing", e);
    }
  }

  /** While the reader waits for room in the queue: the store must still be working, and the server hear from us. */
  private void keepAliveWhileWaiting() {
    try {
      checkStore();
      if (!storeThread.isAlive()) {
        throw new IllegalStateException("Store thread ended");
      }
      stream.sendStatus();
    } catch (SQLException e) {
      throw new StreamException(e);
    }
  }

  private void storeLoop() {
    List<Instant> committedAt = new ArrayList<>();
    ChangeTally tally = new ChangeTally(metrics);
    int transactions = 0;
    long batchStarted = 0;
    long maxDelayNanos = config.maxBatchDelay().toNanos();
    long lingerNanos = Math.min(config.batchLinger().toNanos(), maxDelayNanos);
    long pollNanos = IDLE_POLL_NANOS;
    try {
      while (true) {
        StoreEvent event = queue.poll(pollNanos, TimeUnit.NANOSECONDS);
        if (event == END) {
          if (store.canCommit()) {
            commit(transactions, committedAt, tally);
          }
          return;
        }
        if (event != null) {
          if (transactions == 0 && store.uncommittedChanges() == 0) {
            batchStarted = System.nanoTime();
          }
          store.accept(event);
          if (event instanceof StoreEvent.Change change) {
            queuedText.release(change.textLength());
            tally.add(change);
          } else if (event instanceof StoreEvent.Commit commit) {
            transactions++;
            if (commit.changes() > 0) {
              committedAt.add(commit.transaction().committedAt());
            }
          }
        }
        pollNanos = IDLE_POLL_NANOS;
        if (store.canCommit()) {
          long age = System.nanoTime() - batchStarted;
          if (store.uncommittedChanges() >= config.maxBatchChanges() || age >= maxDelayNanos
              || queue.isEmpty() && age >= lingerNanos) {
            commit(transactions, committedAt, tally);
            transactions = 0;
          } else if (queue.isEmpty()) {
            pollNanos = lingerNanos - age; // nothing queued yet: give the next transactions until then to join
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      storeFailure.set(t);
    } finally {
      try {
        store.rollback();
      } catch (SQLException | RuntimeException ignored) {
        // the connection is gone; nothing uncommitted survives anyway
      }
    }
  }

  /** A line every few seconds while changes are being stored; nothing while idle. */
  private void logProgress(Instant now, Checkpoint checkpoint) {
    if (progressSince == null || Duration.between(progressSince, now).compareTo(PROGRESS_INTERVAL.multipliedBy(3)) > 0) {
      startProgressWindow(now, checkpoint);  // first batch, or the first after an idle spell
      return;
    }
    Duration elapsed = Duration.between(progressSince, now);
    if (elapsed.compareTo(PROGRESS_INTERVAL) < 0) {
      return;
    }
    long stored = metrics.changesStored() - progressChanges;
    if (stored > 0) {
      SlotPosition slot = metrics.slotPosition();
      long remaining = slot == null ? -1 : Math.max(0, slot.serverWal().value() - checkpoint.endLsn().value());
      LOG.info(ProgressLine.format(stored, elapsed, checkpoint.commitLsn(),
          Duration.between(checkpoint.committedAt(), now), remaining,
          checkpoint.endLsn().value() - progressConfirmed.value()));
    }
    startProgressWindow(now, checkpoint);
  }

  private void startProgressWindow(Instant now, Checkpoint checkpoint) {
    progressSince = now;
    progressChanges = metrics.changesStored();
    progressConfirmed = checkpoint.endLsn();
  }

  private void commit(int transactions, List<Instant> committedAt, ChangeTally tally) throws SQLException {
    int changes = store.uncommittedChanges();
    long started = System.nanoTime();
    Checkpoint checkpoint = store.commit();
    metrics.storeCommitTook(System.nanoTime() - started);
    tally.publish();
    Instant now = clock.instant();
    for (Instant sourceCommit : committedAt) {
      metrics.transactionStored(sourceCommit, now);
    }
    committedAt.clear();
    metrics.batchCommitted(changes, transactions, checkpoint.commitLsn(), checkpoint.endLsn(),
        checkpoint.committedAt());
    toConfirm.set(checkpoint.endLsn());
    String outage = health.stored();
    if (outage != null) {
      LOG.info("Storing again after: {}", outage);
    }
    logProgress(now, checkpoint);
  }

  /** A replication stream failure raised inside the stitcher's sink. */
  static final class StreamException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StreamException(SQLException cause) {
      super(cause.getMessage(), cause);
    }
  }
}

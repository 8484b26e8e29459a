package io.bemi.ingester;

import io.bemi.ingester.catalog.SourceCatalog;
import io.bemi.ingester.failover.SlotLoss;
import io.bemi.ingester.failover.SourceIdentity;
import io.bemi.ingester.fault.Fault;
import io.bemi.ingester.fault.MisconfigurationException;
import io.bemi.ingester.leader.LeaderLease;
import io.bemi.ingester.leader.LeadershipLostException;
import io.bemi.ingester.leader.Leadership;
import io.bemi.ingester.leader.Lease;
import io.bemi.ingester.leader.SlotTakeover;
import io.bemi.ingester.monitor.SlotMonitor;
import io.bemi.ingester.monitor.SlotPosition;
import io.bemi.ingester.pgoutput.DecodingException;
import io.bemi.sql.Lsn;
import io.bemi.ingester.pgoutput.MessageType;
import io.bemi.ingester.pgoutput.PgOutputDecoder;
import io.bemi.ingester.pgoutput.PgOutputMessage;
import io.bemi.ingester.replication.SetupMissingException;
import io.bemi.ingester.replication.SlotStream;
import io.bemi.ingester.replication.SourceChecks;
import io.bemi.ingester.sink.Sink;
import io.bemi.ingester.sink.SinkFactory;
import io.bemi.ingester.stitch.Stitcher;
import io.bemi.ingester.stitch.StoreEvent;
import io.bemi.ingester.store.ChangeStore;
import io.bemi.ingester.store.DataRejectedException;
import io.bemi.ingester.store.Checkpoint;
import io.bemi.sql.Migrations;
import io.bemi.sql.SqlNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running ingester: read → decode → stitch on the calling thread, store on a second thread,
 * a bounded queue between them. Survives source and destination outages by reconnecting with
 * backoff and resuming from the stored checkpoint; nothing is confirmed to the slot before it is
 * committed in the destination, so a restart loses and duplicates nothing.
 */
public final class Ingester {

  private static final Logger LOG = LoggerFactory.getLogger(Ingester.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  private static final Duration FINISH_TRANSACTION_ON_STOP = Duration.ofSeconds(10);
  private static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(10);
  /** Marks the end of the stream for the store thread (compared by identity). */
  private static final StoreEvent END = new StoreEvent.Commit(null, null, -1);

  private final IngesterConfig config;
  private final IngesterMetrics metrics;
  private final Clock clock;
  private final SinkFactory sinks; // null: the destination database (ChangeStore)
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean stopRequested;
  /** A session that stored a batch, or streamed this long, ended an outage: the next failure is a new one. */
  private static final Duration HEALTHY_AFTER = Duration.ofSeconds(10);

  private final Duration leaseTime;
  private volatile String failing; // the reason of the current outage, logged once
  private volatile boolean connectedOnce; // source and destination accepted us once: a bad setting from then on is retried
  private volatile boolean streamedOnce; // a permission lost while running is an outage; one missing at start is not
  private volatile long streamingSince; // System.nanoTime() when the current session started streaming, 0: not
  private volatile boolean storedSinceReconnect;
  private boolean migrated; // the destination schema is up to date (run() thread only)
  private Lsn isolateUpTo = Lsn.INVALID; // after a refused batch: store up to here change by change (run() thread only)

  public Ingester(IngesterConfig config, IngesterMetrics metrics, Clock clock) {
    this(config, metrics, clock, LeaderLease.DEFAULT_TIME, null);
  }

  /** @param leaseTime how long a leader's lease lasts unrenewed: a standby takes over within about this */
  public Ingester(IngesterConfig config, IngesterMetrics metrics, Clock clock, Duration leaseTime) {
    this(config, metrics, clock, leaseTime, null);
  }

  /** An ingester that hands changes to another sink than the destination database (Kafka, a webhook). */
  public Ingester(IngesterConfig config, IngesterMetrics metrics, Clock clock, SinkFactory sinks) {
    this(config, metrics, clock, LeaderLease.DEFAULT_TIME, sinks);
  }

  /**
   * @param leaseTime how long a leader's lease lasts unrenewed: a standby takes over within about this
   * @param sinks where changes go; null: the destination database
   */
  public Ingester(IngesterConfig config, IngesterMetrics metrics, Clock clock, Duration leaseTime, SinkFactory sinks) {
    this.config = config;
    this.metrics = metrics;
    this.clock = clock;
    this.leaseTime = leaseTime;
    this.sinks = sinks;
  }

  public IngesterMetrics metrics() {
    return metrics;
  }

  /** Asks {@link #run()} to store what it has received completely, confirm it and return. */
  public void stop() {
    stopRequested = true;
  }

  /** Waits until {@link #run()} has returned. */
  public boolean awaitStopped(Duration timeout) throws InterruptedException {
    return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Streams until {@link #stop()}. Outages are retried; what retrying cannot fix (setup missing,
   * undecodable input, a destination that rejects data) is thrown.
   */
  public void run() throws InterruptedException {
    try (SlotMonitor monitor = SlotMonitor.start(config.source(), config.slot(), config.monitoring(), metrics, clock)) {
      Duration backoff = Duration.ofSeconds(1);
      while (!stopRequested) {
        try {
          session();
          return;
        } catch (LeadershipLostException e) {
          LOG.warn("{}; standing by", e.getMessage());
          metrics.leadership().standingBy(metrics.leadership().lease());
          streamingSince = 0;
          storedSinceReconnect = false;
          metrics.streaming(false);
          continue;
        } catch (SetupMissingException | DecodingException e) {
          throw e;
        } catch (DataRejectedException e) {
          isolateAfterRejection(e);
        } catch (RuntimeException | SQLException e) {
          Fault fault = Fault.of(e);
          if (fault.misconfigured() && !connectedOnce) {
            throw new MisconfigurationException(fault, e);
          }
          if (!retryable(e) && !(streamedOnce && permissionDenied(e))) {
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
          }
          if (sessionWasHealthy()) {
            failing = null; // the last outage ended; this failure is a new one
            backoff = Duration.ofSeconds(1);
          }
          streamingSince = 0;
          storedSinceReconnect = false;
          String reason = fault.description();
          metrics.leadership().failing(fault.kind(), reason);
          if (!reason.equals(failing)) {
            LOG.warn("{}; retrying with backoff up to {} s", reason, MAX_BACKOFF.toSeconds());
            failing = reason;
          } else {
            LOG.debug("Still failing: {}", reason);
          }
          metrics.streaming(false);
          metrics.reconnected();
          sleep(backoff);
          backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
      }
    } finally {
      metrics.streaming(false);
      metrics.leadership().stopped();
      stopped.countDown();
    }
  }

  /**
   * The destination refused a batch: read it again at once and store it change by change, so the
   * change it refuses is quarantined and the stream goes on. Refused again inside that range (not
   * a single change's fault): stop, nothing is confirmed.
   */
  private void isolateAfterRejection(DataRejectedException e) {
    if (!isolateUpTo.equals(Lsn.INVALID) && e.upTo().compareTo(isolateUpTo) <= 0) {
      throw new IllegalStateException(e.getMessage() + "; storing the changes one by one did not help either", e);
    }
    LOG.warn("{}; storing that batch again change by change to quarantine what is refused", e.getMessage());
    isolateUpTo = e.upTo();
    streamingSince = 0;
    metrics.streaming(false);
  }

  /**
   * Whether the session that just failed had recovered from the previous outage. A session that
   * connects but fails at its first store (a revoked privilege) has not: its failure continues the
   * outage, logged once, with the backoff still growing.
   */
  private boolean sessionWasHealthy() {
    long since = streamingSince;
    return storedSinceReconnect || (since != 0 && System.nanoTime() - since >= HEALTHY_AFTER.toNanos());
  }

  private void sleep(Duration duration) throws InterruptedException {
    long until = System.nanoTime() + duration.toNanos();
    while (!stopRequested && System.nanoTime() < until) {
      Thread.sleep(Math.min(100, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
    }
  }

  private void session() throws SQLException, InterruptedException {
    // once per process: a reconnect after an outage need not check (and log) it again
    if (!migrated && trailInDestination()) {
      Migrations.migrate(config.destination().dataSource(), config.destinationSchema());
      migrated = true;
    }
    try (Connection catalogConnection = config.source().connectWithCatalogSearchPath()) {
      String database = SqlNames.currentDatabase(catalogConnection);
      if (!trailInDestination()) {
        // Kafka keeps the checkpoint itself: no lease or gap table in a destination database; the slot admits
        // one reader, and the transactional producer fences a zombie's commits (docs/sinks.md)
        SourceChecks.requireSlotAndPublication(catalogConnection, config.slot(), config.publication());
        connectedOnce = true;
        lead(catalogConnection, database, false, null, null);
        return;
      }
      // also checks the REPLICATION login now, not when a standby takes over hours later
      SourceIdentity identity = SourceIdentity.identify(config.source());
      SlotLoss slotLoss = new SlotLoss(config.destination(), config.destinationSchema(), config.slot(), database);
      slotLoss.requireSlotUnlessNew(catalogConnection, identity);
      SourceChecks.requireSlotAndPublication(catalogConnection, config.slot(), config.publication());
      int serverMajor = catalogConnection.getMetaData().getDatabaseMajorVersion();
      boolean originNone = config.destinationIsSource() && serverMajor >= 16;
      try (LeaderLease lease = LeaderLease.open(config.destination(), config.destinationSchema(), config.slot(),
          database, metrics.leadership(), leaseTime)) {
        if (!awaitLeadership(lease)) {
          return; // stopped while standing by
        }
        SlotTakeover.endOtherReader(catalogConnection, config.slot());
        lead(catalogConnection, database, originNone, lease, store -> {
          store.sourceServer(identity.systemIdentifier(), identity.timeline());
          return slotLoss.streamingFrom(SlotLoss.confirmedPosition(catalogConnection, config.slot()), identity);
        });
      }
    }
  }

  /** Whether the trail (checkpoint, lease, gaps) lives in the destination database: every sink but Kafka. */
  private boolean trailInDestination() {
    return sinks == null || sinks.usesDestination();
  }

  /**
   * Takes the lease, or stands by until it can: a standby is healthy, not an outage. Returns false
   * when stopped first.
   */
  private boolean awaitLeadership(LeaderLease lease) throws SQLException, InterruptedException {
    Lease seen = null;
    while (!stopRequested) {
      boolean leading = lease.tryAcquire();
      connectedOnce = true;
      Leadership leadership = metrics.leadership();
      if (leading) {
        LOG.info("Leading slot {} (lease epoch {}, {} s)", config.slot(), leadership.lease().epoch(),
            leaseTime.toSeconds());
        return true;
      }
      Lease current = leadership.lease();
      if (current != null && (seen == null || !current.holder().equals(seen.holder()))) {
        LOG.info("Standby: slot {} is led by {} since {} (epoch {}); taking over when its lease expires "
            + "(within {} s of it stopping)", config.slot(), current.holder(), current.leaderSince(), current.epoch(),
            leaseTime.toSeconds());
        failing = null;
      }
      seen = current;
      metrics.streaming(false);
      sleep(LeaderLease.pollInterval(leaseTime));
    }
    return false;
  }

  /**
   * Streams as the leader. The database sink is fenced by the lease (null: no lease, the Kafka sink) and
   * records the source's identity and gaps ({@code sourceStart}, null without a destination trail); the
   * reader stops when the lease is lost.
   */
  private void lead(Connection catalogConnection, String database, boolean originNoneWanted, LeaderLease lease,
      SourceStart sourceStart) throws SQLException, InterruptedException {
    boolean destinationIsSource = config.destinationIsSource() && trailInDestination();
    boolean originNone = originNoneWanted;
    try (Sink store = sinks != null ? sinks.open(config.slot(), database)
        : new ChangeStore(config.destination().connect(), config.destinationSchema(), config.slot(), database)) {
      ChangeStore changes = store instanceof ChangeStore c ? c : null;
      if (changes != null && lease != null) {
        changes.fenceWith(lease);
        lease.attachStore(changes.backendPid());
      }
      if (originNone) {
        originNone = changes != null && setUpOrigin(changes);
      }
      if (changes != null) {
        changes.isolateUpTo(isolateUpTo, metrics::quarantinedChange);
      }
      Checkpoint checkpoint = store.storedCheckpoint();
      if (changes != null && sourceStart != null && sourceStart.streamingStarts(changes)) {
        // a new slot after a gap: its LSNs say nothing about what the old primary's checkpoint covered
        checkpoint = null;
      }
      Lsn start = checkpoint == null ? Lsn.INVALID : checkpoint.endLsn();
      Connection replication = config.source().connectForReplication();
      SlotStream stream;
      try {
        stream = SlotStream.start(replication, config.slot(), config.publication(), start, originNone,
            config.statusInterval());
      } catch (SQLException e) {
        replication.close();
        throw e;
      }
      try (stream) {
        Stitcher.Settings settings = new Stitcher.Settings(database, config.maxContextBytes(), config.holdBack(),
            checkpoint == null ? null : checkpoint.commitLsn(),
            destinationIsSource ? config.destinationSchema() : null, config.originName(), config.columnRules());
        LOG.info("Streaming slot {} of {} from {} into {} (schema {}){}", config.slot(), config.source(),
            checkpoint == null ? "the slot's confirmed position" : "stored checkpoint " + checkpoint.commitLsn(),
            sinks == null ? config.destination() : store, config.destinationSchema(),
            originNone ? ", own writes skipped by origin" : "");
        new Pipeline(store, stream, new SourceCatalog(catalogConnection), settings, lease).run();
      }
    }
  }

  /**
   * What the leader records as it starts streaming (closes a gap, stores the source's identity);
   * true when a gap was closed: the slot is new, so the stored checkpoint does not apply to it.
   */
  @FunctionalInterface
  private interface SourceStart {
    boolean streamingStarts(ChangeStore store) throws SQLException;
  }

  /** PostgreSQL 16+: the destination session writes under a replication origin the slot skips (origin=none). */
  private boolean setUpOrigin(ChangeStore store) throws SQLException {
    try {
      store.useReplicationOrigin(config.originName());
      return true;
    } catch (SQLException e) {
      if (!"42501".equals(e.getSQLState())) {
        throw e;
      }
      LOG.warn("Cannot use replication origin {} (needs superuser or a GRANT on pg_replication_origin_session_setup): "
          + "{}; own writes are still not captured because the publication does not include schema {}",
          config.originName(), e.getMessage(), config.destinationSchema());
      return false;
    }
  }

  /** Outages heal; bad data, bad SQL and missing privileges do not. */
  static boolean retryable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        String state = sql.getSQLState();
        return state == null || !(state.startsWith("22") || state.startsWith("23") || state.startsWith("42"));
      }
      if (t instanceof IOException || t instanceof SourceCatalog.CatalogException) {
        return true;
      }
    }
    return false;
  }

  /**
   * A privilege revoked while running (e.g. INSERT on the changes table): nothing is confirmed to
   * the slot meanwhile, so retrying until someone grants it again loses nothing.
   */
  static boolean permissionDenied(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        return "42501".equals(sql.getSQLState());
      }
    }
    return false;
  }

  /** One streaming session: the reader loop here, the store loop on its own thread. */
  private final class Pipeline {
    private final Sink store;
    private final SlotStream stream;
    private final LeaderLease lease;
    private final Stitcher stitcher;
    private final BlockingQueue<StoreEvent> queue;
    private final AtomicReference<Lsn> toConfirm = new AtomicReference<>(Lsn.INVALID);
    private final AtomicReference<Throwable> storeFailure = new AtomicReference<>();
    private final Thread storeThread;
    private Lsn lastEnqueuedEnd = Lsn.INVALID; // end LSN of the last Commit handed to the store
    private Instant progressSince; // store thread only
    private long progressChanges;
    private Lsn progressConfirmed;
    // reader thread only: running totals published to the metrics
    private long bytesReceived = metrics.bytesReceived();
    private long messagesReceived = metrics.messagesReceived();
    private long decodeNanos = metrics.decodeNanos();
    private long waitNanos = metrics.readerWaitNanos();

    Pipeline(Sink store, SlotStream stream, SourceCatalog catalog, Stitcher.Settings settings,
        LeaderLease lease) {
      this.store = store;
      this.stream = stream;
      this.lease = lease;
      this.queue = new ArrayBlockingQueue<>(config.queueCapacity());
      this.stitcher = new Stitcher(settings, catalog, this::enqueue, metrics, clock);
      this.storeThread = new Thread(this::storeLoop, "bemi-store");
      this.storeThread.setDaemon(true);
    }

    void run() throws SQLException, InterruptedException {
      storeThread.start();
      metrics.streaming(true);
      streamedOnce = true;
      streamingSince = System.nanoTime();
      try {
        long stopDeadline = 0;
        while (true) {
          if (stopRequested) {
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
      if (failure != null) {
        throw new IllegalStateException("Store thread failed", failure);
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

    /** Hands an event to the store thread; while the queue is full, keeps the replication connection alive. */
    private void enqueue(StoreEvent event) {
      if (event instanceof StoreEvent.Commit commit && event != END) {
        lastEnqueuedEnd = commit.endLsn();
      }
      if (queue.offer(event)) {
        return;
      }
      long waitStarted = System.nanoTime();
      try {
        while (!queue.offer(event, 1, TimeUnit.SECONDS)) {
          checkStore();
          if (!storeThread.isAlive()) {
            throw new IllegalStateException("Store thread ended");
          }
          stream.sendStatus();
        }
        waitNanos += System.nanoTime() - waitStarted;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while queueing", e);
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
      try {
        while (true) {
          StoreEvent event = queue.poll(100, TimeUnit.MILLISECONDS);
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
              tally.add(change);
            } else if (event instanceof StoreEvent.Commit commit) {
              transactions++;
              if (commit.changes() > 0) {
                committedAt.add(commit.transaction().committedAt());
              }
            }
          }
          if (store.canCommit() && (queue.isEmpty() || store.uncommittedChanges() >= config.maxBatchChanges()
              || System.nanoTime() - batchStarted >= maxDelayNanos)) {
            commit(transactions, committedAt, tally);
            transactions = 0;
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
      storedSinceReconnect = true;
      String outage = failing;
      if (outage != null) {
        LOG.info("Storing again after: {}", outage);
        failing = null;
      }
      logProgress(now, checkpoint);
    }
  }

  /** A replication stream failure raised inside the stitcher's sink. */
  static final class StreamException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StreamException(SQLException cause) {
      super(cause.getMessage(), cause);
    }
  }
}

package io.bemi.ingester;

import io.bemi.ingester.catalog.SourceCatalog;
import io.bemi.ingester.failover.SlotLoss;
import io.bemi.ingester.failover.SourceIdentity;
import io.bemi.ingester.fault.Fault;
import io.bemi.ingester.fault.MisconfigurationException;
import io.bemi.ingester.leader.LeaderLease;
import io.bemi.ingester.leader.Leadership;
import io.bemi.ingester.leader.LeadershipLostException;
import io.bemi.ingester.leader.Lease;
import io.bemi.ingester.leader.SlotTakeover;
import io.bemi.ingester.monitor.SlotMonitor;
import io.bemi.ingester.pgoutput.DecodingException;
import io.bemi.ingester.replication.SetupMissingException;
import io.bemi.ingester.replication.SlotStream;
import io.bemi.ingester.replication.SourceChecks;
import io.bemi.ingester.sink.Sink;
import io.bemi.ingester.sink.SinkFactory;
import io.bemi.ingester.stitch.Stitcher;
import io.bemi.ingester.store.ChangeStore;
import io.bemi.ingester.store.Checkpoint;
import io.bemi.ingester.store.DataRejectedException;
import io.bemi.ingester.store.RangeSummarizer;
import io.bemi.sql.Lsn;
import io.bemi.sql.Migrations;
import io.bemi.sql.SqlNames;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running ingester: sessions with retries. Each session is a {@link Pipeline} (read → decode
 * → stitch on the calling thread, store on a second thread, a bounded queue between them). Survives
 * source and destination outages by reconnecting with backoff ({@link Fault} says what is an
 * outage, {@link SessionHealth} whether one ended) and resuming from the stored checkpoint; nothing
 * is confirmed to the slot before it is committed in the destination, so a restart loses and
 * duplicates nothing.
 */
public final class Ingester {

  private static final Logger LOG = LoggerFactory.getLogger(Ingester.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final IngesterConfig config;
  private final IngesterMetrics metrics;
  private final Clock clock;
  private final SinkFactory sinks; // null: the destination database (ChangeStore)
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean stopRequested;

  private final Duration leaseTime;
  private final SessionHealth health = new SessionHealth();
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
    try (SlotMonitor monitor = SlotMonitor.start(config.source(), config.slot(), config.publication(),
        config.monitoring(), metrics, clock)) {
      Duration backoff = Duration.ofSeconds(1);
      while (!stopRequested) {
        try {
          session();
          return;
        } catch (LeadershipLostException e) {
          LOG.warn("{}; standing by", e.getMessage());
          metrics.leadership().standingBy(metrics.leadership().lease());
          health.ended();
          metrics.streaming(false);
          continue;
        } catch (SetupMissingException | DecodingException e) {
          throw e;
        } catch (DataRejectedException e) {
          isolateAfterRejection(e);
        } catch (RuntimeException | SQLException e) {
          Fault fault = Fault.of(e);
          if (fault.misconfigured() && !health.connectedOnce()) {
            throw new MisconfigurationException(fault, e);
          }
          if (!Fault.retryable(e) && !(health.streamedOnce() && Fault.permissionDenied(e))) {
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
          }
          if (health.wasHealthy()) {
            health.recovered();
            backoff = Duration.ofSeconds(1);
          }
          health.ended();
          String reason = fault.description();
          metrics.leadership().failing(fault.kind(), reason);
          if (health.failing(reason)) {
            LOG.warn("{}; retrying with backoff up to {} s", reason, MAX_BACKOFF.toSeconds());
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
    health.streamingPaused();
    metrics.streaming(false);
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
    try (Connection catalogConnection = config.source().connect()) {
      String database = SqlNames.currentDatabase(catalogConnection);
      if (!trailInDestination()) {
        // Kafka keeps the checkpoint itself: no lease or gap table in a destination database; the slot admits
        // one reader, and the transactional producer fences a zombie's commits (docs/sinks.md)
        SourceChecks.requireSlotAndPublication(catalogConnection, config.slot(), config.publication());
        health.connected();
        metrics.storingSource(SourceIdentity.sourceName(config.source(), config.sourceName(), database));
        metrics.leadership().leading(null); // no lease to hold: the one reader of the slot leads
        lead(catalogConnection, database, null, false, null, null);
        return;
      }
      // also checks the REPLICATION login now, not when a standby takes over hours later
      SourceIdentity identity = SourceIdentity.identify(config.source());
      SlotLoss slotLoss = new SlotLoss(config.destination(), config.destinationSchema(), config.slot(), database);
      slotLoss.requireSlotUnlessNew(catalogConnection, identity);
      SourceChecks.requireSlotAndPublication(catalogConnection, config.slot(), config.publication());
      boolean originNone = config.originNone();
      if (originNone) {
        SourceChecks.requireOriginFilter(catalogConnection);
      }
      try (LeaderLease lease = LeaderLease.open(config.destination(), config.destinationSchema(), config.slot(),
          database, metrics.leadership(), leaseTime)) {
        if (!awaitLeadership(lease)) {
          return; // stopped while standing by
        }
        SlotTakeover.endOtherReader(catalogConnection, config.slot());
        String source = config.sourceName() != null ? config.sourceName() : identity.sourceName(database);
        try {
          lead(catalogConnection, database, source, originNone, lease, store -> {
            store.sourceServer(identity.systemIdentifier(), identity.timeline());
            return slotLoss.streamingFrom(SlotLoss.confirmedPosition(catalogConnection, config.slot()), identity);
          });
        } catch (SQLException | RuntimeException e) {
          LeadershipLostException lost = e instanceof LeadershipLostException ? null : lease.lossBehind(e);
          if (lost != null) {
            throw lost; // not an outage to retry: the process stands by
          }
          throw e;
        }
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
      health.connected();
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
        health.recovered();
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
   * reader stops when the lease is lost. {@code source} names the source in the trail (null: no trail).
   */
  private void lead(Connection catalogConnection, String database, String source, boolean originNone,
      LeaderLease lease, SourceStart sourceStart) throws SQLException, InterruptedException {
    boolean destinationIsSource = config.destinationIsSource() && trailInDestination();
    try (Sink store = sinks != null ? sinks.open(config.slot(), database)
        : new ChangeStore(config.destination().connect(), config.destinationSchema(), config.slot(), database, source);
         RangeSummarizer summarizer = store instanceof ChangeStore
             ? RangeSummarizer.start(config.destination(), config.destinationSchema(), RangeSummarizer.INTERVAL) : null) {
      ChangeStore changes = store instanceof ChangeStore c ? c : null;
      if (source != null) {
        metrics.storingSource(source); // the database and webhook sinks; the Kafka sink's is registered above
      }
      if (changes != null && lease != null) {
        changes.fenceWith(lease);
        lease.attachStore(changes.backendPid());
      }
      if (originNone && destinationIsSource && changes != null) {
        setUpOrigin(changes);
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
            destinationIsSource ? config.destinationSchema() : null, config.originName(), config.columnRules(),
            config.maxRowBytes(), IngesterConfig.bufferBytes());
        LOG.info("Streaming slot {} of {} from {} into {} (schema {}){}", config.slot(), config.source(),
            checkpoint == null ? "the slot's confirmed position" : "stored checkpoint " + checkpoint.commitLsn(),
            sinks == null ? config.destination() : store, config.destinationSchema(),
            originNone ? ", leaving out changes applied under a replication origin (--origin none)" : "");
        new Pipeline(config, metrics, clock, health, () -> stopRequested, store, stream,
            new SourceCatalog(catalogConnection), settings, lease).run();
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

  /**
   * {@code --origin none} with destination = source: the destination session writes under a replication
   * origin too, so the walsender skips the trail's writes before decoding them (the publication leaves
   * them out either way).
   */
  private void setUpOrigin(ChangeStore store) throws SQLException {
    try {
      store.useReplicationOrigin(config.originName());
    } catch (SQLException e) {
      if (!"42501".equals(e.getSQLState())) {
        throw e;
      }
      LOG.warn("Cannot use replication origin {} (needs superuser or a GRANT on pg_replication_origin_session_setup): "
          + "{}; own writes are still not captured because the publication does not include schema {}",
          config.originName(), e.getMessage(), config.destinationSchema());
    }
  }
}

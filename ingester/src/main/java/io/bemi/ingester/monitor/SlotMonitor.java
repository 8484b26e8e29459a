package io.bemi.ingester.monitor;

import io.bemi.ingester.BackgroundConnection;
import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.setup.SetupCoverage;
import io.bemi.ingester.stitch.Stitcher;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the slot from a normal (non-replication) source connection, on its own thread, so
 * neither the reader nor a {@code /metrics} scrape ever waits for it:
 *
 * <ul>
 *   <li>every {@code sampleInterval} it reads the server's WAL position and the slot's confirmed
 *       and restart positions (lag and retained WAL), and logs once each time the retained WAL
 *       crosses the {@code status} threshold;
 *   <li>every {@code heartbeatInterval} (unless zero) it emits a non-transactional logical message
 *       with prefix {@value Stitcher#HEARTBEAT_PREFIX} and the emit time as content. The slot
 *       decodes it like any WAL record of this database, so the ingester receives something to
 *       confirm even when only other tables or databases write, and the slot keeps advancing.
 *       The stitcher ignores the message (it is counted as a heartbeat, never stored);
 *   <li>every {@value #SAMPLES_PER_SETUP_CHECK} samples it checks that the publication still holds
 *       every table setup's choice takes in, with REPLICA IDENTITY FULL ({@link SetupCoverage}),
 *       and logs a warning each time what is missing changes.
 * </ul>
 *
 * Failures never stop the ingester: a lost connection is reopened at the next tick; a heartbeat
 * the server refuses (no privilege, a standby) is logged once and heartbeats stop, leaving the
 * keepalive-based advancing.
 */
public final class SlotMonitor implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SlotMonitor.class);
  static final String HEARTBEAT_SQL = "SELECT pg_logical_emit_message(false, '" + Stitcher.HEARTBEAT_PREFIX
      + "', clock_timestamp()::text)";

  /** Told about each sample and heartbeat (on the monitor thread). */
  public interface Listener {
    /** @param caughtUpTo everything the server wrote before this moment is stored and confirmed */
    void slotSampled(SlotPosition position, Instant caughtUpTo);

    void heartbeatEmitted();

    /** @param coverage null: the publication has no record of setup's choice (see {@link SetupCoverage#read}) */
    default void setupChecked(SetupCoverage coverage) {}
  }

  /**
   * @param heartbeatInterval zero: no heartbeats
   * @param warnRetainedWalMb log a warning when the slot retains more WAL than this
   */
  public record Settings(Duration heartbeatInterval, Duration sampleInterval, long warnRetainedWalMb) {}

  /** How many slot samples apart the setup is checked (a minute at the default 5 s). */
  static final int SAMPLES_PER_SETUP_CHECK = 12;

  private final String slot;
  private final String publication;
  private final Settings settings;
  private final Listener listener;
  private final Clock clock;
  private final BackgroundConnection thread;
  private final LagEstimate lag = new LagEstimate();

  // monitor thread only
  private String failing;
  private boolean heartbeatsOff;
  private boolean warnedRetained;
  private boolean warnedLost;
  private boolean warnedMissing;
  private List<String> setupWarnings = List.of();

  private SlotMonitor(PostgresUrl source, String slot, String publication, Settings settings, Listener listener,
      Clock clock) {
    this.slot = slot;
    this.publication = publication;
    this.settings = settings;
    this.listener = listener;
    this.clock = clock;
    this.thread = new BackgroundConnection("bemi-monitor", source, null);
  }

  public static SlotMonitor start(PostgresUrl source, String slot, String publication, Settings settings,
      Listener listener, Clock clock) {
    SlotMonitor monitor = new SlotMonitor(source, slot, publication, settings, listener, clock);
    monitor.thread.every(Duration.ZERO, settings.sampleInterval(), monitor::sample);
    monitor.thread.every(Duration.ZERO, settings.sampleInterval().multipliedBy(SAMPLES_PER_SETUP_CHECK),
        monitor::checkSetup);
    Duration heartbeat = settings.heartbeatInterval();
    if (heartbeat.toMillis() > 0) {
      monitor.thread.every(heartbeat, heartbeat, monitor::heartbeat);
    }
    return monitor;
  }

  private void sample() {
    try {
      Instant now = clock.instant();
      SlotPosition position = SlotPosition.read(connection(), slot, now);
      if (position == null) {
        if (!warnedMissing) {
          LOG.warn("Slot {} not found in pg_replication_slots; lag and retained WAL are not measured", slot);
          warnedMissing = true;
        }
        return;
      }
      warnedMissing = false;
      listener.slotSampled(position, lag.observe(position.serverWal(), position.confirmedFlush(), now));
      warnAboutRetainedWal(position);
      recovered();
    } catch (SQLException | RuntimeException e) {
      failed("Cannot read the slot position from the source", e);
    }
  }

  private void checkSetup() {
    try {
      SetupCoverage coverage = SetupCoverage.read(connection(), publication, null); // its untracked tables only
      listener.setupChecked(coverage);
      List<String> warnings = coverage == null ? List.of() : coverage.warnings();
      if (!warnings.equals(setupWarnings)) {
        warnings.forEach(w -> LOG.warn("Setup: {}", w));
        if (warnings.isEmpty() && coverage != null) {
          LOG.info("Setup: every table setup chose is in publication {} with REPLICA IDENTITY FULL again", publication);
        }
        setupWarnings = warnings;
      }
      recovered();
    } catch (SQLException | RuntimeException e) {
      failed("Cannot check the publication's tables on the source", e);
    }
  }

  private void heartbeat() {
    if (heartbeatsOff) {
      return;
    }
    try {
      Connection c = connection();
      try (Statement s = c.createStatement()) {
        s.execute(HEARTBEAT_SQL);
      }
      listener.heartbeatEmitted();
      recovered();
    } catch (SQLException e) {
      if (connectionProblem(e)) {
        failed("Cannot emit a heartbeat on the source", e);
        return;
      }
      heartbeatsOff = true;
      LOG.warn("Heartbeats are off: the source refused pg_logical_emit_message ({}{}). {} (a standby cannot emit "
          + "them at all); meanwhile the slot advances only on the server's keepalives", e.getMessage(),
          e.getSQLState() == null ? "" : ", SQLSTATE " + e.getSQLState(), grantAdvice());
    }
  }

  /** The GRANT that lets this role emit heartbeats; the signature differs between versions (17 added flush). */
  private String grantAdvice() {
    try (Statement s = connection().createStatement(); ResultSet rs = s.executeQuery("""
        SELECT p.oid::regprocedure::text, quote_ident(current_user) FROM pg_proc p
         WHERE p.proname = 'pg_logical_emit_message' AND p.proargtypes[2] = 'text'::regtype""")) {
      if (rs.next()) {
        return "To enable them: GRANT EXECUTE ON FUNCTION " + rs.getString(1) + " TO " + rs.getString(2) + ";";
      }
    } catch (SQLException ignored) {
      // fall back to the general advice
    }
    return "To enable them, grant the ingester's role EXECUTE on pg_logical_emit_message";
  }

  /** Once per crossing of the threshold, and once when the server invalidated the slot. */
  private void warnAboutRetainedWal(SlotPosition position) {
    if (RetainedWal.lost(position.walStatus())) {
      if (!warnedLost) {
        LOG.warn("Retained WAL: {}", RetainedWal.lostWarning(position.maxSlotWalKeepSize()));
        warnedLost = true;
      }
      return;
    }
    boolean over = RetainedWal.overThreshold(position.retainedBytes(), settings.warnRetainedWalMb());
    if (over && !warnedRetained) {
      LOG.warn("Retained WAL: {}", RetainedWal.overThresholdWarning(position.retainedBytes(),
          settings.warnRetainedWalMb(), position.walStatus(), position.maxSlotWalKeepSize()));
    } else if (!over && warnedRetained) {
      LOG.info("Retained WAL is back under {} MB ({} MB)", settings.warnRetainedWalMb(),
          position.retainedBytes() / (1024 * 1024));
    }
    warnedRetained = over;
  }

  private Connection connection() throws SQLException {
    return thread.connection();
  }

  private static boolean connectionProblem(SQLException e) {
    String state = e.getSQLState();
    return state == null || state.startsWith("08") || state.startsWith("57P");
  }

  private void failed(String what, Exception e) {
    thread.drop();
    String reason = what + ": " + e.getMessage();
    if (!reason.equals(failing)) {
      LOG.warn("{}; retrying every {} s", reason, settings.sampleInterval().toSeconds());
      failing = reason;
    }
  }

  private void recovered() {
    if (failing != null) {
      LOG.info("Reading the slot position again after: {}", failing);
      failing = null;
    }
  }

  @Override
  public void close() {
    thread.close();
  }
}

package io.bemi.ingester.leader;

import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.store.BatchFence;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease that makes one of several {@code run} processes of a slot the leader, kept in the
 * destination ({@code ingester_leases}, one row per slot and source database) on a connection of
 * its own. No coordination service: the destination's row lock and clock decide.
 *
 * <p>Contract (SQL beside it below):
 * <ul>
 *   <li><b>Take over</b> when the row is missing, expired ({@code expires_at} passed on the
 *       destination's clock), held by a destination backend that no longer exists (the leader
 *       was killed: its connections closed), or held by this process. Taking over adds one to
 *       {@code epoch}, the fencing token.
 *   <li><b>Renew</b> every third of the lease time; a renewal that finds another epoch, or no
 *       renewal for a whole lease time on this process's own clock (a GC pause, a network cut),
 *       means the lease is lost.
 *   <li><b>Fence</b>: every batch re-reads the row {@code FOR SHARE} with its epoch, unexpired,
 *       inside its own transaction just before committing ({@link #check}). A takeover's UPDATE
 *       waits for that lock, so a batch either commits before the takeover (and the new leader
 *       reads its checkpoint) or finds the new epoch and is refused. A paused leader that wakes up
 *       cannot store.
 *   <li>A leader paused <em>inside</em> that short window keeps the row locked; the standby's
 *       takeover then times out on the lock and terminates the paused leader's store backend
 *       ({@code store_pid}), which rolls the batch back.
 * </ul>
 */
public final class LeaderLease implements BatchFence, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LeaderLease.class);
  private static final String LOCK_TIMEOUT = "2s";
  /** A standby takes over within about this after the leader stops renewing (plus up to a second's poll). */
  public static final Duration DEFAULT_TIME = Duration.ofSeconds(6);

  private final Connection connection; // guarded by this
  private final Leadership leadership;
  private final Duration ttl;
  private final String slot;
  private final String sourceDatabase;
  private final String acquireSql;
  private final String readSql;
  private final String renewSql;
  private final String attachSql;
  private final String releaseSql;
  private final String fenceSql;
  private final ScheduledExecutorService renewer;

  private volatile long epoch = -1; // held epoch, -1: not leading
  private volatile long heldUntilNanos; // this process's own clock: the lease is surely ours before this
  private volatile String lostReason;

  private LeaderLease(Connection connection, String schema, String slot, String sourceDatabase, Leadership leadership,
      Duration ttl) throws SQLException {
    this.connection = connection;
    this.leadership = leadership;
    this.ttl = ttl;
    this.slot = slot;
    this.sourceDatabase = sourceDatabase;
    connection.setAutoCommit(false);
    String table = schema + ".ingester_leases";
    String columns = "epoch, holder, leader_since, renewed_at, expires_at";
    // One statement: insert, or take over when expired, dead or ours. The NOT EXISTS on
    // pg_stat_activity finds a killed leader at once (its backends end with its sockets).
    this.acquireSql = "WITH previous AS (SELECT store_pid FROM " + table + " WHERE slot = ? AND source_database = ?)"
        + " INSERT INTO " + table + " AS l (slot, source_database, epoch, holder, holder_pid, leader_since,"
        + " renewed_at, expires_at) VALUES (?, ?, 1, ?, pg_catalog.pg_backend_pid(), pg_catalog.clock_timestamp(),"
        + " pg_catalog.clock_timestamp(), pg_catalog.clock_timestamp() + pg_catalog.make_interval(secs => ?))"
        + " ON CONFLICT (slot, source_database) DO UPDATE SET epoch = l.epoch + 1, holder = excluded.holder,"
        + " holder_pid = excluded.holder_pid, store_pid = NULL, leader_since = excluded.leader_since,"
        + " renewed_at = excluded.renewed_at, expires_at = excluded.expires_at"
        + " WHERE l.expires_at <= pg_catalog.clock_timestamp() OR l.holder = excluded.holder"
        + " OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a WHERE a.pid = l.holder_pid)"
        + " RETURNING " + columns + ", (SELECT store_pid FROM previous)";
    this.readSql = "SELECT " + columns + ", store_pid, expires_at <= pg_catalog.clock_timestamp() FROM " + table
        + " WHERE slot = ? AND source_database = ?";
    this.renewSql = "UPDATE " + table + " SET renewed_at = pg_catalog.clock_timestamp(), expires_at ="
        + " pg_catalog.clock_timestamp() + pg_catalog.make_interval(secs => ?), holder_pid = pg_catalog.pg_backend_pid()"
        + " WHERE slot = ? AND source_database = ? AND epoch = ? RETURNING " + columns;
    this.attachSql = "UPDATE " + table + " SET store_pid = ? WHERE slot = ? AND source_database = ? AND epoch = ?";
    this.releaseSql = "UPDATE " + table + " SET expires_at = pg_catalog.clock_timestamp()"
        + " WHERE slot = ? AND source_database = ? AND epoch = ?";
    this.fenceSql = "SELECT 1 FROM " + table + " WHERE slot = ? AND source_database = ? AND epoch = ?"
        + " AND expires_at > pg_catalog.clock_timestamp() FOR SHARE";
    this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bemi-lease");
      t.setDaemon(true);
      return t;
    });
  }

  /** A lease for this slot and source database on a new destination connection; nothing is taken yet. */
  public static LeaderLease open(PostgresUrl destination, String schema, String slot, String sourceDatabase,
      Leadership leadership, Duration ttl) throws SQLException {
    Connection connection = destination.connect();
    try {
      return new LeaderLease(connection, schema, slot, sourceDatabase, leadership, ttl);
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  /** How often a standby tries to take over: a second, or a third of a shorter lease. */
  public static Duration pollInterval(Duration ttl) {
    Duration third = ttl.dividedBy(3);
    return third.compareTo(Duration.ofSeconds(1)) < 0 ? third : Duration.ofSeconds(1);
  }

  /**
   * Takes the lease if it is free, expired, held by a dead connection or by this process, and then
   * keeps renewing it. Otherwise records who leads in {@link Leadership} and returns false.
   */
  public synchronized boolean tryAcquire() throws SQLException {
    long started = System.nanoTime();
    Lease taken = null;
    try (PreparedStatement lockTimeout = connection.prepareStatement("SET LOCAL lock_timeout = '" + LOCK_TIMEOUT + "'");
         PreparedStatement s = connection.prepareStatement(acquireSql)) {
      lockTimeout.execute();
      s.setString(1, slot);
      s.setString(2, sourceDatabase);
      s.setString(3, slot);
      s.setString(4, sourceDatabase);
      s.setString(5, leadership.holder());
      s.setDouble(6, ttl.toMillis() / 1000.0);
      try (ResultSet rs = s.executeQuery()) {
        if (rs.next()) {
          taken = lease(rs);
          Object previousStore = rs.getObject(6);
          if (previousStore != null) {
            SlotTakeover.endDestinationBackend(connection, ((Number) previousStore).intValue());
          }
        }
      }
      connection.commit();
    } catch (SQLException e) {
      connection.rollback();
      if (!"55P03".equals(e.getSQLState())) {
        throw e;
      }
      fencePausedLeader();
      return false;
    }
    if (taken == null) {
      leadership.standingBy(readCurrent());
      return false;
    }
    epoch = taken.epoch();
    heldUntilNanos = started + ttl.toNanos();
    lostReason = null;
    leadership.leading(taken);
    long renewMillis = Math.max(100, ttl.toMillis() / 3);
    renewer.scheduleWithFixedDelay(this::renew, renewMillis, renewMillis, TimeUnit.MILLISECONDS);
    return true;
  }

  /**
   * The takeover waited for the row lock longer than {@value #LOCK_TIMEOUT}: a batch of a leader
   * whose lease has expired holds it (paused between its fence check and its commit). Ending
   * that backend rolls the batch back; the next attempt takes over.
   */
  private void fencePausedLeader() throws SQLException {
    try (PreparedStatement s = connection.prepareStatement(readSql)) {
      s.setString(1, slot);
      s.setString(2, sourceDatabase);
      try (ResultSet rs = s.executeQuery()) {
        if (rs.next() && rs.getBoolean(7) && rs.getObject(6) != null) {
          int storePid = rs.getInt(6);
          LOG.warn("The lease of {} expired while its batch holds the lease row; terminating its store backend {}",
              rs.getString(2), storePid);
          SlotTakeover.endDestinationBackend(connection, storePid);
        }
      }
      connection.commit();
    } catch (SQLException e) {
      connection.rollback();
      throw e;
    }
  }

  private Lease readCurrent() throws SQLException {
    try (PreparedStatement s = connection.prepareStatement(readSql)) {
      s.setString(1, slot);
      s.setString(2, sourceDatabase);
      try (ResultSet rs = s.executeQuery()) {
        Lease current = rs.next() ? lease(rs) : null;
        connection.commit();
        return current;
      }
    }
  }

  /** The lease row of a slot (for {@code status}), or null when no ingester has led it yet. */
  public static Lease read(Connection destination, String schema, String slot, String sourceDatabase)
      throws SQLException {
    try (PreparedStatement s = destination.prepareStatement("SELECT epoch, holder, leader_since, renewed_at, expires_at"
        + " FROM " + schema + ".ingester_leases WHERE slot = ? AND source_database = ?")) {
      s.setString(1, slot);
      s.setString(2, sourceDatabase);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? lease(rs) : null;
      }
    }
  }

  /** Records the leader's store backend, which a standby terminates if this process pauses mid-batch. */
  public synchronized void attachStore(int storePid) throws SQLException {
    try (PreparedStatement s = connection.prepareStatement(attachSql)) {
      s.setInt(1, storePid);
      s.setString(2, slot);
      s.setString(3, sourceDatabase);
      s.setLong(4, epoch);
      int updated = s.executeUpdate();
      connection.commit();
      if (updated == 0) {
        lost("another ingester took the lease");
      }
    }
  }

  private synchronized void renew() {
    if (epoch < 0) {
      return;
    }
    if (System.nanoTime() - heldUntilNanos > 0) {
      lost("not renewed for " + ttl.toSeconds() + " s (paused or cut off from the destination)");
      return;
    }
    long started = System.nanoTime();
    try (PreparedStatement s = connection.prepareStatement(renewSql)) {
      s.setDouble(1, ttl.toMillis() / 1000.0);
      s.setString(2, slot);
      s.setString(3, sourceDatabase);
      s.setLong(4, epoch);
      try (ResultSet rs = s.executeQuery()) {
        if (rs.next()) {
          Lease renewed = lease(rs);
          connection.commit();
          heldUntilNanos = started + ttl.toNanos();
          leadership.leading(renewed);
        } else {
          connection.commit();
          lost("another ingester took the lease");
        }
      }
    } catch (SQLException e) {
      try {
        connection.rollback();
      } catch (SQLException ignored) {
        // the connection is gone; the next renewal fails too until the lease runs out locally
      }
      LOG.debug("Lease renewal failed: {}", e.getMessage());
    }
  }

  private void lost(String reason) {
    if (lostReason == null) {
      lostReason = "Lost the lease of slot " + slot + " (epoch " + epoch + "): " + reason;
    }
    epoch = -1;
  }

  /** @throws LeadershipLostException when the lease is lost or ran out on this process's clock */
  public void requireHeld() {
    String reason = lossReason();
    if (reason != null) {
      throw new LeadershipLostException(reason);
    }
  }

  /**
   * The loss of the lease behind a failure while leading, or null when the lease is still held. A
   * leader that wakes from a pause finds its replication connection ended by the new leader before
   * it checks its lease: that failure is the lost lease showing, and is reported as such.
   */
  public LeadershipLostException lossBehind(Exception failure) {
    String reason = lossReason();
    return reason == null ? null
        : new LeadershipLostException(reason + " (it showed as: " + failure.getMessage() + ")", failure);
  }

  private String lossReason() {
    String reason = lostReason;
    if (reason != null) {
      return reason;
    }
    if (System.nanoTime() - heldUntilNanos > 0) {
      return "Lost the lease of slot " + slot + ": not renewed for " + ttl.toSeconds()
          + " s (paused or cut off from the destination)";
    }
    return null;
  }

  /** The fence: refuses the batch unless this epoch still holds an unexpired lease (see the class comment). */
  @Override
  public void check(Connection destination) throws SQLException {
    long held = epoch;
    if (held >= 0) {
      try (PreparedStatement s = destination.prepareStatement(fenceSql)) {
        s.setString(1, slot);
        s.setString(2, sourceDatabase);
        s.setLong(3, held);
        try (ResultSet rs = s.executeQuery()) {
          if (rs.next()) {
            return;
          }
        }
      }
    }
    String reason = lostReason;
    throw new LeadershipLostException("Batch refused: " + (reason != null ? reason
        : "this process no longer holds the lease of slot " + slot + " (another ingester took over)"));
  }

  /** Stops renewing; a lease still held is released so a standby takes over at its next poll. */
  @Override
  public void close() throws SQLException {
    renewer.shutdownNow();
    synchronized (this) {
      try {
        if (epoch >= 0) {
          try (PreparedStatement s = connection.prepareStatement(releaseSql)) {
            s.setString(1, slot);
            s.setString(2, sourceDatabase);
            s.setLong(3, epoch);
            s.executeUpdate();
            connection.commit();
          } catch (SQLException e) {
            LOG.debug("Could not release the lease: {}", e.getMessage());
          }
          epoch = -1;
        }
      } finally {
        connection.close();
      }
    }
  }

  private static Lease lease(ResultSet rs) throws SQLException {
    return new Lease(rs.getLong(1), rs.getString(2), instant(rs, 3), instant(rs, 4), instant(rs, 5));
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    return rs.getTimestamp(column).toInstant();
  }
}

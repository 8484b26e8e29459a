package io.bemi.ingester.retention;

import io.bemi.ingester.PostgresUrl;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes changes committed longer ago than the retention age, in small transactions on its own
 * thread and connection, so ingestion never waits for it.
 *
 * <p>What is kept so that time travel stays right for every instant inside the window: a record's
 * latest change before the cutoff (its state at the cutoff, e.g. a SNAPSHOT row of a record that
 * never changed since) and each table's latest TRUNCATE before the cutoff (it still ends older
 * records). Everything else older than the cutoff is deleted, including changes of tables without
 * a primary key (they have no record to answer for).
 */
public final class Retention implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Retention.class);
  private static final Pattern AGE = Pattern.compile("([1-9][0-9]*)([dhm])");

  private final PostgresUrl destination;
  private final String changes;
  private final Duration age;
  private final int batchSize;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "bemi-retention");
    thread.setDaemon(true);
    return thread;
  });

  public Retention(PostgresUrl destination, String destinationSchema, Duration age, int batchSize) {
    this.destination = destination;
    this.changes = destinationSchema + ".changes";
    this.age = age;
    this.batchSize = batchSize;
  }

  /** {@code 90d}, {@code 12h}, {@code 30m}. @throws IllegalArgumentException showing the bad value */
  public static Duration parseAge(String text) {
    Matcher m = AGE.matcher(text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("Invalid --retention '" + text + "': expected a number and d, h or m "
          + "(e.g. 90d)");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "d" -> Duration.ofDays(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofMinutes(n);
    };
  }

  /**
   * Runs {@link #deleteExpired()} after {@code firstDelay} (the ingester migrates the destination
   * first) and then every {@code interval}; failures are logged and retried.
   */
  public void start(Duration firstDelay, Duration interval) {
    timer.scheduleWithFixedDelay(() -> {
      try {
        long deleted = deleteExpired();
        if (deleted > 0) {
          LOG.info("Retention: deleted {} change(s) committed before now - {}", deleted, age);
        }
      } catch (SQLException | RuntimeException e) {
        LOG.warn("Retention: delete failed, retrying in {}: {}", interval, e.getMessage());
      }
    }, firstDelay.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Deletes expired changes batch by batch, each batch its own transaction; returns how many. */
  public long deleteExpired() throws SQLException {
    String sql = "DELETE FROM " + changes + " WHERE id IN (SELECT c.id FROM " + changes + " c"
        + " WHERE c.committed_at < now() - ?::interval AND ("
        // keyless rows (not TRUNCATE): no record identity to keep a state for
        + " (c.primary_key IS NULL AND c.operation <> 'TRUNCATE')"
        // a record's change superseded by a later change that is also before the cutoff
        + " OR (c.primary_key IS NOT NULL AND EXISTS (SELECT 1 FROM " + changes + " n"
        + "   WHERE n.schema = c.schema AND n.\"table\" = c.\"table\" AND n.primary_key = c.primary_key"
        + "     AND (n.commit_lsn, n.change_index) > (c.commit_lsn, c.change_index)"
        + "     AND n.committed_at < now() - ?::interval))"
        // a TRUNCATE followed by a later TRUNCATE of the table before the cutoff
        + " OR (c.operation = 'TRUNCATE' AND EXISTS (SELECT 1 FROM " + changes + " n"
        + "   WHERE n.operation = 'TRUNCATE' AND n.schema = c.schema AND n.\"table\" = c.\"table\""
        + "     AND (n.commit_lsn, n.change_index) > (c.commit_lsn, c.change_index)"
        + "     AND n.committed_at < now() - ?::interval)))"
        + " LIMIT ?)";
    String interval = age.toSeconds() + " seconds";
    long total = 0;
    try (Connection c = destination.connect(); PreparedStatement delete = c.prepareStatement(sql)) {
      c.setAutoCommit(true);
      delete.setString(1, interval);
      delete.setString(2, interval);
      delete.setString(3, interval);
      delete.setInt(4, batchSize);
      while (true) {
        int deleted = delete.executeUpdate();
        total += deleted;
        if (deleted < batchSize) {
          return total;
        }
      }
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}

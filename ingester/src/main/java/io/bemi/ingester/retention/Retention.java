package io.bemi.ingester.retention;

import io.bemi.ingester.PostgresUrl;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expires changes committed longer ago than the retention age by dropping whole monthly partitions
 * of {@code changes} ({@code expire_oldest_partition}, V70), on its own thread and connection: no
 * row is deleted, so expiring a month costs reading its kept states, not deleting its rows.
 *
 * <p>What is kept so that time travel stays right for every instant inside the window: a record's
 * latest change of each dropped month moves into {@code changes_history} (its state at the
 * cutoff, e.g. a SNAPSHOT row of a record that never changed since), replacing the state kept
 * before, and likewise each table's latest TRUNCATE. Changes of tables without a primary key go
 * with their month. A month is dropped once it ends before the cutoff, so up to one month more
 * than the age is kept.
 */
public final class Retention implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Retention.class);
  private static final Pattern AGE = Pattern.compile("([1-9][0-9]*)([dhm])");

  private final PostgresUrl destination;
  private final String expireSql;
  private final Duration age;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "bemi-retention");
    thread.setDaemon(true);
    return thread;
  });

  public Retention(PostgresUrl destination, String destinationSchema, Duration age) {
    this.destination = destination;
    this.expireSql = "SELECT " + destinationSchema + ".expire_oldest_partition(?)";
    this.age = age;
  }

  /** {@code 90d}, {@code 12h}, {@code 30m}. @throws IllegalArgumentException naming the option and the bad value */
  public static Duration parseAge(String option, String text) {
    Matcher m = AGE.matcher(text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("Invalid " + option + " '" + text + "': expected a whole number of at least 1"
          + " and d, h or m (e.g. 90d)");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "d" -> Duration.ofDays(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofMinutes(n);
    };
  }

  /**
   * Runs {@link #expireBefore} with the cutoff now - age after {@code firstDelay} (the ingester
   * migrates the destination first) and then every {@code interval}; failures are logged and retried.
   */
  public void start(Duration firstDelay, Duration interval) {
    timer.scheduleWithFixedDelay(() -> {
      try {
        List<String> dropped = expireBefore(Instant.now().minus(age));
        if (!dropped.isEmpty()) {
          LOG.info("Retention: dropped the partition(s) {} (changes committed before now - {}), kept each "
              + "record's state in changes_history", dropped, age);
        }
      } catch (SQLException | RuntimeException e) {
        LOG.warn("Retention: expiry failed, retrying in {}: {}", interval, e.getMessage());
      }
    }, firstDelay.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Drops every monthly partition that ends at or before {@code cutoff}, oldest first, one transaction each. */
  public List<String> expireBefore(Instant cutoff) throws SQLException {
    List<String> dropped = new ArrayList<>();
    try (Connection c = destination.connect(); PreparedStatement expire = c.prepareStatement(expireSql)) {
      c.setAutoCommit(true);
      expire.setTimestamp(1, Timestamp.from(cutoff));
      while (true) {
        try (ResultSet rs = expire.executeQuery()) {
          rs.next();
          if (rs.getString(1) == null) {
            return dropped;
          }
          dropped.add(rs.getString(1));
        }
      }
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}

package io.bemi.ingester.store;

import io.bemi.ingester.PostgresUrl;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the block range summaries of the partition being written current ({@code
 * summarize_new_ranges()}, R__5_maintenance.sql), so a lookup of a recent transaction by xid reads
 * a few ranges, not every range autovacuum has not summarized yet. Runs on a thread and a
 * destination connection of its own: it never delays storing, and a lock it cannot get at once
 * (a VACUUM of that partition, another ingester summarizing) is left for the next round.
 */
public final class RangeSummarizer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RangeSummarizer.class);
  /** How often the ranges are summarized while the ingester stores. */
  public static final Duration INTERVAL = Duration.ofSeconds(30);

  private final PostgresUrl destination;
  private final String sql;
  private final ScheduledExecutorService thread;
  private Connection connection; // used by the thread only
  private volatile boolean refused;

  private RangeSummarizer(PostgresUrl destination, String schema) {
    this.destination = destination;
    this.sql = "SELECT " + schema + ".summarize_new_ranges()";
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bemi-summarize");
      t.setDaemon(true);
      return t;
    });
  }

  /** Summarizes every {@code interval}, the first time after one interval. */
  public static RangeSummarizer start(PostgresUrl destination, String schema, Duration interval) {
    RangeSummarizer summarizer = new RangeSummarizer(destination, schema);
    long millis = interval.toMillis();
    summarizer.thread.scheduleWithFixedDelay(summarizer::summarizeQuietly, millis, millis, TimeUnit.MILLISECONDS);
    return summarizer;
  }

  /** One round now, on the calling thread's behalf (tests, benchmarks); the ranges summarized. */
  public int summarizeNow() throws Exception {
    return thread.submit(this::summarize).get();
  }

  /** True when the destination refused (the role does not own the trail's indexes): no more rounds are tried. */
  public boolean refused() {
    return refused;
  }

  private void summarizeQuietly() {
    try {
      summarize();
    } catch (RuntimeException e) {
      LOG.debug("Summarizing block ranges failed: {}", e.getMessage());
    }
  }

  private int summarize() {
    if (refused) {
      return 0;
    }
    try {
      if (connection == null || connection.isClosed()) {
        connection = destination.connect();
        try (Statement s = connection.createStatement()) {
          // never wait for a VACUUM of the partition (nor make it cancel itself, after deadlock_timeout)
          s.execute("SET lock_timeout = '200ms'");
        }
      }
      try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
        int summarized = rs.next() ? rs.getInt(1) : 0;
        LOG.debug("Summarized {} block range(s) of the newest partition", summarized);
        return summarized;
      }
    } catch (SQLException e) {
      if ("42501".equals(e.getSQLState())) {
        refused = true;
        LOG.info("Not summarizing the trail's block ranges: {}. Lookups by transaction id then scan the ranges "
            + "autovacuum has not summarized yet; run the ingester as the owner of the trail's tables to keep them "
            + "summarized", e.getMessage());
      } else if ("55P03".equals(e.getSQLState())) {
        LOG.debug("Block ranges not summarized this round: the partition is locked (a VACUUM is at it)");
      } else {
        LOG.debug("Summarizing block ranges failed: {}", e.getMessage());
        closeConnection();
      }
      return 0;
    }
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // it is being replaced
      }
      connection = null;
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeConnection();
  }
}

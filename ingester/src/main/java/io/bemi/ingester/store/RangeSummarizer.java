package io.bemi.ingester.store;

import io.bemi.ingester.BackgroundConnection;
import io.bemi.ingester.PostgresUrl;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
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

  private final String sql;
  private final BackgroundConnection thread;
  private volatile boolean refused;

  private RangeSummarizer(PostgresUrl destination, String schema) {
    this.sql = "SELECT " + schema + ".summarize_new_ranges()";
    // never wait for a VACUUM of the partition (nor make it cancel itself, after deadlock_timeout)
    this.thread = new BackgroundConnection("bemi-summarize", destination, "SET lock_timeout = '200ms'");
  }

  /** Summarizes every {@code interval}, the first time after one interval. */
  public static RangeSummarizer start(PostgresUrl destination, String schema, Duration interval) {
    RangeSummarizer summarizer = new RangeSummarizer(destination, schema);
    summarizer.thread.every(interval, interval, summarizer::summarize);
    return summarizer;
  }

  /** One round now (tests, benchmarks): the ranges summarized. */
  public int summarizeNow() throws InterruptedException, ExecutionException {
    return thread.call(this::summarize);
  }

  /** True when the destination refused (the role does not own the trail's indexes): no more rounds are tried. */
  public boolean refused() {
    return refused;
  }

  private int summarize() {
    if (refused) {
      return 0;
    }
    try (Statement s = thread.connection().createStatement(); ResultSet rs = s.executeQuery(sql)) {
      int summarized = rs.next() ? rs.getInt(1) : 0;
      LOG.debug("Summarized {} block range(s) of the newest partition", summarized);
      return summarized;
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
        thread.drop();
      }
      return 0;
    }
  }

  @Override
  public void close() {
    thread.close();
  }
}

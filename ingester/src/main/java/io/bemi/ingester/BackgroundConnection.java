package io.bemi.ingester;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemon thread with a database connection of its own, for the ingester's periodic work beside
 * the stream (the slot monitor, the block range summarizer): the connection is opened when a task
 * first needs it, and again after a task {@link #drop}s it as broken. Tasks run one at a time on
 * that thread, which alone uses the connection.
 */
public final class BackgroundConnection implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(BackgroundConnection.class);

  private final PostgresUrl url;
  private final String setup;
  private final ScheduledExecutorService thread;
  private Connection connection; // the thread's only

  /** @param setup run on each new connection (a {@code SET}), or null */
  public BackgroundConnection(String threadName, PostgresUrl url, String setup) {
    this.url = url;
    this.setup = setup;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Runs {@code task} after {@code delay}, then {@code interval} after each run ends; a run that
   * throws is logged and does not end the schedule.
   */
  public void every(Duration delay, Duration interval, Runnable task) {
    thread.scheduleWithFixedDelay(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.warn("A periodic task failed (retried in {} s): {}", interval.toSeconds(), e.toString());
      }
    }, delay.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Runs {@code task} on the thread now (after the one running) and waits for its result. */
  public <T> T call(Callable<T> task) throws InterruptedException, ExecutionException {
    return thread.submit(task).get();
  }

  /** The thread's connection (autocommit), opened when there is none. Call on the thread only. */
  public Connection connection() throws SQLException {
    if (connection == null) {
      Connection opened = url.connect();
      try {
        opened.setAutoCommit(true);
        if (setup != null) {
          try (Statement s = opened.createStatement()) {
            s.execute(setup);
          }
        }
      } catch (SQLException e) {
        opened.close();
        throw e;
      }
      connection = opened;
    }
    return connection;
  }

  /** Closes the connection (broken, or no longer needed); the next {@link #connection()} opens another. */
  public void drop() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // already broken
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
    drop();
  }
}

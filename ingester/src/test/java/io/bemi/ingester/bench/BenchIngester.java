package io.bemi.ingester.bench;

import io.bemi.ingester.Ingester;
import io.bemi.ingester.IngesterConfig;
import io.bemi.ingester.IngesterMetrics;
import io.bemi.ingester.sink.SinkFactory;
import io.bemi.sql.Lsn;
import java.time.Clock;
import java.time.Duration;

/** An ingester running on its own thread in the benchmark's JVM; closing it stops it. */
final class BenchIngester implements AutoCloseable {

  private final Ingester ingester;
  private final Thread thread;

  private BenchIngester(Ingester ingester) {
    this.ingester = ingester;
    this.thread = new Thread(() -> {
      try {
        ingester.run();
      } catch (Exception e) {
        e.printStackTrace();
      }
    }, "ingester");
  }

  /** Starts an ingester storing into the database sink ({@code sinks} null) or the given one. */
  static BenchIngester start(IngesterConfig config, IngesterMetrics metrics, SinkFactory sinks) {
    BenchIngester running = new BenchIngester(new Ingester(config, metrics, Clock.systemUTC(), sinks));
    running.thread.start();
    return running;
  }

  IngesterMetrics metrics() {
    return ingester.metrics();
  }

  /** Waits until the ingester streams from its slot. */
  void awaitStreaming() throws InterruptedException {
    while (!metrics().isStreaming()) {
      pause();
    }
  }

  /** Waits until the ingester has confirmed {@code marker} (a message after the last change waited for). */
  void awaitConfirmed(Lsn marker) throws InterruptedException {
    while (!metrics().confirmedLsn().isAfter(marker)) {
      pause();
    }
  }

  private void pause() throws InterruptedException {
    Thread.sleep(20);
    if (!thread.isAlive()) {
      throw new IllegalStateException("The ingester stopped; its error is printed above");
    }
  }

  @Override
  public void close() throws InterruptedException {
    ingester.stop();
    ingester.awaitStopped(Duration.ofSeconds(30));
  }
}

package io.bemi.ingester.bench;

import io.bemi.ingester.IngesterConfig;
import io.bemi.ingester.IngesterMetrics;
import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.setup.SourceSetup;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Steady load: a writer commits 2,000 row changes/s (transactions of 5 inserts with a context
 * message) for {@code bench.seconds}; prints the commit-to-stored latency (source commit
 * timestamp to the destination commit that stored the transaction) p50 and p99.
 *
 * <pre>./mvnw -q -o -pl ingester test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.bemi.ingester.bench.LatencyBenchmark</pre>
 */
public final class LatencyBenchmark {

  private LatencyBenchmark() {}

  public static void main(String[] args) throws Exception {
    int seconds = Integer.getInteger("bench.seconds", 30);
    int changesPerSecond = Integer.getInteger("bench.rate", 2000);
    int rowsPerTransaction = 5;
    try (BenchPostgres pg = BenchPostgres.start("latency")) {
      pg.execute("CREATE TABLE orders (id bigserial PRIMARY KEY, customer int, total numeric, placed_at timestamptz)");
      try (Connection c = pg.connect()) {
        SourceSetup.execute(c, SourceSetup.setupStatements(c, 
            SourceSetup.trackedTables(c, "bemi", List.of(), List.of()), "bemi", "bemi"));
      }
      PostgresUrl url = PostgresUrl.parse(pg.uri());
      IngesterMetrics metrics = new IngesterMetrics();
      IngesterConfig config = IngesterConfig.defaults(url, url, "bemi", "bemi", "bemi");
      config = config.withBatching(config.maxBatchChanges(),
          Duration.ofMillis(Long.getLong("bench.batchDelayMs", config.maxBatchDelay().toMillis())), config.holdBack());
      BenchIngester ingester = BenchIngester.start(config, metrics, null);
      ingester.awaitStreaming();

      long expected = writeSteadily(pg, seconds, changesPerSecond, rowsPerTransaction);
      while (metrics.changesStored() < expected) {
        Thread.sleep(20);
      }
      ingester.close();

      var snapshot = metrics.commitToStored().takeSnapshot();
      System.out.printf("stored %,d changes in %,d transactions, %,d destination commits%n", metrics.changesStored(),
          metrics.transactionsStored(), metrics.batchesCommitted());
      for (ValueAtPercentile p : snapshot.percentileValues()) {
        System.out.printf("commit-to-stored p%.0f: %.1f ms%n", p.percentile() * 100, p.value(TimeUnit.MILLISECONDS));
      }
      System.out.printf("commit-to-stored max: %.1f ms (target p99 < 1000 ms)%n", snapshot.max(TimeUnit.MILLISECONDS));
    }
  }

  /**
   * Commits {@code changesPerSecond} row changes/s into {@code orders} (transactions of {@code
   * rowsPerTransaction} inserts after a context message) for {@code seconds}; returns the number of changes.
   */
  static long writeSteadily(BenchPostgres pg, int seconds, int changesPerSecond, int rowsPerTransaction)
      throws Exception {
  long intervalNanos = TimeUnit.SECONDS.toNanos(1) * rowsPerTransaction / changesPerSecond;
  long transactions = (long) seconds * changesPerSecond / rowsPerTransaction;
  try (Connection c = pg.connect();
       PreparedStatement context = c.prepareStatement("SELECT pg_logical_emit_message(true, '_bemi', ?)");
       PreparedStatement insert = c.prepareStatement(
           "INSERT INTO orders (customer, total, placed_at) VALUES (?, ?, now())")) {
    c.setAutoCommit(false);
    long start = System.nanoTime();
    for (long i = 0; i < transactions; i++) {
      long due = start + i * intervalNanos;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      context.setString(1, "{\"request_id\": " + i + "}");
      context.execute();
      for (int r = 0; r < rowsPerTransaction; r++) {
        insert.setInt(1, (int) (i % 1000));
        insert.setBigDecimal(2, java.math.BigDecimal.valueOf(i, 2));
        insert.addBatch();
      }
      insert.executeBatch();
      c.commit();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    System.out.printf("writer: %,d changes in %.1f s = %,.0f changes/s%n", transactions * rowsPerTransaction,
        elapsed, transactions * rowsPerTransaction / elapsed);
  }
    return transactions * rowsPerTransaction;
  }
}

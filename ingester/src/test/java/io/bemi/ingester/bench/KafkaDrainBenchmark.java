package io.bemi.ingester.bench;

import io.bemi.ingester.IngesterConfig;
import io.bemi.ingester.IngesterMetrics;
import io.bemi.ingester.PostgresUrl;
import io.bemi.sql.Lsn;
import io.bemi.ingester.sink.SinkFactory;
import io.bemi.ingester.sink.kafka.KafkaSink;
import io.bemi.ingester.sink.kafka.KafkaSinkSettings;
import io.bemi.test.kafka.KafkaBrokers;

/**
 * The Kafka sink's backlog drain beside pg_recvlogical and the database sink, on the same
 * backlog as {@link DrainBenchmark} (three slots created at the same point): one KRaft broker in
 * this JVM, topics {@code bench.public.accounts} / {@code bench.public.history} (3 partitions).
 *
 * <pre>./mvnw -q -pl ingester test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.bemi.ingester.bench.KafkaDrainBenchmark [-Dbench.oltp=30000 -Dbench.bulk=150000]</pre>
 */
public final class KafkaDrainBenchmark {

  private KafkaDrainBenchmark() {}

  public static void main(String[] args) throws Exception {
    int oltpTransactions = Integer.getInteger("bench.oltp", 30_000);
    int bulkRows = Integer.getInteger("bench.bulk", 150_000);
    try (BenchPostgres pg = BenchPostgres.start("kafka_drain"); KafkaBrokers kafka = KafkaBrokers.start(1)) {
      Backlog backlog = Backlog.mixed(pg, oltpTransactions, bulkRows, "baseline",
          "kafka");
      double recvSeconds = DrainBenchmark.recvlogical(pg, "baseline", backlog.end());
      PostgresUrl url = PostgresUrl.parse(pg.uri());
      IngesterConfig config = IngesterConfig.defaults(url, url, "bemi", "bemi", "bemi");
      Drain database = drain(config, null, backlog.marker());
      IngesterConfig kafkaConfig = IngesterConfig.defaults(url, url, "bemi", "kafka", "bemi");
      KafkaSinkSettings settings = KafkaSinkSettings.defaults(kafka.bootstrapServers());
      settings = new KafkaSinkSettings(settings.bootstrapServers(), "bench", null, settings.checkpointTopic(), null,
          settings.compression(), settings.transactionTimeout(), settings.clientProperties());
      Drain published = drain(kafkaConfig, KafkaSink.factory(settings, url), backlog.marker());

      long changes = database.metrics().changesStored();
      double recvRate = changes / recvSeconds;
      System.out.printf("backlog: %,d row changes in %,d transactions%n", changes,
          database.metrics().transactionsStored());
      System.out.printf("pg_recvlogical:     %.1f s, %,.0f changes/s%n", recvSeconds, recvRate);
      report("database sink", database, recvRate);
      report("Kafka sink", published, recvRate);
    }
  }

  /** How long an ingester took to confirm the whole backlog. */
  private record Drain(IngesterMetrics metrics, double seconds) {}

  private static Drain drain(IngesterConfig config, SinkFactory sinks, Lsn marker) throws Exception {
    IngesterMetrics metrics = new IngesterMetrics();
    long started = System.nanoTime();
    try (BenchIngester ingester = BenchIngester.start(config, metrics, sinks)) {
      ingester.awaitConfirmed(marker);
      return new Drain(metrics, (System.nanoTime() - started) / 1e9);
    }
  }

  private static void report(String name, Drain drain, double recvRate) {
    double rate = drain.metrics().changesStored() / drain.seconds();
    System.out.printf("%-18s  %.1f s, %,.0f changes/s, %,d commits; ratio to pg_recvlogical %.2f%n", name + ":",
        drain.seconds(), rate, drain.metrics().batchesCommitted(), rate / recvRate);
  }
}

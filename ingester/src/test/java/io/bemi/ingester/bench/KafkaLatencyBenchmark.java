package io.bemi.ingester.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bemi.ingester.IngesterConfig;
import io.bemi.ingester.IngesterMetrics;
import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.setup.SourceSetup;
import io.bemi.ingester.sink.kafka.KafkaSink;
import io.bemi.ingester.sink.kafka.KafkaSinkSettings;
import io.bemi.test.kafka.KafkaBrokers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Commit → consumer latency through the Kafka sink: {@link LatencyBenchmark}'s steady writer
 * (2,000 changes/s), {@code run --sink kafka} into one in-process KRaft broker, and a
 * read_committed consumer that takes, per event, its arrival time minus {@code source.ts_ms}
 * (the source commit, millisecond precision). Prints p50, p99 and max.
 *
 * <p>Tuning knobs: {@code bench.batchDelayMs} (the ingester's {@code --max-batch-delay-ms}, default
 * 200: how long a batch, i.e. a Kafka transaction, stays open at most) and {@code bench.linger}
 * (the producer's {@code linger.ms}, default 5).
 *
 * <pre>./mvnw -q -pl ingester test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.bemi.ingester.bench.KafkaLatencyBenchmark [-Dbench.seconds=30 -Dbench.rate=2000 \
 *   -Dbench.batchDelayMs=200 -Dbench.linger=5]</pre>
 */
public final class KafkaLatencyBenchmark {

  private static final ObjectMapper JSON = new ObjectMapper();

  private KafkaLatencyBenchmark() {}

  public static void main(String[] args) throws Exception {
    int seconds = Integer.getInteger("bench.seconds", 30);
    int changesPerSecond = Integer.getInteger("bench.rate", 2000);
    int batchDelayMs = Integer.getInteger("bench.batchDelayMs", 200);
    String linger = System.getProperty("bench.linger", "5");
    try (BenchPostgres pg = BenchPostgres.start("kafka_latency"); KafkaBrokers kafka = KafkaBrokers.start(1)) {
      pg.execute("CREATE TABLE orders (id bigserial PRIMARY KEY, customer int, total numeric, placed_at timestamptz)");
      try (Connection c = pg.connect()) {
        SourceSetup.execute(c, SourceSetup.setupStatements(c,
            SourceSetup.trackedTables(c, "bemi", List.of(), List.of()), "bemi", "bemi"));
      }
      kafka.createTopics(3, "lat.public.orders");
      PostgresUrl url = PostgresUrl.parse(pg.uri());
      IngesterMetrics metrics = new IngesterMetrics();
      KafkaSinkSettings settings = new KafkaSinkSettings(kafka.bootstrapServers(), "lat", null, "lat.checkpoints",
          null, "lz4", Duration.ofMinutes(1), Map.of("linger.ms", linger));
      IngesterConfig config = IngesterConfig.defaults(url, url, "bemi", "bemi", "bemi");
      config = config.withBatching(config.maxBatchChanges(), Duration.ofMillis(batchDelayMs), config.holdBack());
      BenchIngester ingester = BenchIngester.start(config, metrics, KafkaSink.factory(settings, url));
      ingester.awaitStreaming();
      List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
      AtomicBoolean consuming = new AtomicBoolean(true);
      Thread consumer = new Thread(() -> consume(kafka.bootstrapServers(), latencies, consuming));
      consumer.start();

      long expected = LatencyBenchmark.writeSteadily(pg, seconds, changesPerSecond, 5);
      long writerDone = System.nanoTime();
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (latencies.size() < expected && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      double catchUp = (System.nanoTime() - writerDone) / 1e9;
      consuming.set(false);
      consumer.join();
      ingester.close();

      List<Long> sorted = new ArrayList<>(latencies);
      Collections.sort(sorted);
      System.out.printf("consumed %,d of %,d changes in %,d Kafka transactions, the last %.1f s after the writer "
          + "stopped (batch delay %d ms, linger.ms %s; load average %s)%n", sorted.size(), expected,
          metrics.batchesCommitted(), catchUp, batchDelayMs, linger,
          Files.readString(Path.of("/proc/loadavg")).trim());
      System.out.printf("commit -> read_committed consumer: p50 %d ms, p99 %d ms, max %d ms%n",
          sorted.get(sorted.size() / 2), sorted.get((int) (sorted.size() * 0.99)), sorted.get(sorted.size() - 1));
    }
  }

  private static void consume(String bootstrapServers, List<Long> latencies, AtomicBoolean consuming) {
    Properties properties = new Properties();
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    properties.put(ConsumerConfig.GROUP_ID_CONFIG, "latency");
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties)) {
      consumer.subscribe(List.of("lat.public.orders"));
      while (consuming.get()) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          long now = System.currentTimeMillis();
          latencies.add(now - JSON.readTree(record.value()).get("source").get("ts_ms").asLong());
        }
      }
    } catch (Exception e) {
      e.printStackTrace();
    }
  }
}

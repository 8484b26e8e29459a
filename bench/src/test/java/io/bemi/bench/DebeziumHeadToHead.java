package io.bemi.bench;

import io.bemi.ingester.Ingester;
import io.bemi.ingester.IngesterConfig;
import io.bemi.ingester.IngesterMetrics;
import io.bemi.ingester.PostgresUrl;
import io.bemi.sql.Lsn;
import io.bemi.ingester.setup.SourceSetup;
import io.bemi.ingester.sink.kafka.KafkaSink;
import io.bemi.ingester.sink.kafka.KafkaSinkSettings;
import io.bemi.test.kafka.KafkaBrokers;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Debezium's PostgreSQL connector (embedded engine, pgoutput, its events fed to a plain
 * KafkaProducer) against {@code run --sink kafka}, with pg_recvlogical reading the same backlog as
 * the floor: one backlog, one slot per contender and round created at the same point before it,
 * one KRaft broker in this JVM. Rounds alternate the contenders' order; every figure of a round
 * comes from the same backlog on the same (shared) machine, so compare ratios, not absolute rates.
 *
 * <pre>./mvnw -q -pl test-support,sql,ingester,driver install -DskipTests
 * ./mvnw -q -pl bench test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.bemi.bench.DebeziumHeadToHead [-Dbench.oltp=150000 -Dbench.bulk=200000 -Dbench.rounds=2]</pre>
 *
 * <p>The backlog: {@code bench.oltp} small transactions (a {@code _bemi} context message, an
 * UPDATE and an INSERT each), a bulk INSERT of {@code bench.bulk} rows and a bulk UPDATE of the
 * 50,000 accounts. Both publishers produce with acks=all, lz4, linger.ms=5, batch.size=256 KiB; the
 * Bemi sink is transactional (exactly once, the slot confirmed after each Kafka commit), Debezium's
 * producer is idempotent and flushed before its offsets are marked (at least once), with
 * Debezium's defaults otherwise (max.batch.size 2048, decimal.handling.mode precise).
 */
public final class DebeziumHeadToHead {

  private static final int ACCOUNTS = 50_000;

  private DebeziumHeadToHead() {}

  public static void main(String[] args) throws Exception {
    int oltp = Integer.getInteger("bench.oltp", 150_000);
    int bulk = Integer.getInteger("bench.bulk", 200_000);
    int rounds = Integer.getInteger("bench.rounds", 2);
    System.out.println("load average at start: " + loadAverage());
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60))
        .setServerConfig("wal_level", "logical").setServerConfig("max_replication_slots", "20")
        .setServerConfig("max_wal_senders", "20").setServerConfig("fsync", "off")
        .setServerConfig("synchronous_commit", "on").setServerConfig("full_page_writes", "off")
        .setServerConfig("max_wal_size", "4GB").setServerConfig("timezone", "UTC").start();
        KafkaBrokers kafka = KafkaBrokers.start(1)) {
      Source source = new Source(pg);
      long changes = source.buildBacklog(oltp, bulk, rounds);
      System.out.printf("backlog: %,d row changes (%,d small transactions + bulk statements), built; load average %s%n",
          changes, oltp, loadAverage());
      Map<String, List<Double>> seconds = new LinkedHashMap<>();
      for (int round = 0; round < rounds; round++) {
        List<String> order = new ArrayList<>(List.of("pg_recvlogical", "run --sink kafka", "Debezium"));
        Collections.rotate(order, round);
        for (String contender : order) {
          double s = switch (contender) {
            case "pg_recvlogical" -> source.recvlogical("recv_" + round);
            case "run --sink kafka" -> bemi(source, kafka, round, changes);
            default -> debezium(source, kafka, round, changes);
          };
          seconds.computeIfAbsent(contender, k -> new ArrayList<>()).add(s);
          System.out.printf("round %d  %-17s %6.1f s  %,9.0f changes/s  (load average %s)%n", round + 1, contender, s,
              changes / s, loadAverage());
        }
      }
      System.out.println();
      for (int round = 0; round < rounds; round++) {
        double recv = seconds.get("pg_recvlogical").get(round);
        double bemi = seconds.get("run --sink kafka").get(round);
        double debezium = seconds.get("Debezium").get(round);
        System.out.printf("round %d ratios: run --sink kafka / pg_recvlogical %.2f, Debezium / pg_recvlogical %.2f, "
            + "run --sink kafka / Debezium %.2f%n", round + 1, recv / bemi, recv / debezium, debezium / bemi);
      }
      System.out.println("load average at end: " + loadAverage());
    }
  }

  /** {@code run --sink kafka} on slot bemi_ROUND until the backlog is confirmed. */
  private static double bemi(Source source, KafkaBrokers kafka, int round, long changes) throws Exception {
    PostgresUrl url = PostgresUrl.parse(source.uri());
    KafkaSinkSettings defaults = KafkaSinkSettings.defaults(kafka.bootstrapServers());
    KafkaSinkSettings settings = new KafkaSinkSettings(defaults.bootstrapServers(), "bemi" + round, null,
        defaults.checkpointTopic(), null, defaults.compression(), defaults.transactionTimeout(),
        defaults.clientProperties());
    IngesterMetrics metrics = new IngesterMetrics();
    Ingester ingester = new Ingester(IngesterConfig.defaults(url, url, "bemi", "bemi_" + round, "bemi"), metrics,
        Clock.systemUTC(), KafkaSink.factory(settings, url));
    Thread thread = new Thread(() -> {
      try {
        ingester.run();
      } catch (Exception e) {
        e.printStackTrace();
      }
    });
    long started = System.nanoTime();
    thread.start();
    while (!metrics.confirmedLsn().isAfter(source.marker)) {
      Thread.sleep(20);
      if (!thread.isAlive()) {
        throw new IllegalStateException("The ingester stopped");
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    ingester.stop();
    ingester.awaitStopped(Duration.ofSeconds(30));
    if (metrics.changesStored() != changes) {
      throw new IllegalStateException("run --sink kafka published " + metrics.changesStored() + " of " + changes);
    }
    return seconds;
  }

  /** Debezium's connector on slot dbz_ROUND, its events sent to Kafka, until every row change is acknowledged. */
  private static double debezium(Source source, KafkaBrokers kafka, int round, long changes) throws Exception {
    String prefix = "dbz" + round;
    Properties config = new Properties();
    config.setProperty("name", prefix);
    config.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
    config.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
    config.setProperty("offset.flush.interval.ms", "10000");
    config.setProperty("database.hostname", "localhost");
    config.setProperty("database.port", String.valueOf(source.pg.getPort()));
    config.setProperty("database.user", "postgres");
    config.setProperty("database.password", "postgres");
    config.setProperty("database.dbname", Source.DATABASE);
    config.setProperty("topic.prefix", prefix);
    config.setProperty("plugin.name", "pgoutput");
    config.setProperty("slot.name", "dbz_" + round);
    config.setProperty("publication.name", "bemi");
    config.setProperty("publication.autocreate.mode", "disabled");
    config.setProperty("snapshot.mode", "no_data");
    config.setProperty("converter.schemas.enable", "false");
    AtomicLong published = new AtomicLong();
    String tables = prefix + ".public.";
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties(kafka))) {
      DebeziumEngine<ChangeEvent<String, String>> engine = DebeziumEngine.create(Json.class).using(config)
          .notifying((records, committer) -> {
            long rows = 0;
            for (ChangeEvent<String, String> record : records) {
              if (record.value() != null) {
                producer.send(new ProducerRecord<>(record.destination(), bytes(record.key()), bytes(record.value())));
                rows += record.destination().startsWith(tables) ? 1 : 0;
              }
            }
            producer.flush(); // acknowledged before the offsets move on: at least once
            for (ChangeEvent<String, String> record : records) {
              committer.markProcessed(record);
            }
            committer.markBatchFinished();
            published.addAndGet(rows);
          }).build();
      ExecutorService executor = Executors.newSingleThreadExecutor();
      long started = System.nanoTime();
      executor.execute(engine);
      try {
        long deadline = started + Duration.ofMinutes(30).toNanos();
        while (published.get() < changes) {
          if (System.nanoTime() > deadline || executor.isTerminated()) {
            throw new IllegalStateException("Debezium published " + published.get() + " of " + changes);
          }
          Thread.sleep(20);
        }
        return (System.nanoTime() - started) / 1e9;
      } finally {
        engine.close();
        executor.shutdown();
      }
    }
  }

  private static Properties producerProperties(KafkaBrokers kafka) {
    Properties properties = new Properties();
    properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    properties.put(ProducerConfig.ACKS_CONFIG, "all");
    properties.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    properties.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    properties.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return properties;
  }

  private static byte[] bytes(String text) {
    return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
  }

  private static String loadAverage() throws Exception {
    String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
    return fields[0] + " " + fields[1] + " " + fields[2];
  }

  /** The source database, its slots and its backlog. */
  private static final class Source {

    static final String DATABASE = "h2h";

    final EmbeddedPostgres pg;
    Lsn marker;
    Lsn end;

    Source(EmbeddedPostgres pg) throws Exception {
      this.pg = pg;
      try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE " + DATABASE);
      }
    }

    String uri() {
      return "postgresql://postgres:postgres@localhost:" + pg.getPort() + "/" + DATABASE;
    }

    Connection connect() throws Exception {
      return pg.getDatabase("postgres", DATABASE).getConnection();
    }

    /** Tables, publication, three slots per round at one point, then the backlog; returns its row changes. */
    long buildBacklog(int oltp, int bulk, int rounds) throws Exception {
      try (Connection c = connect(); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE accounts (id bigint PRIMARY KEY, balance numeric NOT NULL, note text,"
            + " updated_at timestamptz)");
        s.execute("CREATE TABLE transfers (id bigserial PRIMARY KEY, account_id bigint, amount numeric,"
            + " created_at timestamptz)");
        s.execute("INSERT INTO accounts SELECT i, 0, 'account ' || i, now() FROM generate_series(1, " + ACCOUNTS
            + ") i");
        String account = "1 + (i * 7919) % " + ACCOUNTS;
        s.execute("CREATE PROCEDURE transfer(n int) LANGUAGE plpgsql AS $$ BEGIN FOR i IN 1..n LOOP"
            + " PERFORM pg_logical_emit_message(true, '_bemi',"
            + " json_build_object('user_id', i % 1000, 'endpoint', 'POST /transfer')::text);"
            + " UPDATE accounts SET balance = balance + 1, updated_at = now() WHERE id = " + account + ";"
            + " INSERT INTO transfers (account_id, amount, created_at) VALUES (" + account + ", 1, now());"
            + " COMMIT; END LOOP; END $$");
        SourceSetup.execute(c, SourceSetup.setupStatements(c, SourceSetup.trackedTables(c, "bemi", List.of(),
            List.of()), "bemi", "bemi").stream().filter(statement -> !SourceSetup.createsSlot(statement)).toList());
        for (int round = 0; round < rounds; round++) {
          for (String slot : List.of("recv_", "bemi_", "dbz_")) {
            s.execute("SELECT pg_create_logical_replication_slot('" + slot + round + "', 'pgoutput')");
          }
        }
        long t0 = System.nanoTime();
        s.execute("CALL transfer(" + oltp + ")");
        s.execute("INSERT INTO transfers (account_id, amount, created_at) SELECT i % " + ACCOUNTS
            + ", 2, now() FROM generate_series(1, " + bulk + ") i");
        s.execute("UPDATE accounts SET balance = balance + 1");
        System.out.printf("backlog committed in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        marker = Lsn.parse(text(s, "SELECT pg_logical_emit_message(true, 'bench_end', 'x')::text"));
        end = Lsn.parse(text(s, "SELECT pg_current_wal_lsn()::text"));
      }
      return 2L * oltp + bulk + ACCOUNTS;
    }

    /** pg_recvlogical reads {@code slot} up to the backlog's end into /dev/null; returns the seconds it took. */
    double recvlogical(String slot) throws Exception {
      ProcessBuilder recv = new ProcessBuilder("pg_recvlogical", "-h", "localhost", "-p", String.valueOf(pg.getPort()),
          "-U", "postgres", "-d", DATABASE, "--slot", slot, "--start", "-P", "pgoutput", "-o", "proto_version=1",
          "-o", "publication_names=bemi", "-o", "messages=true", "--no-loop", "--endpos", end.toString(),
          "-f", "/dev/null").inheritIO();
      recv.environment().put("PGPASSWORD", "postgres");
      long started = System.nanoTime();
      int exit = recv.start().waitFor();
      if (exit != 0) {
        throw new IllegalStateException("pg_recvlogical exited with " + exit);
      }
      return (System.nanoTime() - started) / 1e9;
    }

    private static String text(Statement s, String sql) throws Exception {
      try (ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        return rs.getString(1);
      }
    }
  }
}

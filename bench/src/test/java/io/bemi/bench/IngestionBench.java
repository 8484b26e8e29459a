package io.bemi.bench;

import io.bemi.ingester.Ingester;
import io.bemi.ingester.IngesterConfig;
import io.bemi.ingester.IngesterMetrics;
import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.setup.SourceSetup;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ingestion, with the ingester's own classes in this JVM (destination = source database, as by
 * default):
 *
 * <ol>
 *   <li>rate sweep: writers commit transactions of 5 inserts with a {@code _bemi} message at a
 *       steady rate; per rate, the commit-to-stored latency p50/p95/p99/max (source commit
 *       timestamp to the destination commit that stored it, {@link IngesterMetrics#commitToStored()})
 *       and the backlog left when writing stops. The knee is the first rate the ingester does not
 *       keep up with (backlog of more than one second of writes, or p99 above 1 s);</li>
 *   <li>backlog drain: the ingester's slot and a second slot created at the same point; a backlog
 *       of small transactions and one bulk insert; {@code pg_recvlogical} reads one slot to
 *       /dev/null, the ingester drains the other; changes/s of both and the ratio.</li>
 * </ol>
 *
 * <pre>./mvnw -q -o -pl bench test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.bemi.bench.IngestionBench [-Dbench.short=true] [-Dbench.rates=500,2000,8000]</pre>
 */
public final class IngestionBench {

  private IngestionBench() {}

  record Step(int rate, double achieved, long changes, double p50, double p95, double p99, double max,
      long backlogAtEnd, double drainSeconds) {}

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.log.io.zonky", "off");
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    boolean quick = Boolean.getBoolean("bench.short");
    int[] rates = Arrays.stream(System.getProperty("bench.rates", quick ? "500,2000,8000" : "500,1000,2000,4000,8000,16000")
        .split(",")).mapToInt(Integer::parseInt).toArray();
    int seconds = Integer.getInteger("bench.seconds", quick ? 8 : 20);
    List<Step> steps = new ArrayList<>();
    try (PgServer server = PgServer.create("ingestion")) {
      server.createDatabase("sweep");
      server.execute("sweep",
          "CREATE TABLE orders (id bigserial PRIMARY KEY, customer int, total numeric, placed_at timestamptz)",
          "CREATE TABLE accounts (id bigint PRIMARY KEY, balance numeric NOT NULL, note text, updated_at timestamptz)",
          "CREATE TABLE history (id bigserial PRIMARY KEY, account_id bigint, delta numeric, created_at timestamptz)",
          "INSERT INTO accounts SELECT i, 0, 'account ' || i, now() FROM generate_series(1, 100000) i");
      try (Connection c = server.connect("sweep")) {
        SourceSetup.execute(c, SourceSetup.setupStatements(c, 
            SourceSetup.trackedTables(c, "bemi", List.of(), List.of()), "bemi", "bemi"));
      }
      PostgresUrl url = PostgresUrl.parse(server.uri("sweep"));
      IngesterConfig config = IngesterConfig.defaults(url, url, "bemi", "bemi", "bemi");
      System.out.printf("rate sweep: %d s per rate, transactions of 5 inserts + a _bemi message%n", seconds);
      System.out.printf("%10s %10s %9s %9s %9s %9s %9s %10s %9s%n", "target/s", "achieved/s", "changes", "p50 ms",
          "p95 ms", "p99 ms", "max ms", "backlog", "drain s");
      for (int rate : rates) {
        Step step = sweepStep(server, config, rate, seconds);
        steps.add(step);
        System.out.printf("%,10d %,10.0f %,9d %9.0f %9.0f %9.0f %9.0f %,10d %9.1f%n", step.rate(), step.achieved(),
            step.changes(), step.p50(), step.p95(), step.p99(), step.max(), step.backlogAtEnd(), step.drainSeconds());
      }
      Step knee = steps.stream().filter(s -> s.backlogAtEnd() > s.achieved() || s.p99() > 1000).findFirst()
          .orElse(null);
      System.out.println(knee == null
          ? "knee: not reached up to " + rates[rates.length - 1] + " changes/s (the writers' limit on this machine)"
          : String.format("knee: at %,d changes/s target (%,.0f achieved) the ingester fell behind (backlog %,d, "
              + "p99 %.0f ms)", knee.rate(), knee.achieved(), knee.backlogAtEnd(), knee.p99()));
      List<double[]> p50 = new ArrayList<>();
      List<double[]> p95 = new ArrayList<>();
      List<double[]> p99 = new ArrayList<>();
      for (Step s : steps) {
        p50.add(new double[] {s.achieved(), s.p50()});
        p95.add(new double[] {s.achieved(), s.p95()});
        p99.add(new double[] {s.achieved(), s.p99()});
      }
      Charts.lines("bench-latency-vs-rate.png", "Commit-to-stored latency vs steady write rate",
          "achieved write rate (changes/s)", "latency ms (log)", List.of(new Charts.Series("p50", p50),
              new Charts.Series("p95", p95), new Charts.Series("p99", p99)), true);

      drain(server, config, quick ? 20_000 : 100_000, quick ? 100_000 : 400_000);
    }
  }

  private static IngesterMetrics metrics() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        return DistributionStatisticConfig.builder().percentiles(0.5, 0.95, 0.99)
            .expiry(Duration.ofMinutes(30)).bufferLength(1).build().merge(config);
      }
    });
    return new IngesterMetrics(registry);
  }

  private static Thread start(Ingester ingester) throws InterruptedException {
    Thread thread = new Thread(() -> {
      try {
        ingester.run();
      } catch (Exception e) {
        e.printStackTrace();
      }
    }, "ingester");
    thread.start();
    while (!ingester.metrics().isStreaming()) {
      Thread.sleep(20);
    }
    return thread;
  }

  private static Step sweepStep(PgServer server, IngesterConfig config, int rate, int seconds) throws Exception {
    IngesterMetrics metrics = metrics();
    Ingester ingester = new Ingester(config, metrics, Clock.systemUTC());
    start(ingester);
    int writers = rate > 2000 ? 2 : 1;
    int rows = 5;
    AtomicLong written = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    Exception[] failure = new Exception[1];
    long t0 = System.nanoTime();
    for (int w = 0; w < writers; w++) {
      Thread t = new Thread(() -> {
        long interval = TimeUnit.SECONDS.toNanos(1) * rows * writers / rate;
        long transactions = (long) seconds * rate / rows / writers;
        try (Connection c = server.connect("sweep");
             PreparedStatement context = c.prepareStatement("SELECT pg_logical_emit_message(true, '_bemi', ?)");
             PreparedStatement insert = c.prepareStatement(
                 "INSERT INTO orders (customer, total, placed_at) VALUES (?, ?, now())")) {
          c.setAutoCommit(false);
          for (long i = 0; i < transactions; i++) {
            long wait = t0 + i * interval - System.nanoTime();
            if (wait > 0) {
              TimeUnit.NANOSECONDS.sleep(wait);
            }
            context.setString(1, "{\"request_id\": " + i + ", \"user_id\": " + i % 100 + "}");
            context.execute();
            for (int r = 0; r < rows; r++) {
              insert.setInt(1, (int) (i % 1000));
              insert.setBigDecimal(2, BigDecimal.valueOf(i, 2));
              insert.addBatch();
            }
            insert.executeBatch();
            c.commit();
            written.addAndGet(rows);
          }
        } catch (Exception e) {
          failure[0] = e;
        }
      });
      threads.add(t);
      t.start();
    }
    long storedBefore = metrics.changesStored();
    for (Thread t : threads) {
      t.join();
    }
    if (failure[0] != null) {
      throw failure[0];
    }
    double elapsed = (System.nanoTime() - t0) / 1e9;
    long backlog = written.get() - (metrics.changesStored() - storedBefore);
    long d0 = System.nanoTime();
    long deadline = d0 + TimeUnit.SECONDS.toNanos(120);
    while (metrics.changesStored() - storedBefore < written.get() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    double drain = (System.nanoTime() - d0) / 1e9;
    ingester.stop();
    ingester.awaitStopped(Duration.ofSeconds(30));
    HistogramSnapshot snapshot = metrics.commitToStored().takeSnapshot();
    double[] p = new double[3];
    ValueAtPercentile[] values = snapshot.percentileValues();
    for (int i = 0; i < values.length && i < 3; i++) {
      p[i] = values[i].value(TimeUnit.MILLISECONDS);
    }
    return new Step(rate, written.get() / elapsed, written.get(), p[0], p[1], p[2],
        snapshot.max(TimeUnit.MILLISECONDS), backlog, drain);
  }

  private static void drain(PgServer server, IngesterConfig config, int oltp, int bulk) throws Exception {
    server.execute("sweep", """
        CREATE PROCEDURE oltp(n int) LANGUAGE plpgsql AS $$
        BEGIN
          FOR i IN 1..n LOOP
            PERFORM pg_logical_emit_message(true, '_bemi',
              json_build_object('user_id', i % 1000, 'endpoint', 'POST /transfer', 'request_id', md5(i::text))::text);
            UPDATE accounts SET balance = balance + 1, updated_at = now() WHERE id = 1 + (i * 7919) % 100000;
            INSERT INTO history (account_id, delta, created_at) VALUES (1 + (i * 7919) % 100000, 1, now());
            COMMIT;
          END LOOP;
        END $$""");
    // The ingester's slot has confirmed everything (the sweep drained); a second slot starts here too.
    server.execute("sweep", "SELECT pg_create_logical_replication_slot('baseline', 'pgoutput')");
    long t0 = System.nanoTime();
    server.execute("sweep", "CALL oltp(" + oltp + ")",
        "INSERT INTO history (account_id, delta, created_at) SELECT i % 100000, 2, now() FROM generate_series(1, "
            + bulk + ") i");
    long expected = 2L * oltp + bulk;
    String end;
    try (Connection c = server.connect("sweep"); var s = c.createStatement();
         var rs = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
      rs.next();
      end = rs.getString(1);
    }
    System.out.printf("%nbacklog drain: %,d changes (%,d transactions of an UPDATE + INSERT with a message, one "
        + "%,d-row INSERT) built in %.1f s%n", expected, oltp, bulk, (System.nanoTime() - t0) / 1e9);
    ProcessBuilder recv = new ProcessBuilder("pg_recvlogical", "-h", "127.0.0.1", "-p", String.valueOf(server.port()),
        "-U", "postgres", "-d", "sweep", "--slot", "baseline", "--start", "-P", "pgoutput", "-o", "proto_version=1",
        "-o", "publication_names=bemi", "-o", "messages=true", "--no-loop", "--endpos", end, "-f", "/dev/null")
        .inheritIO();
    long r0 = System.nanoTime();
    int exit = recv.start().waitFor();
    double recvSeconds = (System.nanoTime() - r0) / 1e9;
    if (exit != 0) {
      throw new IllegalStateException("pg_recvlogical exited with " + exit);
    }
    server.execute("sweep", "SELECT pg_drop_replication_slot('baseline')");
    IngesterMetrics metrics = metrics();
    Ingester ingester = new Ingester(config, metrics, Clock.systemUTC());
    long i0 = System.nanoTime();
    start(ingester);
    while (metrics.changesStored() < expected) {
      Thread.sleep(20);
    }
    double ingesterSeconds = (System.nanoTime() - i0) / 1e9;
    ingester.stop();
    ingester.awaitStopped(Duration.ofSeconds(30));
    double recvRate = expected / recvSeconds;
    double ingesterRate = expected / ingesterSeconds;
    System.out.printf("pg_recvlogical: %.1f s = %,.0f changes/s%n", recvSeconds, recvRate);
    System.out.printf("ingester:       %.1f s = %,.0f changes/s (stored in bemi.changes, including its start)%n",
        ingesterSeconds, ingesterRate);
    System.out.printf("ratio ingester / pg_recvlogical: %.2f (target >= 0.5)%n", ingesterRate / recvRate);
  }
}

package io.bemi.ingester.bench;

import io.bemi.ingester.IngesterConfig;
import io.bemi.ingester.IngesterMetrics;
import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.setup.SourceSetup;
import io.bemi.sql.Lsn;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.cumulative.CumulativeTimer;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.pause.PauseDetector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Keeps up live: pgbench's TPC-B-like transaction, each with a context ({@code _bemi} message),
 * at full speed (unthrottled, {@code synchronous_commit=off} in its sessions) for {@code
 * bench.seconds} while the ingester stores into the source database; per 10-second window, the
 * source's change rate (the changes committed in the window, counted in the trail once all are
 * stored), the ingester's stored rate (its counter), their ratio and the commit-to-stored
 * p50/p99/max of the transactions stored in the window (the ingester's own timer) and the CPU
 * seconds of each process in the window (the ingester's destination backend and walsender, this
 * JVM, pgbench and its backends, autovacuum by table, the rest of the server); then the backlog
 * when pgbench stopped, the time to drain it, and the run's CPU per process per 100,000 changes.
 *
 * <pre>./mvnw -q -o -pl ingester test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.bemi.ingester.bench.KeepUpBenchmark [-Dbench.seconds=300] [-Dbench.clients=2] \
 *   [-Dbench.scale=10] [-Dbench.rate=TPS] [-Dbench.lingerMs=20] [-Dbench.alter='…']</pre>
 *
 * <p>{@code bench.rate}: throttle pgbench to this many transactions per second ({@code -R}; 4 row
 * changes each), to find the rate up to which the tail stays under a second (the knee).
 *
 * <p>{@code bench.origin}: {@code any} (the default, as {@code run}) or {@code none} (as {@code run
 * --origin none}: the walsender skips the trail's own writes before decoding them).
 *
 * <p>{@code bench.alter}: statements (separated by {@code ;}) run on the migrated trail before the
 * ingester starts, to run against a variant of the layout.
 *
 * <p>Needs {@code pgbench} on the PATH (a client of PostgreSQL 15 or later).
 */
public final class KeepUpBenchmark {

  private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** pgbench's tpcb-like script with a context message first; casts, so it runs with -M prepared. */
  private static final String SCRIPT = """
      \\set aid random(1, 100000 * :scale)
      \\set bid random(1, 1 * :scale)
      \\set tid random(1, 10 * :scale)
      \\set delta random(-5000, 5000)
      BEGIN;
      SELECT pg_logical_emit_message(true, '_bemi', json_build_object('user_id', :client_id::int, 'endpoint', 'POST /transfer', 'aid', :aid::int)::text);
      UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
      SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
      UPDATE pgbench_tellers SET tbalance = tbalance + :delta WHERE tid = :tid;
      UPDATE pgbench_branches SET bbalance = bbalance + :delta WHERE bid = :bid;
      INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (:tid, :bid, :aid, :delta, CURRENT_TIMESTAMP);
      END;
      """;

  private KeepUpBenchmark() {}

  /** The groups of {@link ProcessCpu} a window's line shows, and the pgbench process's column. */
  private static final String BACKEND = "client backend (bemi-ingester)";
  private static final String WALSENDER = "walsender (bemi-ingester)";
  private static final String PGBENCH_BACKENDS = "client backend (pgbench)";
  private static final String PGBENCH = "pgbench process";
  private static final String AUTOVACUUM = "autovacuum worker";
  /** Not CPU: the wall time this JVM's collectors paused it in the window. */
  private static final String GC_PAUSES = "JVM garbage collection pauses (wall)";

  /**
   * One window: its start and length in seconds from pgbench's start, the changes the ingester
   * stored in it, the sorted commit-to-stored latencies (ns) of the transactions it stored, and
   * the CPU seconds per process group ({@link ProcessCpu#groups()} and {@link #PGBENCH}).
   */
  private record Window(double start, double seconds, long stored, long commits, long[] latencies,
      Map<String, Double> cpu, Map<String, Integer> backendStates) {

    Window merge(Window next) {
      long[] both = Arrays.copyOf(latencies, latencies.length + next.latencies.length);
      System.arraycopy(next.latencies, 0, both, latencies.length, next.latencies.length);
      Arrays.sort(both);
      Map<String, Double> cpuOfBoth = new TreeMap<>(cpu);
      next.cpu.forEach((group, s) -> cpuOfBoth.merge(group, s, Double::sum));
      Map<String, Integer> statesOfBoth = new TreeMap<>(backendStates);
      next.backendStates.forEach((state, n) -> statesOfBoth.merge(state, n, Integer::sum));
      return new Window(start, seconds + next.seconds, stored + next.stored, commits + next.commits, both, cpuOfBoth,
          statesOfBoth);
    }

    /** The destination backend's states over the window's samples, most frequent first, as percentages. */
    String backendStatesLine() {
      int samples = backendStates.values().stream().mapToInt(Integer::intValue).sum();
      return backendStates.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
          .limit(4).map(e -> String.format("%s %.0f%%", e.getKey(), 100.0 * e.getValue() / samples))
          .collect(Collectors.joining(", "));
    }

    double cpu(String group) {
      return cpu.getOrDefault(group, 0.0);
    }

    /** Autovacuum's seconds in all, and the tables it spent at least half a second on. */
    String autovacuum() {
      double all = cpu.entrySet().stream().filter(e -> e.getKey().startsWith(AUTOVACUUM))
          .mapToDouble(Map.Entry::getValue).sum();
      String tables = cpu.entrySet().stream().filter(e -> e.getKey().startsWith(AUTOVACUUM) && e.getValue() >= 0.5)
          .map(e -> String.format("%s %.1f", e.getKey().substring(Math.min(e.getKey().length(),
              AUTOVACUUM.length() + 2)), e.getValue()))
          .collect(Collectors.joining(", "));
      return String.format("%5.1f%s", all, tables.isEmpty() ? "" : " (" + tables + ")");
    }

    /** The server's other processes: pgbench's and the ingester's backends, autovacuum and this JVM left out. */
    double rest() {
      return cpu.entrySet().stream().filter(e -> !ProcessCpu.isThread(e.getKey()) && !e.getKey().startsWith(AUTOVACUUM)
          && !List.of(BACKEND, WALSENDER, PGBENCH_BACKENDS, PGBENCH, ProcessCpu.JVM, ProcessCpu.CHILDREN, GC_PAUSES)
              .contains(e.getKey())).mapToDouble(Map.Entry::getValue).sum();
    }

    double millis(double percentile) {
      return latencies.length == 0 ? Double.NaN
          : latencies[(int) Math.min(latencies.length - 1, Math.ceil(percentile * latencies.length) - 1)] / 1e6;
    }
  }

  public static void main(String[] args) throws Exception {
    int seconds = Integer.getInteger("bench.seconds", 300);
    int clients = Integer.getInteger("bench.clients", 2);
    int scale = Integer.getInteger("bench.scale", 10);
    Integer rate = Integer.getInteger("bench.rate"); // transactions per second (pgbench -R); unthrottled without
    try (BenchPostgres pg = BenchPostgres.start("keepup")) {
      run(pg, "-i", "-q", "-s", String.valueOf(scale));
      try (Connection c = pg.connect()) {
        SourceSetup.execute(c, SourceSetup.setupStatements(c,
            SourceSetup.trackedTables(c, "bemi", List.of(), List.of()), "bemi", "bemi"));
      }
      PostgresUrl url = PostgresUrl.parse(pg.uri());
      pg.alterLayout();
      WindowedLatencies latencies = new WindowedLatencies();
      IngesterMetrics metrics = new IngesterMetrics(latencies);
      IngesterConfig config = IngesterConfig.defaults(url, url, "bemi", "bemi", "bemi")
          .withOriginNone("none".equals(System.getProperty("bench.origin", "any")));
      config = config.withBatchLinger(Duration.ofMillis(Long.getLong("bench.lingerMs",
          config.batchLinger().toMillis())));
      try (BenchIngester ingester = BenchIngester.start(config, metrics, null)) {
        ingester.awaitStreaming();
        Path script = Files.createTempFile("keepup", ".sql");
        Files.writeString(script, SCRIPT);
        script.toFile().deleteOnExit();
        System.out.printf("pgbench: TPC-B-like with a _bemi message per transaction, %d clients, scale %d, %d s, %s, "
            + "-M prepared, synchronous_commit=off; destination = source; ingester --batch-linger-ms %d; "
            + "load average %s%n", clients, scale, seconds,
            rate == null ? "unthrottled" : "throttled to " + rate + " transactions/s (-R)",
            config.batchLinger().toMillis(), ProcessCpu.loadAverage());
        Instant t0 = Instant.now();
        long n0 = System.nanoTime();
        List<String> options = new ArrayList<>(List.of("-n", "-M", "prepared", "-c", String.valueOf(clients), "-j",
            String.valueOf(clients), "-T", String.valueOf(seconds), "-s", String.valueOf(scale), "-P", "10", "-f",
            script.toString()));
        if (rate != null) {
          options.addAll(List.of("-R", String.valueOf(rate)));
        }
        Process pgbench = pgbench(pg, options.toArray(String[]::new)).start();
        List<Window> windows = new ArrayList<>();
        long windowStart = n0;
        long storedBefore = 0;
        long commitsBefore = 0;
        double pgbenchBefore = 0;
        double gcBefore = gcSeconds();
        ProcessCpu cpu = ProcessCpu.start(pg);
        boolean done = false;
        while (!done) {
          done = pgbench.waitFor(windowStart + WINDOW_NANOS - System.nanoTime(), TimeUnit.NANOSECONDS);
          long now = System.nanoTime();
          long stored = metrics.changesStored();
          long commits = metrics.batchesCommitted();
          Map<String, Double> windowCpu = cpu.groups();
          Map<String, Integer> backendStates = cpu.busiestStates(BACKEND);
          cpu = ProcessCpu.start(pg);
          // pgbench's own CPU: while it runs from /proc/<pid>; once it has exited and been waited
          // for, all of it in the CPU of this JVM's children (in this window or, when it exited
          // just after the window was read, in the next one)
          Double running = ProcessCpu.runningSeconds(pgbench.pid());
          double exited = windowCpu.get(ProcessCpu.CHILDREN);
          double pgbenchSeconds = running != null ? running : exited > 0 ? exited : pgbenchBefore;
          windowCpu.put(PGBENCH, pgbenchSeconds - pgbenchBefore);
          double gc = gcSeconds();
          windowCpu.put(GC_PAUSES, gc - gcBefore);
          gcBefore = gc;
          pgbenchBefore = pgbenchSeconds;
          Window window = new Window((windowStart - n0) / 1e9, (now - windowStart) / 1e9, stored - storedBefore,
              commits - commitsBefore, latencies.takeWindow(), windowCpu, backendStates);
          commitsBefore = commits;
          if (done && window.seconds() < 2 && !windows.isEmpty()) { // pgbench's last moments: part of the last window
            window = windows.remove(windows.size() - 1).merge(window);
          }
          windows.add(window);
          windowStart = now;
          storedBefore = stored;
        }
        cpu.close();
        if (pgbench.exitValue() != 0) {
          throw new IllegalStateException("pgbench exited with " + pgbench.exitValue() + "; its output is above");
        }
        long storedAtEnd = metrics.changesStored();
        Lsn marker = Lsn.parse(pg.queryString("SELECT pg_logical_emit_message(true, 'bench_end', 'x')::text"));
        long d0 = System.nanoTime();
        ingester.awaitConfirmed(marker);
        double drainSeconds = (System.nanoTime() - d0) / 1e9;
        report(pg, t0, windows, storedAtEnd, drainSeconds);
      }
    }
  }

  private static void report(BenchPostgres pg, Instant t0, List<Window> windows, long storedAtEnd,
      double drainSeconds) throws Exception {
    System.out.printf("%n%-11s %10s %10s %6s %12s %8s %8s %8s | CPU s: %7s %9s %5s %8s %7s %5s %s%n", "window s",
        "source/s", "stored/s", "ratio", "transactions", "p50 ms", "p99 ms", "max ms", "backend", "walsender", "JVM",
        "pgbench", "its bk", "rest", "autovacuum (tables >= 0.5 s)", "GC pauses ms");
    long sourceTotal = 0;
    int windowsOverOneSecond = 0;
    try (Connection c = pg.connect(); PreparedStatement committed = c.prepareStatement(
        "SELECT count(*) FROM bemi.changes WHERE committed_at >= ? AND committed_at < ?")) {
      for (Window w : windows) {
        Instant from = t0.plusNanos((long) (w.start() * 1e9));
        committed.setTimestamp(1, Timestamp.from(from));
        committed.setTimestamp(2, Timestamp.from(from.plusNanos((long) (w.seconds() * 1e9))));
        long source;
        try (ResultSet rs = committed.executeQuery()) {
          rs.next();
          source = rs.getLong(1);
        }
        sourceTotal += source;
        if (w.millis(0.99) >= 1000) {
          windowsOverOneSecond++;
        }
        System.out.printf("%4.0f–%4.0f   %,10.0f %,10.0f %6.2f %,12d %8.0f %8.0f %8.0f |        %7.1f %9.1f %5.1f "
                + "%8.1f %7.1f %5.1f %s | %.0f%n", w.start(), w.start() + w.seconds(), source / w.seconds(),
            w.stored() / w.seconds(), (double) w.stored() / source, w.latencies().length, w.millis(0.5),
            w.millis(0.99), w.millis(1.0), w.cpu(BACKEND), w.cpu(WALSENDER), w.cpu(ProcessCpu.JVM), w.cpu(PGBENCH),
            w.cpu(PGBENCH_BACKENDS), w.rest(), w.autovacuum(), w.cpu(GC_PAUSES) * 1000);
        System.out.printf("%11s destination: %,d commits; its backend: %s%n", "", w.commits(), w.backendStatesLine());
      }
    }
    Window run = windows.stream().reduce(Window::merge).orElseThrow();
    System.out.printf("%nsource: %,d changes in %.0f s (%,.0f/s); stored while pgbench ran: %,d (%,.0f/s): "
            + "ratio %.3f (target >= 0.95)%n", sourceTotal, run.seconds(), sourceTotal / run.seconds(), storedAtEnd,
        storedAtEnd / run.seconds(), (double) storedAtEnd / sourceTotal);
    System.out.printf("commit-to-stored over the run: p50 %.0f ms, p99 %.0f ms, max %.0f ms; p99 >= 1 s in %d of %d "
        + "windows (target: none)%n", run.millis(0.5), run.millis(0.99), run.millis(1.0), windowsOverOneSecond,
        windows.size());
    System.out.printf("backlog when pgbench stopped: %,d changes, stored %.2f s later; load average %s%n",
        sourceTotal - storedAtEnd, drainSeconds, ProcessCpu.loadAverage());
    System.out.printf("%nCPU over the run (the windows' sums), per process group, in all and per 100,000 source "
        + "changes:%n");
    long changes = sourceTotal;
    run.cpu().entrySet().stream().filter(e -> e.getValue() >= 0.5 && !e.getKey().equals(ProcessCpu.CHILDREN)
            && !e.getKey().equals(GC_PAUSES))
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .forEach(e -> System.out.printf("  %-64s %7.1f s  %6.2f s/100k%n", e.getKey(), e.getValue(),
            e.getValue() * 100_000 / changes));
  }

  /** The time this JVM's garbage collectors have paused it, in seconds. */
  private static double gcSeconds() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .mapToLong(GarbageCollectorMXBean::getCollectionTime).filter(ms -> ms > 0).sum() / 1e3;
  }

  /** Runs pgbench (here: to initialise) and fails on a non-zero exit. */
  private static void run(BenchPostgres pg, String... args) throws Exception {
    int exit = pgbench(pg, args).start().waitFor();
    if (exit != 0) {
      throw new IllegalStateException("pgbench " + String.join(" ", args) + " exited with " + exit);
    }
  }

  /** pgbench against the benchmark database, its sessions with {@code synchronous_commit=off}. */
  private static ProcessBuilder pgbench(BenchPostgres pg, String... args) {
    List<String> command = new ArrayList<>(List.of("pgbench", "-h", "localhost", "-p",
        String.valueOf(pg.port()), "-U", "postgres"));
    command.addAll(List.of(args));
    command.add(pg.database);
    ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
    builder.environment().put("PGPASSWORD", "postgres");
    builder.environment().put("PGOPTIONS", "-c synchronous_commit=off");
    return builder;
  }

  /**
   * A registry whose commit-to-stored timer also keeps each recorded latency until the next
   * {@link #takeWindow}, so percentiles and the maximum are exact per window.
   */
  private static final class WindowedLatencies extends SimpleMeterRegistry {

    private static final String COMMIT_TO_STORED = "bemi.ingester.commit.to.stored";

    private final List<Long> window = new ArrayList<>();

    @Override
    protected Timer newTimer(Meter.Id id, DistributionStatisticConfig config, PauseDetector pauseDetector) {
      if (!id.getName().equals(COMMIT_TO_STORED)) {
        return super.newTimer(id, config, pauseDetector);
      }
      return new CumulativeTimer(id, clock, config, pauseDetector, getBaseTimeUnit()) {
        @Override
        protected void recordNonNegative(long amount, TimeUnit unit) {
          super.recordNonNegative(amount, unit);
          synchronized (window) {
            window.add(unit.toNanos(amount));
          }
        }
      };
    }

    /** The latencies recorded since the last call, sorted, in nanoseconds. */
    long[] takeWindow() {
      long[] taken;
      synchronized (window) {
        taken = window.stream().mapToLong(Long::longValue).toArray();
        window.clear();
      }
      Arrays.sort(taken);
      return taken;
    }
  }
}

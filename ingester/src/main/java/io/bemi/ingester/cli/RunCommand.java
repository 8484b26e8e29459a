package io.bemi.ingester.cli;

import io.bemi.ingester.Ingester;
import io.bemi.ingester.IngesterConfig;
import io.bemi.ingester.IngesterMetrics;
import io.bemi.ingester.http.HttpEndpoints;
import io.bemi.ingester.monitor.SlotMonitor;
import io.bemi.ingester.retention.Retention;
import io.bemi.ingester.rules.ColumnRules;
import io.bemi.ingester.stitch.Stitcher;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Applies the destination migrations and streams changes until stopped. SIGTERM/Ctrl-C: stores "
        + "and confirms what was received completely, then exits 0. Outages are retried with backoff; a wrong "
        + "setting at start exits 2 with the fix. Several processes of one slot: one leads, the others stand by."})
final class RunCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @Mixin
  ConnectionOptions connection;

  @Option(names = "--max-context-bytes", defaultValue = "${env:BEMI_MAX_CONTEXT_BYTES:-65536}", paramLabel = "BYTES",
      description = "Larger _bemi context objects are reduced to this size, identifying keys (user, requestId, "
          + "endpoint, …) kept and a _bemi_truncated marker listing the dropped keys. Default: ${DEFAULT-VALUE}. "
          + "Env: BEMI_MAX_CONTEXT_BYTES.")
  int maxContextBytes;

  @Option(names = "--max-batch-changes", defaultValue = "${env:BEMI_MAX_BATCH_CHANGES:-10000}", paramLabel = "N",
      description = "Commit the destination transaction after this many changes (at the next source commit). "
          + "Default: ${DEFAULT-VALUE}. Env: BEMI_MAX_BATCH_CHANGES.")
  int maxBatchChanges;

  @Option(names = "--max-batch-delay-ms", defaultValue = "${env:BEMI_MAX_BATCH_DELAY_MS:-200}", paramLabel = "MS",
      description = "Commit the destination transaction once its batch is this old (at the next source commit). "
          + "Default: ${DEFAULT-VALUE}. Env: BEMI_MAX_BATCH_DELAY_MS.")
  long maxBatchDelayMs;

  @Option(names = "--batch-linger-ms", defaultValue = "${env:BEMI_BATCH_LINGER_MS:-20}", paramLabel = "MS",
      description = "When nothing more has arrived, wait until the batch is this old before committing it, so a "
          + "steady stream of small transactions is stored in fewer destination transactions (less work per change "
          + "for the destination; adds up to this much latency). 0 commits as soon as nothing is queued. "
          + "Default: ${DEFAULT-VALUE}. Env: BEMI_BATCH_LINGER_MS.")
  long batchLingerMs;

  @Option(names = "--origin", defaultValue = "${env:BEMI_ORIGIN:-any}", paramLabel = "any|none",
      description = "any: capture every change, also those a logical-replication subscription (or another tool) "
          + "applied under a replication origin. none: leave those out (PostgreSQL 16+), for a node whose peers "
          + "keep their own trail of what they replicate to it. The ingester's own writes are never captured either "
          + "way. Default: ${DEFAULT-VALUE}. Env: BEMI_ORIGIN.")
  String origin;

  @Option(names = "--http-port", defaultValue = "${env:BEMI_HTTP_PORT:-0}", paramLabel = "PORT",
      description = "Serve GET /health/live, /health/ready (= /health) and /metrics (Prometheus) on this port; "
          + "0 = off. Default: ${DEFAULT-VALUE}. Env: BEMI_HTTP_PORT.")
  int httpPort;

  @Option(names = "--http-host", defaultValue = "${env:BEMI_HTTP_HOST:-127.0.0.1}", paramLabel = "ADDRESS",
      description = "Address the HTTP endpoints bind to. Default: ${DEFAULT-VALUE}. Env: BEMI_HTTP_HOST.")
  String httpHost;

  @Option(names = "--heartbeat-interval", defaultValue = "${env:BEMI_HEARTBEAT_INTERVAL:-10}", paramLabel = "SECONDS",
      description = "Emit a non-transactional logical message (prefix " + Stitcher.HEARTBEAT_PREFIX + ") on the source "
          + "this often, so the slot advances while tracked tables are idle; 0 = off. Default: ${DEFAULT-VALUE}. "
          + "Env: BEMI_HEARTBEAT_INTERVAL.")
  int heartbeatIntervalSeconds;

  @Option(names = "--max-lag-seconds", defaultValue = "${env:BEMI_MAX_LAG_SECONDS:-300}", paramLabel = "SECONDS",
      description = "GET /health/ready (and /health) answers 503 when the lag exceeds this. Default: ${DEFAULT-VALUE}. "
          + "Env: BEMI_MAX_LAG_SECONDS.")
  double maxLagSeconds;

  @Mixin
  RetainedWalOption retainedWal;

  @Mixin
  RowLimitOption rowLimit;

  @Option(names = "--lease-seconds", defaultValue = "${env:BEMI_LEASE_SECONDS:-6}", paramLabel = "SECONDS",
      description = "Several `run` processes of one slot: one leads, the others stand by and take over within about "
          + "this long after the leader stops (at once when it was killed). Default: ${DEFAULT-VALUE}. "
          + "Env: BEMI_LEASE_SECONDS.")
  int leaseSeconds;

  @Mixin
  SinkOptions sink;

  @Option(names = "--ignore-columns", split = ",", defaultValue = "${env:BEMI_IGNORE_COLUMNS}", paramLabel = "PATTERN",
      description = "Skip UPDATEs whose changed columns all match these patterns (comma-separated "
          + "schema.table.column or table.column, * matches anything, a name in double quotes is taken as it is), e.g. "
          + "*.updated_at. Env: BEMI_IGNORE_COLUMNS.")
  List<String> ignoreColumns;

  @Option(names = "--redact-columns", split = ",", defaultValue = "${env:BEMI_REDACT_COLUMNS}", paramLabel = "PATTERN",
      description = "Store these columns' values as \"" + ColumnRules.REDACTED + "\" in before and after (same "
          + "patterns), e.g. *.password_hash. Env: BEMI_REDACT_COLUMNS.")
  List<String> redactColumns;

  @Option(names = "--retention", defaultValue = "${env:BEMI_RETENTION}", paramLabel = "AGE",
      description = "Drop the monthly partitions of changes that ended longer ago than this (e.g. 90d, 12h, "
          + "30m), keeping each record's latest older change, checked every 10 minutes on a separate connection. "
          + "Default: keep everything. Env: BEMI_RETENTION.")
  String retention;

  @Override
  public Integer call() throws Exception {
    ColumnRules rules = ColumnRules.parse(ignoreColumns, redactColumns);
    Duration retentionAge = retention == null || retention.isBlank() ? null : Retention.parseAge("--retention", retention);
    atLeast("--max-context-bytes", maxContextBytes, 2, "");
    long maxRowBytes = rowLimit.bytes(sink, maxContextBytes, connection.config);
    atLeast("--max-batch-changes", maxBatchChanges, 1, "");
    atLeast("--max-batch-delay-ms", maxBatchDelayMs, 0, "");
    atLeast("--batch-linger-ms", batchLingerMs, 0, " (0: commit at once)");
    atLeast("--heartbeat-interval", heartbeatIntervalSeconds, 0, " (0: off)");
    boolean originNone = switch (origin.trim().toLowerCase(Locale.ROOT)) {
      case "any" -> false;
      case "none" -> true;
      default -> throw new IllegalArgumentException("--origin must be any (capture every change) or none (leave out "
          + "changes applied under a replication origin), not '" + origin + "'");
    };
    if (!(maxLagSeconds > 0)) {
      throw new IllegalArgumentException("--max-lag-seconds must be > 0, not " + maxLagSeconds);
    }
    atLeast("--warn-retained-wal-mb", retainedWal.warnRetainedWalMb, 1, "");
    atLeast("--lease-seconds", leaseSeconds, 2, "");
    if (httpPort < 0 || httpPort > 65535) {
      throw new IllegalArgumentException("--http-port must be between 0 and 65535 (0: off), not " + httpPort);
    }
    IngesterConfig config = IngesterConfig.defaults(connection.source(), connection.destination(),
            connection.destinationSchema(), connection.slot(), connection.publication())
        .withMaxContextBytes(maxContextBytes)
        .withColumnRules(rules)
        .withMonitoring(new SlotMonitor.Settings(Duration.ofSeconds(heartbeatIntervalSeconds),
            IngesterConfig.DEFAULT_MONITORING.sampleInterval(), retainedWal.warnRetainedWalMb));
    config = config.withBatching(maxBatchChanges, Duration.ofMillis(maxBatchDelayMs), config.holdBack())
        .withBatchLinger(Duration.ofMillis(batchLingerMs))
        .withSourceName(connection.sourceName())
        .withMaxRowBytes(maxRowBytes)
        .withOriginNone(originNone);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    IngesterMetrics metrics = new IngesterMetrics(registry);
    Ingester ingester = new Ingester(config, metrics, Clock.systemUTC(), Duration.ofSeconds(leaseSeconds),
        sink.factory(config, connection.config, registry));
    HttpEndpoints http = httpPort == 0 ? null : http(metrics, registry);
    if (http != null) {
      LOG.info("Serving /health/live, /health/ready and /metrics on http://{}:{}", httpHost, http.port());
    }
    if (!rules.isEmpty()) {
      LOG.info("Column rules: ignore {}, redact {}", rules.ignore(), rules.redact());
    }
    Retention retainer = null;
    if (retentionAge != null) {
      retainer = new Retention(connection.destination(), connection.destinationSchema(), retentionAge);
      retainer.start(Duration.ofMinutes(1), Duration.ofMinutes(10));
      LOG.info("Retention: dropping the months that ended more than {} ago, checked every 10 minutes", retention);
    }
    AtomicBoolean finished = new AtomicBoolean();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (finished.get()) {
        return;
      }
      LOG.info("Stopping: storing and confirming what was received");
      ingester.stop();
      try {
        if (ingester.awaitStopped(Duration.ofSeconds(30))) {
          Runtime.getRuntime().halt(0); // a clean stop on SIGTERM is a success, not exit code 143
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "bemi-shutdown"));
    try {
      ingester.run();
    } catch (OutOfMemoryError e) { // receiving a row message larger than the heap: --max-row-bytes cannot cut it
      throw new IllegalStateException("Out of memory (" + e + ") while receiving or rendering a row: the heap ("
          + (Runtime.getRuntime().maxMemory() >> 20) + " MB) must hold the largest row the server sends, whole, and "
          + "about a quarter of itself besides (docs/ingester.md, Wide rows and the heap). Nothing of that transaction "
          + "was stored; start the ingester with a larger -Xmx (JAVA_OPTS for ./bemi), or it stops there again", e);
    } finally {
      finished.set(true); // from here the exit code is ours: 0, or the failure's
      if (http != null) {
        http.close();
      }
      if (retainer != null) {
        retainer.close();
      }
    }
    return 0;
  }

  private static void atLeast(String option, long value, long least, String note) {
    if (value < least) {
      throw new IllegalArgumentException(option + " must be >= " + least + note + ", not " + value);
    }
  }

  /** The HTTP endpoints; an address that cannot be served is a setting to fix (exit code 2), named. */
  private HttpEndpoints http(IngesterMetrics metrics, PrometheusMeterRegistry registry) {
    try {
      return HttpEndpoints.start(httpHost, httpPort, metrics, registry, maxLagSeconds);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("Cannot serve HTTP on " + httpHost + ":" + httpPort
          + " (--http-host, --http-port): " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
          + "; choose a free port and an address of this machine (0.0.0.0: all of them)", e);
    }
  }
}

package io.bemi.ingester.cli;

import io.bemi.ingester.Ingester;
import io.bemi.ingester.IngesterConfig;
import io.bemi.ingester.IngesterMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Applies the destination migrations and streams changes until stopped. SIGTERM/Ctrl-C: stores "
        + "and confirms what was received completely, then exits 0. Outages are retried with backoff."})
final class RunCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @Mixin
  ConnectionOptions connection;

  @Option(names = "--max-context-bytes", defaultValue = "${env:BEMI_MAX_CONTEXT_BYTES:-65536}", paramLabel = "BYTES",
      description = "Larger _bemi messages are malformed (counted, logged, context {}). Default: ${DEFAULT-VALUE}. "
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

  @Override
  public Integer call() throws Exception {
    if (maxContextBytes < 2 || maxBatchChanges < 1 || maxBatchDelayMs < 0) {
      throw new IllegalArgumentException("--max-context-bytes must be >= 2, --max-batch-changes >= 1, "
          + "--max-batch-delay-ms >= 0");
    }
    IngesterConfig config = IngesterConfig.defaults(connection.source(), connection.destination(),
            connection.destinationSchema(), connection.slot(), connection.publication())
        .withMaxContextBytes(maxContextBytes);
    config = config.withBatching(maxBatchChanges, Duration.ofMillis(maxBatchDelayMs), config.holdBack());
    Ingester ingester = new Ingester(config, new IngesterMetrics(), Clock.systemUTC());
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
    ingester.run();
    finished.set(true);
    return 0;
  }
}

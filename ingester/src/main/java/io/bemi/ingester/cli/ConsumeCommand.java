package io.bemi.ingester.cli;

import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.consume.TrailConsumer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

@Command(name = "consume", mixinStandardHelpOptions = true,
    description = {"Reads change events that run --sink kafka published and stores them into the destination's "
        + "bemi.changes, exactly once: the consumer group's offsets are stored with the changes. Start more "
        + "instances with the same --group to share the partitions. SIGTERM/Ctrl-C: stops after the batch in hand."})
final class ConsumeCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(ConsumeCommand.class);

  @Mixin
  ConnectionOptions connection;

  @Mixin
  KafkaOptions kafka;

  @Option(names = "--group", defaultValue = "${env:BEMI_CONSUMER_GROUP:-bemi-trail}", paramLabel = "GROUP",
      description = "Kafka consumer group; its offsets are kept in the destination's consumer_offsets. "
          + "Default: ${DEFAULT-VALUE}. Env: BEMI_CONSUMER_GROUP.")
  String group;

  @Option(names = "--topics", defaultValue = "${env:BEMI_CONSUMER_TOPICS:-bemi\\.[^.]+\\..+}", paramLabel = "REGEX",
      description = "Topics to read, a regular expression (new matching topics join within seconds). Default: "
          + "${DEFAULT-VALUE} (the Kafka sink's prefix.schema.table, not its checkpoint topic). "
          + "Env: BEMI_CONSUMER_TOPICS.")
  String topics;

  @Option(names = "--max-poll-records", defaultValue = "${env:BEMI_MAX_POLL_RECORDS:-5000}", paramLabel = "N",
      description = "Records stored per destination transaction at most. Default: ${DEFAULT-VALUE}. "
          + "Env: BEMI_MAX_POLL_RECORDS.")
  int maxPollRecords;

  @Override
  public Integer call() throws Exception {
    if (connection.destinationUrl == null || connection.destinationUrl.isBlank()) {
      throw new ParameterException(connection.spec.commandLine(),
          "Missing --destination-url (or BEMI_DESTINATION_URL): the database that receives the changes");
    }
    if (maxPollRecords < 1) {
      throw new IllegalArgumentException("--max-poll-records must be >= 1");
    }
    // shared options that mean nothing here: refused when given on the command line (an environment
    // shared with run may set their variables)
    CommandLine.ParseResult given = connection.spec.commandLine().getParseResult();
    for (String option : new String[] {"--source-url", "--slot", "--publication", "--source-name"}) {
      if (given != null && given.hasMatchedOption(option)) {
        throw new IllegalArgumentException(option + " does not apply to consume, which reads Kafka, not a source"
            + " database (each event names its source in bemi.source, stored as changes.source): remove it");
      }
    }
    Pattern pattern;
    try {
      pattern = Pattern.compile(topics);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("--topics is not a regular expression: " + e.getMessage());
    }
    Map<String, String> client = new LinkedHashMap<>();
    client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    client.putAll(kafka.clientProperties(connection.config));
    PostgresUrl destination = connection.destination();
    TrailConsumer consumer = new TrailConsumer(new TrailConsumer.Settings(destination,
        connection.destinationSchema(), group, pattern, client, maxPollRecords));
    AtomicBoolean finished = new AtomicBoolean();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (finished.get()) {
        return;
      }
      LOG.info("Stopping: finishing the batch in hand");
      consumer.stop();
      try {
        if (consumer.awaitStopped(Duration.ofSeconds(30))) {
          Runtime.getRuntime().halt(0);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "bemi-shutdown"));
    try {
      consumer.run();
    } finally {
      finished.set(true);
    }
    return 0;
  }
}

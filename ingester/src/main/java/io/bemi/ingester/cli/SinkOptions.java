package io.bemi.ingester.cli;

import io.bemi.ingester.IngesterConfig;
import io.bemi.ingester.sink.SinkFactory;
import io.bemi.ingester.snapshot.BaselineTarget;
import io.bemi.ingester.snapshot.ChangesBaseline;
import io.bemi.ingester.sink.kafka.KafkaBaseline;
import io.bemi.ingester.sink.kafka.KafkaSink;
import io.bemi.ingester.sink.kafka.KafkaSinkSettings;
import io.bemi.ingester.sink.webhook.WebhookBaseline;
import io.bemi.ingester.sink.webhook.WebhookSettings;
import io.bemi.ingester.sink.webhook.WebhookSink;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code run --sink …}: where the changes go, and each sink's settings ({@code setup --snapshot}: the baseline's rows). */
final class SinkOptions {

  enum SinkKind { DATABASE, KAFKA, WEBHOOK }

  @Option(names = "--sink", defaultValue = "${env:BEMI_SINK:-database}", paramLabel = "database|kafka|webhook",
      description = "Where changes go: the destination database (bemi.changes), Kafka topics (exactly once) or a "
          + "webhook (at least once, signed). Default: ${DEFAULT-VALUE}. Env: BEMI_SINK. See docs/sinks.md.")
  SinkKind sink;

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Mixin
  KafkaOptions kafka;

  @Option(names = "--kafka-topic-prefix", defaultValue = "${env:BEMI_KAFKA_TOPIC_PREFIX:-bemi}", paramLabel = "PREFIX",
      description = "Topics are PREFIX.schema.table; also the events' source.name. Default: ${DEFAULT-VALUE}. "
          + "Env: BEMI_KAFKA_TOPIC_PREFIX.")
  String topicPrefix;

  @Option(names = "--kafka-topic", defaultValue = "${env:BEMI_KAFKA_TOPIC}", paramLabel = "TOPIC",
      description = "Publish every table's changes to this one topic instead. Env: BEMI_KAFKA_TOPIC.")
  String singleTopic;

  @Option(names = "--kafka-checkpoint-topic", defaultValue = "${env:BEMI_KAFKA_CHECKPOINT_TOPIC:-bemi.checkpoints}",
      paramLabel = "TOPIC", description = "Compacted topic of the ingesters' checkpoints, written in each Kafka "
          + "transaction (created when missing). Default: ${DEFAULT-VALUE}. Env: BEMI_KAFKA_CHECKPOINT_TOPIC.")
  String checkpointTopic;

  @Option(names = "--kafka-transactional-id", defaultValue = "${env:BEMI_KAFKA_TRANSACTIONAL_ID}", paramLabel = "ID",
      description = "Transactional id (also the checkpoint's key). Default: bemi-<slot>-<database>. "
          + "Env: BEMI_KAFKA_TRANSACTIONAL_ID.")
  String transactionalId;

  @Option(names = "--kafka-compression", defaultValue = "${env:BEMI_KAFKA_COMPRESSION:-lz4}",
      paramLabel = "none|gzip|snappy|lz4|zstd", description = "Producer compression. Default: ${DEFAULT-VALUE}. "
          + "Env: BEMI_KAFKA_COMPRESSION.")
  String compression;

  @Option(names = "--kafka-acks", defaultValue = "${env:BEMI_KAFKA_ACKS:-all}", paramLabel = "all",
      description = "Producer acks; exactly once needs all (the only value accepted). Env: BEMI_KAFKA_ACKS.")
  String acks;

  @Option(names = "--kafka-transaction-timeout", defaultValue = "${env:BEMI_KAFKA_TRANSACTION_TIMEOUT:-300}",
      paramLabel = "SECONDS", description = "The broker aborts a Kafka transaction open this long; the largest "
          + "source transaction must be published within it. Default: ${DEFAULT-VALUE}. "
          + "Env: BEMI_KAFKA_TRANSACTION_TIMEOUT.")
  long transactionTimeoutSeconds;

  @Option(names = "--webhook-url", defaultValue = "${env:BEMI_WEBHOOK_URL}", paramLabel = "URL",
      description = "The receiver of --sink webhook's POSTs. Env: BEMI_WEBHOOK_URL.")
  String webhookUrl;

  @Option(names = "--webhook-secret", defaultValue = "${env:BEMI_WEBHOOK_SECRET}", paramLabel = "SECRET",
      description = "Shared secret (>= 16 characters) of the Bemi-Signature header (HMAC-SHA256 over "
          + "\"<timestamp>.<body>\"). Prefer the env var: BEMI_WEBHOOK_SECRET.")
  String webhookSecret;

  @Option(names = "--webhook-per", defaultValue = "${env:BEMI_WEBHOOK_PER:-transaction}",
      paramLabel = "transaction|batch", description = "One POST per source transaction or per batch of them. "
          + "Default: ${DEFAULT-VALUE}. Env: BEMI_WEBHOOK_PER.")
  String webhookPer;

  @Option(names = "--webhook-timeout", defaultValue = "${env:BEMI_WEBHOOK_TIMEOUT:-10}", paramLabel = "SECONDS",
      description = "A request unanswered this long is retried. Default: ${DEFAULT-VALUE}. Env: BEMI_WEBHOOK_TIMEOUT.")
  long webhookTimeoutSeconds;

  /** The sink to open per session; null: the destination database. */
  SinkFactory factory(IngesterConfig config, String configFile, MeterRegistry registry) {
    refuseOtherSinksSettings();
    return switch (sink) {
      case DATABASE -> null;
      case KAFKA -> KafkaSink.factory(kafkaSettings(configFile), config.source(), config.sourceName(), registry);
      case WEBHOOK -> WebhookSink.factory(webhookSettings(), config.destination(), config.destinationSchema(),
          registry, config.source(), config.sourceName());
    };
  }

  /** Where {@code setup --snapshot} puts the baseline: {@code bemi.changes}, or the sink's read events. */
  BaselineTarget baseline(ConnectionOptions connection, MeterRegistry registry) {
    refuseOtherSinksSettings();
    return switch (sink) {
      case DATABASE -> new ChangesBaseline(connection.destination(), connection.destinationSchema(), connection.slot(),
          connection.source(), connection.sourceName());
      case KAFKA -> new KafkaBaseline(kafkaSettings(connection.config), connection.source(), connection.slot(),
          connection.sourceName());
      case WEBHOOK -> new WebhookBaseline(webhookSettings(), connection.destination(), connection.destinationSchema(),
          connection.slot(), registry, connection.source(), connection.sourceName());
    };
  }

  /** Whether the sink keeps state in the destination database (which must then be migrated). */
  boolean usesDestination() {
    return sink != SinkKind.KAFKA;
  }

  /**
   * Settings of a sink that is not chosen would be ignored without a word: most likely --sink is
   * missing. A webhook URL is refused from anywhere; Kafka and other webhook options only when the
   * command line gives them (an environment shared with {@code consume} may set BEMI_KAFKA_*).
   */
  void refuseOtherSinksSettings() {
    if (sink != SinkKind.WEBHOOK && webhookUrl != null && !webhookUrl.isBlank()) {
      throw new IllegalArgumentException("--webhook-url (or BEMI_WEBHOOK_URL) is given but --sink is "
          + sink.name().toLowerCase(Locale.ROOT) + ": add --sink webhook, or remove the URL");
    }
    CommandLine.ParseResult given = spec.commandLine().getParseResult();
    for (SinkKind other : SinkKind.values()) {
      String prefix = "--" + other.name().toLowerCase(Locale.ROOT) + "-";
      if (other == sink || other == SinkKind.DATABASE || given == null) {
        continue;
      }
      for (CommandLine.Model.OptionSpec option : spec.options()) {
        if (option.longestName().startsWith(prefix) && given.hasMatchedOption(option)) {
          throw new IllegalArgumentException(option.longestName() + " is given but --sink is "
              + sink.name().toLowerCase(Locale.ROOT) + ": add --sink " + other.name().toLowerCase(Locale.ROOT)
              + ", or remove " + option.longestName());
        }
      }
    }
  }

  WebhookSettings webhookSettings() {
    if (webhookUrl == null || webhookUrl.isBlank()) {
      throw new IllegalArgumentException("--sink webhook needs --webhook-url (or BEMI_WEBHOOK_URL)");
    }
    if (!webhookPer.matches("transaction|batch")) {
      throw new IllegalArgumentException("--webhook-per must be transaction or batch, got " + webhookPer);
    }
    URI url;
    try {
      url = new URI(webhookUrl);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("--webhook-url is not a URL: " + e.getMessage());
    }
    WebhookSettings settings = WebhookSettings.defaults(url, webhookSecret);
    settings = settings.withTiming(KafkaOptions.seconds(webhookTimeoutSeconds, "--webhook-timeout"),
        settings.maxBackoff(), settings.giveUpAfter());
    return webhookPer.equals("batch") ? settings.perBatch() : settings;
  }

  /** The row limit that keeps every record the sink publishes within what it may send (Kafka: max.request.size). */
  long rowLimit(long rowLimit, int maxContextBytes, String configFile) {
    return sink == SinkKind.KAFKA ? kafkaSettings(configFile).rowLimit(rowLimit, maxContextBytes) : rowLimit;
  }

  KafkaSinkSettings kafkaSettings(String configFile) {
    if (!"all".equals(acks) && !"-1".equals(acks)) {
      throw new IllegalArgumentException("--kafka-acks " + acks + " is not allowed: the Kafka sink is transactional "
          + "(exactly once), which needs acks=all");
    }
    if (!compression.matches("none|gzip|snappy|lz4|zstd")) {
      throw new IllegalArgumentException("--kafka-compression must be none, gzip, snappy, lz4 or zstd, got "
          + compression);
    }
    Duration timeout = KafkaOptions.seconds(transactionTimeoutSeconds, "--kafka-transaction-timeout");
    return new KafkaSinkSettings(kafka.bootstrapServers(), topicPrefix, blankToNull(singleTopic), checkpointTopic,
        blankToNull(transactionalId), compression, timeout, kafka.clientProperties(configFile));
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}

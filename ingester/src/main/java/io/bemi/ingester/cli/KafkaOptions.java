package io.bemi.ingester.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * Where Kafka is and how to talk to it ({@code run --sink kafka}, {@code consume}). Client
 * properties (security, timeouts, …) come from the config file's {@code kafka.}-prefixed keys
 * ({@code kafka.security.protocol=SASL_SSL}) and from {@code --kafka-property}, which wins.
 */
final class KafkaOptions {

  static final String CLIENT_PROPERTY_PREFIX = "kafka.";

  @Option(names = "--kafka-bootstrap-servers", defaultValue = "${env:BEMI_KAFKA_BOOTSTRAP_SERVERS}",
      paramLabel = "HOST:PORT,…", description = "Kafka brokers to bootstrap from. Env: BEMI_KAFKA_BOOTSTRAP_SERVERS.")
  String bootstrapServers;

  @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
      description = "A Kafka client property (repeatable), e.g. security.protocol=SASL_SSL; also kafka.KEY=VALUE "
          + "lines in the --config file.")
  Map<String, String> properties = new LinkedHashMap<>();

  /** The client properties: the config file's kafka.* keys, then --kafka-property. */
  Map<String, String> clientProperties(String configFile) {
    Map<String, String> merged = new LinkedHashMap<>();
    if (configFile != null && !configFile.isBlank()) {
      Properties file = new Properties();
      try (Reader reader = Files.newBufferedReader(Path.of(configFile))) {
        file.load(reader);
      } catch (IOException e) {
        throw new IllegalArgumentException("Cannot read config file " + configFile + ": " + e);
      }
      for (String key : file.stringPropertyNames()) {
        if (key.startsWith(CLIENT_PROPERTY_PREFIX)) {
          merged.put(key.substring(CLIENT_PROPERTY_PREFIX.length()), file.getProperty(key));
        }
      }
    }
    merged.putAll(properties);
    return merged;
  }

  String bootstrapServers() {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("Missing --kafka-bootstrap-servers (or BEMI_KAFKA_BOOTSTRAP_SERVERS)");
    }
    return bootstrapServers;
  }

  static Duration seconds(long seconds, String option) {
    if (seconds < 1) {
      throw new IllegalArgumentException(option + " must be >= 1");
    }
    return Duration.ofSeconds(seconds);
  }
}

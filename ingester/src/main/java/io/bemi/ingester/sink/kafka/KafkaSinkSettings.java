package io.bemi.ingester.sink.kafka;

import java.time.Duration;
import java.util.Map;

/**
 * How the Kafka sink publishes.
 *
 * @param bootstrapServers {@code host:port,…}
 * @param topicPrefix topics are {@code prefix.schema.table}; also the events' {@code source.name}
 * @param singleTopic when not null, every change goes to this one topic instead
 * @param checkpointTopic the compacted topic holding each ingester's checkpoint (written in the same Kafka transaction)
 * @param transactionalId null: {@code bemi-<slot>-<database>}; two ingesters with one id fence each other
 * @param compression {@code compression.type}: none, gzip, snappy, lz4 or zstd
 * @param transactionTimeout the broker aborts a Kafka transaction open this long (a very large source
 *     transaction must fit)
 * @param clientProperties passed to the producer and consumers as they are (security settings: {@code
 *     security.protocol}, {@code sasl.*}, {@code ssl.*}, …), applied last
 */
public record KafkaSinkSettings(
    String bootstrapServers,
    String topicPrefix,
    String singleTopic,
    String checkpointTopic,
    String transactionalId,
    String compression,
    Duration transactionTimeout,
    Map<String, String> clientProperties) {

  public static final String DEFAULT_TOPIC_PREFIX = "bemi";
  public static final String DEFAULT_CHECKPOINT_TOPIC = "bemi.checkpoints";

  public KafkaSinkSettings {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException(
          "The Kafka sink needs --kafka-bootstrap-servers (or BEMI_KAFKA_BOOTSTRAP_SERVERS)");
    }
    clientProperties = Map.copyOf(clientProperties);
  }

  public static KafkaSinkSettings defaults(String bootstrapServers) {
    return new KafkaSinkSettings(bootstrapServers, DEFAULT_TOPIC_PREFIX, null, DEFAULT_CHECKPOINT_TOPIC, null, "lz4",
        Duration.ofMinutes(5), Map.of());
  }

  public KafkaSinkSettings withSingleTopic(String topic) {
    return new KafkaSinkSettings(bootstrapServers, topicPrefix, topic, checkpointTopic, transactionalId, compression,
        transactionTimeout, clientProperties);
  }

  public KafkaSinkSettings withClientProperties(Map<String, String> properties) {
    return new KafkaSinkSettings(bootstrapServers, topicPrefix, singleTopic, checkpointTopic, transactionalId,
        compression, transactionTimeout, properties);
  }

  /** What a record adds to a change's before and after besides its context: the envelope, the record's headers. */
  private static final long RECORD_OVERHEAD = 16 * 1024;

  /**
   * The row limit ({@code --max-row-bytes}) that keeps every record within the producer's {@code
   * max.request.size}: a record holds a change's before, after and context, and one over it would
   * stop the stream. {@code rowLimit} when it is lower; 0 (no limit) becomes this limit.
   */
  public long rowLimit(long rowLimit, int maxContextBytes) {
    String configured = clientProperties.getOrDefault("max.request.size", "1048576");
    long maxRequestSize;
    try {
      maxRequestSize = Long.parseLong(configured.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("kafka.max.request.size must be a number of bytes, not '" + configured + "'");
    }
    long fits = (maxRequestSize - maxContextBytes - RECORD_OVERHEAD) / 2;
    if (fits < 1024) {
      throw new IllegalArgumentException("kafka.max.request.size " + maxRequestSize + " leaves no room for a row "
          + "beside a context of --max-context-bytes " + maxContextBytes + ": raise it (and the topics' "
          + "max.message.bytes)");
    }
    return rowLimit == 0 || rowLimit > fits ? fits : rowLimit;
  }

  /** The topic a change of this table goes to. */
  public String topic(String schema, String table) {
    return singleTopic != null ? singleTopic : topicPrefix + "." + schema + "." + table;
  }

  public String transactionalId(String slot, String database) {
    return transactionalId != null ? transactionalId : "bemi-" + slot + "-" + database;
  }
}

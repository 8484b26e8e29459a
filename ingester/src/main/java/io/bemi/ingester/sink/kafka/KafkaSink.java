package io.bemi.ingester.sink.kafka;

import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.failover.SourceIdentity;
import io.bemi.ingester.sink.ChangeEnvelope;
import io.bemi.ingester.sink.KeyColumns;
import io.bemi.ingester.sink.Sink;
import io.bemi.ingester.sink.SinkFactory;
import io.bemi.ingester.sink.SinkUnavailableException;
import io.bemi.ingester.stitch.StoreEvent;
import io.bemi.ingester.stitch.StoreEvent.Change;
import io.bemi.ingester.stitch.StoreEvent.Commit;
import io.bemi.ingester.stitch.StoreEvent.ContextBackfill;
import io.bemi.ingester.store.Checkpoint;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes changes to Kafka exactly once. Each batch of whole source transactions is one Kafka
 * transaction that also writes the ingester's checkpoint to the checkpoint topic; the slot is
 * confirmed only after {@code commitTransaction} returned. A new session starts a new producer
 * whose {@code initTransactions} aborts whatever the last one left open (a kill -9 mid-batch) and
 * fences it, then reads the checkpoint back with read_committed and resumes after it. So a
 * read_committed consumer sees every change once.
 *
 * <p>Any Kafka failure ends the session (the ingester retries from the checkpoint with a fresh
 * producer) rather than being retried here: a producer whose transaction failed cannot be trusted
 * with the next one.
 */
public final class KafkaSink implements Sink {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaSink.class);

  private final KafkaSinkSettings settings;
  private final String owner; // the transactional id, also the checkpoint's key
  private final Properties client;
  private final KafkaProducer<byte[], byte[]> producer;
  private final KeyColumns keyColumns;
  private final AtomicLong backfillsIgnored;
  /** The events' {@code bemi.source}: the source as the trail names it. */
  private final String trailSource;
  private final KafkaClientMetrics producerMeters;
  private boolean inKafkaTransaction;
  private boolean inSourceTransaction;
  private int uncommittedChanges;
  private Checkpoint pending;

  KafkaSink(KafkaSinkSettings settings, PostgresUrl source, String slot, String database, String trailSource,
      AtomicLong backfillsIgnored, MeterRegistry registry) {
    this.trailSource = trailSource;
    this.settings = settings;
    this.owner = settings.transactionalId(slot, database);
    this.backfillsIgnored = backfillsIgnored;
    this.client = clientProperties(settings);
    this.producer = transactionalProducer(settings, owner);
    try {
      this.keyColumns = new KeyColumns(source);
    } catch (RuntimeException e) {
      producer.close(Duration.ZERO);
      throw e;
    }
    this.producerMeters = registry == null ? null : new KafkaClientMetrics(producer);
    if (producerMeters != null) {
      producerMeters.bindTo(registry);
    }
  }

  /** Opens a Kafka sink per session; {@code source} is read for primary key columns (event keys). */
  public static SinkFactory factory(KafkaSinkSettings settings, PostgresUrl source) {
    return factory(settings, source, null, null);
  }

  /**
   * Opens a Kafka sink per session; {@code source} is read for primary key columns (event keys);
   * {@code sourceName} is the events' {@code bemi.source} ({@code --source-name}; null: the
   * source's system identifier and database, as {@code run} stores it in {@code changes.source});
   * the producer's own meters ({@code kafka.producer.*}: connections, requests, record errors, the
   * buffer) go to {@code registry} while a session's sink is open (null: nowhere).
   */
  public static SinkFactory factory(KafkaSinkSettings settings, PostgresUrl source, String sourceName,
      MeterRegistry registry) {
    AtomicLong backfillsIgnored = new AtomicLong();
    return new SinkFactory() {
      @Override
      public Sink open(String slot, String database) throws SQLException {
        String trailSource = SourceIdentity.sourceName(source, sourceName, database);
        return new KafkaSink(settings, source, slot, database, trailSource, backfillsIgnored, registry);
      }

      @Override
      public boolean usesDestination() {
        return false;
      }
    };
  }

  /** A transactional producer, its transactions initialised (aborting and fencing its predecessor's). */
  static KafkaProducer<byte[], byte[]> transactionalProducer(KafkaSinkSettings settings, String transactionalId) {
    Properties properties = producerProperties(settings, transactionalId);
    KafkaProducer<byte[], byte[]> producer;
    try {
      producer = new KafkaProducer<>(properties); // contacts no broker: a failure here is the configuration's
    } catch (KafkaException e) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      throw new IllegalStateException("The Kafka producer cannot be created with these client properties: "
          + e.getMessage() + (root != e ? " (" + root + ")" : "") + "; check the kafka.* properties "
          + "(security.protocol, sasl.jaas.config, ssl.*)", e);
    }
    try {
      kafka("initialising transactions of " + transactionalId, () -> {
        producer.initTransactions();
        return null;
      });
      return producer;
    } catch (RuntimeException e) {
      producer.close(Duration.ZERO);
      throw e;
    }
  }

  /** A transactional, idempotent producer's properties (the client properties win). */
  private static Properties producerProperties(KafkaSinkSettings settings, String transactionalId) {
    Properties producerProperties = clientProperties(settings);
    producerProperties.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    producerProperties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    producerProperties.put(ProducerConfig.ACKS_CONFIG, "all");
    producerProperties.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, settings.compression());
    producerProperties.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) settings.transactionTimeout().toMillis());
    producerProperties.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    producerProperties.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    // The first send of a transaction often meets CONCURRENT_TRANSACTIONS while the previous one's
    // markers are written; the default 100 ms backoff would cap the sink at ~10 transactions/s.
    producerProperties.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 5);
    producerProperties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    producerProperties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    producerProperties.putAll(settings.clientProperties());
    return producerProperties;
  }

  /** A change's record: its topic, its key (the primary key as JSON) and its event. */
  static ProducerRecord<byte[], byte[]> event(KafkaSinkSettings settings, KeyColumns keyColumns, Change change,
      String trailSource) throws SQLException {
    String key = ChangeEnvelope.key(change, keyColumns.of(change.schema(), change.table()));
    String value = ChangeEnvelope.value(change, settings.topicPrefix(), trailSource, System.currentTimeMillis());
    return new ProducerRecord<>(settings.topic(change.schema(), change.table()),
        key == null ? null : key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
  }

  static Properties clientProperties(KafkaSinkSettings settings) {
    Properties properties = new Properties();
    properties.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    properties.putAll(settings.clientProperties());
    return properties;
  }

  @Override
  public Checkpoint storedCheckpoint() {
    return kafka("reading the checkpoint of " + owner + " from " + settings.checkpointTopic(), () -> {
      KafkaCheckpoints.ensureTopic(client, settings.checkpointTopic());
      return KafkaCheckpoints.read(client, settings.checkpointTopic(), owner);
    });
  }

  @Override
  public void accept(StoreEvent event) throws SQLException {
    if (event instanceof Change change) {
      inSourceTransaction = true;
      uncommittedChanges++;
      ProducerRecord<byte[], byte[]> record = event(settings, keyColumns, change, trailSource);
      kafka("publishing to " + record.topic(), () -> {
        begin();
        producer.send(record); // a failed send fails commitTransaction
        return null;
      });
    } else if (event instanceof ContextBackfill backfill) {
      // Published events cannot change: changes before a late first _bemi message keep {} (docs/sinks.md).
      if (backfillsIgnored.getAndIncrement() == 0) {
        LOG.warn("Transaction {} set its first context after {} changes, more than the ingester holds back: those "
                + "already published to Kafka keep the context \\{} (emit _bemi before the writes; logged once)",
            backfill.transaction().commitLsn(), backfill.beforeIndex());
      }
    } else {
      inSourceTransaction = false;
      Commit commit = (Commit) event;
      pending = new Checkpoint(commit.transaction().commitLsn(), commit.endLsn(), commit.transaction().committedAt());
    }
  }

  @Override
  public boolean canCommit() {
    return !inSourceTransaction && pending != null;
  }

  @Override
  public int uncommittedChanges() {
    return uncommittedChanges;
  }

  @Override
  public Checkpoint commit() {
    if (!canCommit()) {
      throw new IllegalStateException("Not at a source transaction boundary");
    }
    Checkpoint checkpoint = pending;
    if (inKafkaTransaction) {
      kafka("committing the Kafka transaction up to " + checkpoint.commitLsn(), () -> {
        producer.send(KafkaCheckpoints.record(settings.checkpointTopic(), owner, checkpoint));
        producer.commitTransaction();
        return null;
      });
      inKafkaTransaction = false;
    }
    uncommittedChanges = 0;
    pending = null;
    return checkpoint;
  }

  @Override
  public void rollback() {
    if (inKafkaTransaction) {
      inKafkaTransaction = false;
      try {
        producer.abortTransaction();
      } catch (KafkaException e) {
        LOG.debug("Aborting the Kafka transaction failed (the next producer aborts it): {}", e.toString());
      }
    }
    inSourceTransaction = false;
    uncommittedChanges = 0;
    pending = null;
  }

  @Override
  public void close() throws SQLException {
    try {
      if (producerMeters != null) {
        producerMeters.close(); // removes the meters: the next session's producer registers its own
      }
      rollback();
      producer.close(Duration.ofSeconds(5));
    } finally {
      keyColumns.close();
    }
  }

  private void begin() {
    if (!inKafkaTransaction) {
      producer.beginTransaction();
      inKafkaTransaction = true;
    }
  }

  /**
   * Runs a Kafka call; outages become {@link SinkUnavailableException} (retried from the
   * checkpoint), what retrying cannot fix stops the ingester with a next step.
   */
  static <T> T kafka(String what, Supplier<T> call) {
    try {
      return call.get();
    } catch (InvalidConfigurationException e) { // authentication, authorization, unsupported version
      throw new IllegalStateException("Kafka refused " + what + ": " + e.getMessage() + "; check the kafka.* "
          + "client properties (security.protocol, sasl.*, ssl.*) and the ACLs (WRITE on the topics, "
          + "WRITE and DESCRIBE on the transactional id)", e);
    } catch (KafkaException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
          // retrying would open a new producer that fences the other one in turn, for ever
          throw new IllegalStateException("This ingester's Kafka producer was fenced while " + what + " ("
              + t.getMessage() + "): another ingester with the same transactional id took over, or the broker "
              + "aborted a transaction open longer than --kafka-transaction-timeout; this one stops. Run one "
              + "ingester per slot and source (or give each its own --kafka-transactional-id)", e);
        }
        if (t instanceof RecordTooLargeException) {
          throw new IllegalStateException("Kafka refused a record too large (" + t.getMessage() + "; noticed while "
              + what + ", the record may be an earlier one of the transaction): raise kafka.max.request.size and "
              + "the topics' max.message.bytes", e);
        }
      }
      throw new SinkUnavailableException("Kafka unavailable while " + what + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "Kafka " + settings.bootstrapServers() + " (topics " + (settings.singleTopic() != null
        ? settings.singleTopic() : settings.topicPrefix() + ".<schema>.<table>") + ", checkpoints "
        + settings.checkpointTopic() + " as " + owner + ")";
  }
}

package io.bemi.ingester.sink.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.failover.SourceIdentity;
import io.bemi.ingester.rules.TablePattern;
import io.bemi.ingester.setup.SourceSetup.TrackedTable;
import io.bemi.ingester.sink.KeyColumns;
import io.bemi.ingester.snapshot.BaselineTarget;
import io.bemi.ingester.stitch.StoreEvent.Change;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The baseline snapshot published as Debezium read events ({@code op: "r"}) to the tables' topics,
 * exactly once: each table's rows are one Kafka transaction, which also writes the table's progress
 * to the checkpoint topic (key {@code <transactional id>/snapshot/<schema>.<table>}, value
 * {@code {"snapshot_lsn": N, "rows": N}}). A run skips tables whose progress is there; a copy cut
 * short is aborted (by the next run's producer, whose transactional id is the sink's plus
 * {@code /snapshot}, if not before), so a read_committed consumer sees a table's baseline whole
 * and once. The largest table must be published within the transaction timeout.
 */
public final class KafkaBaseline implements BaselineTarget {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaBaseline.class);

  private final KafkaSinkSettings settings;
  private final PostgresUrl source;
  private final String slot;
  private final String sourceName;

  /** @param source read for primary key columns (event keys) */
  public KafkaBaseline(KafkaSinkSettings settings, PostgresUrl source, String slot) {
    this(settings, source, slot, null);
  }

  /**
   * @param source read for primary key columns (event keys)
   * @param sourceName the events' {@code bemi.source} (null: the source's system identifier and database)
   */
  public KafkaBaseline(KafkaSinkSettings settings, PostgresUrl source, String slot, String sourceName) {
    this.settings = settings;
    this.source = source;
    this.slot = slot;
    this.sourceName = sourceName;
  }

  @Override
  public Writer open(String database) throws SQLException {
    String trailSource = SourceIdentity.sourceName(source, sourceName, database);
    String owner = settings.transactionalId(slot, database);
    KafkaSink.kafka("creating the checkpoint topic " + settings.checkpointTopic(), () -> {
      KafkaCheckpoints.ensureTopic(KafkaSink.clientProperties(settings), settings.checkpointTopic());
      return null;
    });
    KafkaProducer<byte[], byte[]> producer = KafkaSink.transactionalProducer(settings, owner + "/snapshot");
    try {
      return new KafkaWriter(owner + "/snapshot/", producer, new KeyColumns(source), trailSource);
    } catch (RuntimeException e) {
      producer.close(Duration.ZERO);
      throw e;
    }
  }

  private final class KafkaWriter implements Writer {

    private final String progressKey; // + schema.table
    private final KafkaProducer<byte[], byte[]> producer;
    private final KeyColumns keyColumns;
    private final String trailSource;
    private long snapshotLsn;
    private boolean inTransaction;

    KafkaWriter(String progressKey, KafkaProducer<byte[], byte[]> producer, KeyColumns keyColumns, String trailSource) {
      this.progressKey = progressKey;
      this.producer = producer;
      this.keyColumns = keyColumns;
      this.trailSource = trailSource;
    }

    @Override
    public Map<String, Progress> progress() {
      Map<String, JsonNode> stored = KafkaSink.kafka("reading the baseline progress from "
          + settings.checkpointTopic(), () -> KafkaCheckpoints.latest(KafkaSink.clientProperties(settings),
          settings.checkpointTopic(), key -> key.startsWith(progressKey)));
      Map<String, Progress> result = new HashMap<>();
      stored.forEach((key, value) -> result.put(key.substring(progressKey.length()),
          new Progress(value.get("snapshot_lsn").asLong(), true)));
      return result;
    }

    @Override
    public void begin(TrackedTable table, Progress previous, long snapshotLsn, long rowsEstimated) {
      this.snapshotLsn = snapshotLsn;
      KafkaSink.kafka("beginning the Kafka transaction of " + table.qualified(), () -> {
        producer.beginTransaction();
        return null;
      });
      inTransaction = true;
    }

    @Override
    public void row(Change change) throws SQLException {
      var record = KafkaSink.event(settings, keyColumns, change, trailSource);
      KafkaSink.kafka("publishing to " + record.topic(), () -> producer.send(record)); // a failed send fails the commit
    }

    @Override
    public void stored(TrackedTable table, long rowsDone, boolean last) {
      if (!last) {
        return; // a table is one Kafka transaction
      }
      KafkaSink.kafka("committing the baseline of " + table.qualified(), () -> {
        producer.send(KafkaCheckpoints.record(settings.checkpointTopic(), progressKey
            + TablePattern.nameOf(table.schema(), table.table()), "{\"snapshot_lsn\":" + snapshotLsn + ",\"rows\":" + rowsDone + "}"));
        producer.commitTransaction();
        return null;
      });
      inTransaction = false;
    }

    @Override
    public void abort() {
      if (inTransaction) {
        inTransaction = false;
        try {
          producer.abortTransaction();
        } catch (KafkaException e) {
          LOG.debug("Aborting the baseline's Kafka transaction failed (the next run aborts it): {}", e.toString());
        }
      }
    }

    @Override
    public void close() throws SQLException {
      try {
        abort();
        producer.close(Duration.ofSeconds(5));
      } finally {
        keyColumns.close();
      }
    }
  }
}

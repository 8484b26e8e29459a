package io.bemi.ingester.consume;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.bemi.ingester.store.ChangeIds;
import io.bemi.ingester.store.Partitions;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores change events read from Kafka into {@code changes} and the consumer group's offsets into
 * {@code consumer_offsets}, in one destination transaction per poll: after a crash the consumer
 * resumes from the stored offsets, and a replayed event (another consumer took the partition over
 * mid-batch) is dropped by {@code ON CONFLICT DO NOTHING} on the changes' unique key.
 *
 * <p>The event's {@code bemi.source} (the source as {@code run} would name it in its trail: its
 * {@code --source-name}, or system identifier and database) is stored as the change's {@code source},
 * so changes of several sources that pass through Kafka stay apart, whatever their topic prefixes;
 * events without it (older ingesters) give their {@code source.name}, the topic prefix.
 *
 * <p>Reads the envelope {@code io.bemi.ingester.sink.ChangeEnvelope} writes; events without its
 * {@code bemi} block (another producer on the topic) are counted and skipped. Numbers keep every
 * digit: floats are parsed as BigDecimal and written back as they came.
 *
 * <p>An event committed after the last partition {@code ensure_partitions} creates (a year ahead
 * of the destination's clock: a source clock far ahead) goes to {@code quarantine}, in the same
 * transaction, instead of an insert the destination would refuse and consuming stopping on it.
 */
final class TrailWriter implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TrailWriter.class);

  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
      .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
      .build();

  private final Connection connection;
  private final String group;
  private final String insertSql;
  private final String quarantineSql;
  private final String offsetSql;
  private final String readOffsetsSql;
  private final Partitions partitions;
  private final ChangeIds ids = new ChangeIds();
  private long skipped;

  TrailWriter(Connection connection, String schema, String group) throws SQLException {
    this.connection = connection;
    this.group = group;
    connection.setAutoCommit(false);
    this.insertSql = "INSERT INTO " + schema + ".changes (id, primary_key, before, after, context, database, schema,"
        + " \"table\", operation, committed_at, queued_at, transaction_id, position, commit_lsn, change_index, source,"
        + " previous_primary_key) VALUES (?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        + " ON CONFLICT DO NOTHING";
    // the parameters of insertSql, in its order
    this.quarantineSql = "INSERT INTO " + schema + ".quarantine (source_database, commit_lsn, change_index, position,"
        + " transaction_id, committed_at, schema, \"table\", operation, primary_key, before, after, context, error,"
        + " sql_state, source, previous_primary_key) SELECT database, commit_lsn, change_index, position, transaction_id,"
        + " committed_at, schema, \"table\", operation, primary_key, before, after, context,"
        + " 'committed at ' || committed_at || ', " + Partitions.BEYOND.replace("'", "''") + "', '23514', source,"
        + " previous_primary_key FROM (VALUES (?::uuid, ?, ?, ?, ?, ?, ?, ?, ?, ?::timestamptz, ?::timestamptz, ?::bigint,"
        + " ?::bigint, ?::bigint, ?::integer, ?, ?)) AS v (id, primary_key, before, after, context, database, schema,"
        + " \"table\", operation, committed_at, queued_at, transaction_id, position, commit_lsn, change_index, source,"
        + " previous_primary_key) ON CONFLICT ON CONSTRAINT quarantine_change_key DO NOTHING";
    this.offsetSql = "INSERT INTO " + schema + ".consumer_offsets (group_id, topic, partition, next_offset)"
        + " VALUES (?, ?, ?, ?) ON CONFLICT (group_id, topic, partition) DO UPDATE"
        + " SET next_offset = GREATEST(consumer_offsets.next_offset, excluded.next_offset), updated_at = now()";
    this.partitions = new Partitions(schema);
    this.readOffsetsSql = "SELECT next_offset FROM " + schema + ".consumer_offsets"
        + " WHERE group_id = ? AND topic = ? AND partition = ?";
  }

  /** The stored next offset of each partition that has one. */
  Map<TopicPartition, Long> storedOffsets(Collection<TopicPartition> partitions) throws SQLException {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    try (PreparedStatement s = connection.prepareStatement(readOffsetsSql)) {
      for (TopicPartition partition : partitions) {
        s.setString(1, group);
        s.setString(2, partition.topic());
        s.setInt(3, partition.partition());
        try (ResultSet rs = s.executeQuery()) {
          if (rs.next()) {
            offsets.put(partition, rs.getLong(1));
          }
        }
      }
    }
    connection.commit();
    return offsets;
  }

  /** Stores the records and the offsets after them in one transaction; returns how many changes were new. */
  int store(Iterable<ConsumerRecord<byte[], byte[]>> records) throws SQLException {
    Map<TopicPartition, Long> next = new HashMap<>();
    List<Event> events = new ArrayList<>();
    Instant newest = Instant.MIN;
    try (PreparedStatement insert = connection.prepareStatement(insertSql);
         PreparedStatement quarantine = connection.prepareStatement(quarantineSql)) {
      for (ConsumerRecord<byte[], byte[]> record : records) {
        next.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
        JsonNode json = parse(record);
        if (json == null) {
          skipped++;
          continue;
        }
        Event event = new Event(json, Instant.parse(json.get("bemi").get("committed_at").asText()));
        events.add(event);
        newest = event.committedAt().isAfter(newest) ? event.committedAt() : newest;
      }
      if (!events.isEmpty() && !partitions.cover(newest)) {
        partitions.extend(connection, newest);
      }
      int batched = 0;
      for (Event event : events) {
        if (partitions.has(event.committedAt())) {
          bind(insert, event);
          insert.addBatch();
          batched++;
        } else {
          bind(quarantine, event);
          quarantine.executeUpdate();
          JsonNode bemi = event.json().get("bemi");
          LOG.warn("Quarantined the change {} of commit LSN {} of source '{}' to {}.{}: committed at {}, {} ({}); check"
              + " the source's clock. Consuming goes on", bemi.get("change_index"), bemi.get("commit_lsn"),
              bemi.path("source").asText(""), event.json().get("source").get("schema").asText(),
              event.json().get("source").get("table").asText(), event.committedAt(), Partitions.BEYOND, partitions.until());
        }
      }
      int stored = 0;
      if (batched > 0) {
        for (int count : insert.executeBatch()) {
          stored += Math.max(count, 0);
        }
      }
      try (PreparedStatement offsets = connection.prepareStatement(offsetSql)) {
        for (Map.Entry<TopicPartition, Long> entry : next.entrySet()) {
          offsets.setString(1, group);
          offsets.setString(2, entry.getKey().topic());
          offsets.setInt(3, entry.getKey().partition());
          offsets.setLong(4, entry.getValue());
          offsets.addBatch();
        }
        offsets.executeBatch();
      }
      connection.commit();
      return stored;
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      partitions.forget();
      throw e;
    }
  }

  /** Events skipped because they were not Bemi change events. */
  long skipped() {
    return skipped;
  }

  private static JsonNode parse(ConsumerRecord<byte[], byte[]> record) {
    if (record.value() == null) {
      return null;
    }
    try {
      JsonNode event = JSON.readTree(record.value());
      return event != null && event.has("bemi") && event.has("source") ? event : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** A Bemi change event and its commit time. */
  private record Event(JsonNode json, Instant committedAt) {}

  /** Binds one event's columns in the order of {@code insertSql}. */
  private void bind(PreparedStatement s, Event change) throws SQLException {
    JsonNode event = change.json();
    JsonNode source = event.get("source");
    JsonNode bemi = event.get("bemi");
    s.setObject(1, ids.next(System.currentTimeMillis()));
    s.setString(2, bemi.get("primary_key").isNull() ? null : bemi.get("primary_key").asText());
    s.setString(3, objectOrEmpty(event.get("before")));
    s.setString(4, objectOrEmpty(event.get("after")));
    s.setString(5, objectOrEmpty(event.get("context")));
    s.setString(6, source.get("db").asText());
    s.setString(7, source.get("schema").asText());
    s.setString(8, source.get("table").asText());
    s.setString(9, bemi.get("operation").asText());
    s.setTimestamp(10, Timestamp.from(change.committedAt()));
    s.setTimestamp(11, Timestamp.from(Instant.parse(bemi.get("queued_at").asText())));
    s.setLong(12, source.get("txId").asLong());
    s.setLong(13, source.get("lsn").asLong());
    s.setLong(14, bemi.get("commit_lsn").asLong());
    s.setInt(15, bemi.get("change_index").asInt());
    // the source as the producing ingester's trail names it; events of older ingesters: their topic prefix
    s.setString(16, bemi.hasNonNull("source") ? bemi.get("source").asText() : source.path("name").asText(""));
    s.setString(17, bemi.hasNonNull("previous_primary_key") ? bemi.get("previous_primary_key").asText() : null);
  }

  /** Debezium's null before/after is bemi.changes' {}. */
  private static String objectOrEmpty(JsonNode node) {
    return node == null || node.isNull() ? "{}" : node.toString();
  }

  @Override
  public void close() throws SQLException {
    try {
      connection.rollback();
    } finally {
      connection.close();
    }
  }
}

package io.bemi.ingester.sink.webhook;

import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.failover.SourceIdentity;
import io.bemi.ingester.setup.SourceSetup.TrackedTable;
import io.bemi.ingester.snapshot.BaselineTarget;
import io.bemi.ingester.snapshot.SnapshotProgress;
import io.bemi.ingester.stitch.StoreEvent.Change;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The baseline snapshot posted as Debezium read events ({@code op: "r"}), at least once: one
 * request per batch of rows (the body of {@link WebhookSink}, one transaction {@code 0:<baseline
 * LSN>}), idempotency key {@code <database>/<slot>/<baseline LSN>/<first change index>}. Progress
 * is kept in {@code snapshot_progress} of the destination after each delivered batch; a table cut
 * short is posted again whole, from a later snapshot (new LSN, new keys), which restates the rows.
 */
public final class WebhookBaseline implements BaselineTarget {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookBaseline.class);

  private final WebhookSettings settings;
  private final PostgresUrl destination;
  private final String schema;
  private final String slot;
  private final PostgresUrl source;
  private final String sourceName;
  private final WebhookMetrics metrics;

  /**
   * @param destination holds {@code snapshot_progress} and {@code webhook_dead_letters} (migrated)
   * @param sourceName the events' {@code bemi.source} (null: the source's system identifier and database)
   */
  public WebhookBaseline(WebhookSettings settings, PostgresUrl destination, String destinationSchema, String slot,
      MeterRegistry registry, PostgresUrl source, String sourceName) {
    this.settings = settings;
    this.destination = destination;
    this.schema = destinationSchema;
    this.slot = slot;
    this.source = source;
    this.sourceName = sourceName;
    this.metrics = new WebhookMetrics(registry, settings.endpoint());
  }

  @Override
  public Writer open(String database) throws SQLException {
    String trailSource = SourceIdentity.sourceName(source, sourceName, database);
    Connection connection = destination.connect();
    return new WebhookWriter(connection, new SnapshotProgress(schema, slot, database),
        new WebhookSink(settings, slot, database, trailSource, new Deliveries(destination, schema), metrics));
  }

  private static final class WebhookWriter implements Writer {

    private final Connection connection;
    private final SnapshotProgress progress;
    private final WebhookSink sink;
    private final List<Change> rows = new ArrayList<>();

    WebhookWriter(Connection connection, SnapshotProgress progress, WebhookSink sink) {
      this.connection = connection;
      this.progress = progress;
      this.sink = sink;
    }

    @Override
    public Map<String, Progress> progress() throws SQLException {
      return progress.load(connection);
    }

    @Override
    public void begin(TrackedTable table, Progress previous, long snapshotLsn, long rowsEstimated)
        throws SQLException {
      if (previous != null && !previous.done()) {
        LOG.info("Snapshot {}: an earlier copy was cut short; the receiver gets the table again from a later "
            + "snapshot", table.qualified());
      }
      progress.start(connection, table, snapshotLsn, rowsEstimated);
    }

    @Override
    public void row(Change change) {
      rows.add(change);
    }

    @Override
    public void stored(TrackedTable table, long rowsDone, boolean last) throws SQLException {
      if (!rows.isEmpty()) {
        sink.deliverBaseline(rows);
        rows.clear();
      }
      progress.update(connection, table, rowsDone, last);
    }

    @Override
    public void abort() {
      rows.clear();
    }

    @Override
    public void close() throws SQLException {
      try {
        sink.close();
      } finally {
        connection.close();
      }
    }
  }
}

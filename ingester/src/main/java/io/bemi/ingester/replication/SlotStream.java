package io.bemi.ingester.replication;

import io.bemi.sql.Lsn;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/**
 * The logical replication stream of one slot (pgoutput protocol version 1 with messages), and its
 * feedback. Only {@link #confirm} moves the slot's flushed position: pgjdbc's automatic flush on
 * keepalives is off, since the server may then discard WAL the ingester has not yet stored.
 *
 * <p>pgjdbc answers the server's keepalive requests and sends a status update every
 * {@code statusInterval} while {@link #readPending()} is called, so the caller must keep calling
 * it (or {@link #sendStatus()}) even when the store is busy; {@code wal_sender_timeout} then never fires.
 *
 * <p>Not thread-safe: owned by the reader thread.
 */
public final class SlotStream implements AutoCloseable {

  // The walsender's output functions render values in these settings; the JSON value mapping
  // (io.bemi.ingester.values.JsonValues) relies on them. A logical replication connection accepts
  // plain SQL, so they are set with SET before START_REPLICATION.
  public static final List<String> OUTPUT_SETTINGS = List.of(
      "SET TimeZone = 'UTC'",
      "SET DateStyle = 'ISO, MDY'",
      "SET IntervalStyle = 'postgres'",
      "SET bytea_output = 'hex'",
      "SET extra_float_digits = 1");

  private final Connection connection;
  private final PGReplicationStream stream;
  private Lsn confirmed = Lsn.INVALID;

  private SlotStream(Connection connection, PGReplicationStream stream) {
    this.connection = connection;
    this.stream = stream;
  }

  /**
   * Starts streaming {@code slot} after {@code start} (the stored checkpoint's end LSN; the server
   * starts at the slot's confirmed position when that is later).
   *
   * @param originNone ask the server to skip changes that carry a replication origin (PostgreSQL 16+)
   */
  public static SlotStream start(Connection replicationConnection, String slot, String publication, Lsn start,
      boolean originNone, Duration statusInterval) throws SQLException {
    try (Statement s = replicationConnection.createStatement()) {
      for (String setting : OUTPUT_SETTINGS) {
        s.execute(setting);
      }
    }
    var builder = replicationConnection.unwrap(PGConnection.class).getReplicationAPI()
        .replicationStream()
        .logical()
        .withSlotName(slot)
        .withSlotOption("proto_version", 1)
        .withSlotOption("publication_names", publication)
        .withSlotOption("messages", true)
        .withStatusInterval((int) statusInterval.toMillis(), TimeUnit.MILLISECONDS)
        .withAutomaticFlush(false)
        .withStartPosition(LogSequenceNumber.valueOf(start.value()));
    if (originNone) {
      builder = builder.withSlotOption("origin", "none");
    }
    return new SlotStream(replicationConnection, builder.start());
  }

  /** The next message, or null when none is waiting; its LSN is {@link #lastReceived()}. */
  public ByteBuffer readPending() throws SQLException {
    return stream.readPending();
  }

  /** The XLogData start LSN of the message last returned. */
  public Lsn lastReceived() {
    return Lsn.of(stream.getLastReceiveLSN().asLong());
  }

  /** Reports everything up to {@code lsn} as stored, so the server may recycle that WAL. */
  public void confirm(Lsn lsn) throws SQLException {
    if (lsn.isAfter(confirmed)) {
      LogSequenceNumber position = LogSequenceNumber.valueOf(lsn.value());
      stream.setFlushedLSN(position);
      stream.setAppliedLSN(position);
      stream.forceUpdateStatus();
      confirmed = lsn;
    }
  }

  /** Sends a status update now (e.g. while waiting for the store), keeping the connection alive. */
  public void sendStatus() throws SQLException {
    stream.forceUpdateStatus();
  }

  @Override
  public void close() throws SQLException {
    try {
      if (!stream.isClosed()) {
        stream.close();
      }
    } finally {
      connection.close();
    }
  }
}

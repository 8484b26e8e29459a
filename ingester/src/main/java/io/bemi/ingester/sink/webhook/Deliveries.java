package io.bemi.ingester.sink.webhook;

import io.bemi.ingester.PostgresUrl;
import io.bemi.sql.Lsn;
import io.bemi.ingester.store.Checkpoint;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;

/**
 * What the webhook sink records in the destination: requests refused for good
 * ({@code webhook_dead_letters}, kept as sent) and, after each delivered batch, its checkpoint in
 * {@code ingester_checkpoints} (the table the database sink uses, same key), so a restart does
 * not post again what a receiver already acknowledged. A crash between the 2xx and this write is
 * the one way a delivered transaction is posted twice.
 */
final class Deliveries implements AutoCloseable {

  private static final int MAX_RESPONSE_CHARS = 2000;

  private final PostgresUrl destination;
  private final String insertSql;
  private final String checkpointSql;
  private final String readCheckpointSql;
  private Connection connection;

  Deliveries(PostgresUrl destination, String schema) {
    this.destination = destination;
    this.checkpointSql = "INSERT INTO " + schema + ".ingester_checkpoints"
        + " (slot, source_database, commit_lsn, end_lsn, committed_at, updated_at) VALUES (?, ?, ?, ?, ?, now())"
        + " ON CONFLICT (slot, source_database) DO UPDATE SET commit_lsn = excluded.commit_lsn,"
        + " end_lsn = excluded.end_lsn, committed_at = excluded.committed_at, updated_at = excluded.updated_at";
    this.readCheckpointSql = "SELECT commit_lsn, end_lsn, committed_at FROM " + schema + ".ingester_checkpoints"
        + " WHERE slot = ? AND source_database = ?";
    this.insertSql = "INSERT INTO " + schema + ".webhook_dead_letters"
        + " (endpoint, idempotency_key, commit_lsn, status, response, body) VALUES (?, ?, ?, ?, ?, ?)";
  }

  /** Stores a refused request; committed before it returns, so the slot may move past it. */
  void store(String endpoint, String idempotencyKey, long commitLsn, int status, String response, String body)
      throws SQLException {
    try (PreparedStatement s = connection().prepareStatement(insertSql)) {
      s.setString(1, endpoint);
      s.setString(2, idempotencyKey);
      s.setLong(3, commitLsn);
      s.setInt(4, status);
      s.setString(5, response == null || response.length() <= MAX_RESPONSE_CHARS ? response
          : response.substring(0, MAX_RESPONSE_CHARS));
      s.setString(6, body);
      s.executeUpdate();
    } catch (SQLException e) {
      reset();
      throw e;
    }
  }

  /** The checkpoint of the last delivered batch, or null. */
  Checkpoint checkpoint(String slot, String database) throws SQLException {
    try (PreparedStatement s = connection().prepareStatement(readCheckpointSql)) {
      s.setString(1, slot);
      s.setString(2, database);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next()
            ? new Checkpoint(Lsn.of(rs.getLong(1)), Lsn.of(rs.getLong(2)), rs.getTimestamp(3).toInstant())
            : null;
      }
    } catch (SQLException e) {
      reset();
      throw e;
    }
  }

  void saveCheckpoint(String slot, String database, Checkpoint checkpoint) throws SQLException {
    try (PreparedStatement s = connection().prepareStatement(checkpointSql)) {
      s.setString(1, slot);
      s.setString(2, database);
      s.setLong(3, checkpoint.commitLsn().value());
      s.setLong(4, checkpoint.endLsn().value());
      s.setTimestamp(5, Timestamp.from(checkpoint.committedAt()));
      s.executeUpdate();
    } catch (SQLException e) {
      reset();
      throw e;
    }
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      connection = destination.connect(); // autocommit: each write stands alone
    }
    return connection;
  }

  private void reset() throws SQLException {
    if (connection != null) {
      Connection broken = connection;
      connection = null;
      broken.close();
    }
  }

  @Override
  public void close() throws SQLException {
    if (connection != null) {
      connection.close();
    }
  }
}

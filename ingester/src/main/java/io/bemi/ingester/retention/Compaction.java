package io.bemi.ingester.retention;

import io.bemi.ingester.PostgresUrl;
import io.bemi.sql.SqlNames;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites closed monthly partitions of {@code changes} in record order ({@code compact_partition},
 * R__5), so that a table as of an instant reads each table's changes there in one forward sweep.
 * One partition per transaction, oldest first, each VACUUMed afterwards (VACUUM cannot run inside
 * the function's transaction, and until it runs the index-only scans of the new copy read its heap).
 */
public final class Compaction {

  /** One partition rewritten: its changes, the rewrite's time and the VACUUM's. */
  public record Compacted(String partition, long changes, Duration rewrite, Duration vacuum) {}

  private final PostgresUrl destination;
  private final String schema;

  public Compaction(PostgresUrl destination, String destinationSchema) {
    this.destination = destination;
    this.schema = destinationSchema;
  }

  /** The partitions that ended by {@code closedBefore} and are not compacted yet, oldest first. */
  public List<String> pending(Instant closedBefore) throws SQLException {
    try (Connection c = destination.connect();
         PreparedStatement s = c.prepareStatement("SELECT " + schema + ".partitions_to_compact(?)")) {
      s.setTimestamp(1, Timestamp.from(closedBefore));
      List<String> partitions = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          partitions.add(rs.getString(1));
        }
      }
      return partitions;
    } catch (SQLException e) {
      if ("42883".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())) { // undefined function, schema
        throw new IllegalStateException("The destination has no trail in schema " + schema + ", or one that predates"
            + " compaction: start `bemi-ingester run` (or `consume`) once with this version, it creates or migrates"
            + " the schema (" + e.getMessage() + ")", e);
      }
      throw e;
    }
  }

  /** Rewrites one partition and VACUUMs it; the caller's role must own {@code changes}. */
  public Compacted compact(String partition) throws SQLException {
    try (Connection c = destination.connect(); Statement s = c.createStatement();
         PreparedStatement compact = c.prepareStatement("SELECT " + schema + ".compact_partition(?)")) {
      c.setAutoCommit(true);
      compact.setString(1, partition);
      long started = System.nanoTime();
      long changes;
      try (ResultSet rs = compact.executeQuery()) {
        rs.next();
        changes = rs.getLong(1);
      }
      long rewritten = System.nanoTime();
      s.execute("VACUUM (ANALYZE) " + SqlNames.qualified(schema, partition));
      return new Compacted(partition, changes, Duration.ofNanos(rewritten - started),
          Duration.ofNanos(System.nanoTime() - rewritten));
    }
  }
}

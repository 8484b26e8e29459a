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
 * R__5), so that a table as of an instant reads each table's changes there in one forward sweep, and
 * takes each table's state at their end ({@code refresh_compacted_states}), which a table as of a
 * later instant starts from.
 * One partition per transaction, oldest first, each VACUUMed afterwards (VACUUM cannot run inside
 * the function's transaction, and until it runs the index-only scans of the new copy read its heap).
 */
public final class Compaction {

  /** One partition rewritten: its changes, the rewrite's time and the VACUUM's. */
  public record Compacted(String partition, long changes, Duration rewrite, Duration vacuum) {}

  /**
   * The tables' states at the end of the compacted partitions: how many were extended with the
   * months compacted since and how many taken from all their changes (none: they were current),
   * their rows, the rows inserted, updated or deleted to get there, and the time.
   */
  public record States(int extended, int taken, long rows, long written, Duration took) {

    public int tables() {
      return extended + taken;
    }
  }

  /**
   * How far compaction has gone: the compacted months end at {@code until} ({@code partitions} of
   * them); {@code current} of the {@code tables} with changes there have a state table_as_of may
   * start from, taken at {@code takenAt} (null: none).
   */
  public record Progress(Instant until, int partitions, int current, int tables, Instant takenAt) {

    /** Every table's state matches the compacted months. */
    public boolean statesCurrent() {
      return current == tables;
    }
  }

  // built-ins and operators from pg_catalog: `status` runs it with the operator's privileges
  private static final String PROGRESS = """
      SELECT r.until_at, pg_catalog.cardinality(r.relids),
             (SELECT pg_catalog.count(*) FROM %1$s.compacted_state_tables h
               WHERE h.until_at OPERATOR(pg_catalog.=) r.until_at AND h.relids OPERATOR(pg_catalog.=) r.relids),
             (SELECT pg_catalog.count(*) FROM (SELECT DISTINCT t.source, t.schema, t."table"
                                      FROM %1$s.compacted_tables t
                                      JOIN %1$s.compacted_partitions cp
                                        ON cp.partition_name OPERATOR(pg_catalog.=) t.partition_name
                                     WHERE cp.relid OPERATOR(pg_catalog.=) ANY (r.relids)) x),
             (SELECT pg_catalog.max(h.taken_at) FROM %1$s.compacted_state_tables h)
        FROM %1$s.compacted_run() r""";

  private final PostgresUrl destination;
  private final String schema;

  public Compaction(PostgresUrl destination, String destinationSchema) {
    this.destination = destination;
    this.schema = destinationSchema;
  }

  /**
   * {@link Progress} of the trail in {@code schema}; null when nothing is compacted, or when the
   * trail predates the states or the role may not read them.
   */
  public static Progress progress(Connection destination, String schema) throws SQLException {
    try (Statement s = destination.createStatement(); ResultSet rs = s.executeQuery(String.format(PROGRESS, schema))) {
      rs.next();
      if (rs.getTimestamp(1) == null) {
        return null;
      }
      Timestamp takenAt = rs.getTimestamp(5);
      return new Progress(rs.getTimestamp(1).toInstant(), rs.getInt(2), rs.getInt(3), rs.getInt(4),
          takenAt == null ? null : takenAt.toInstant());
    } catch (SQLException e) {
      // undefined table or function (an older trail), no privilege
      if (List.of("42P01", "42883", "3F000", "42501").contains(e.getSQLState())) {
        return null;
      }
      throw e;
    }
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
      throw withNextStep(e);
    }
  }

  /**
   * An undefined function or schema (a trail this version has not migrated yet) as an error that
   * says what to do; any other error as it is.
   */
  private SQLException withNextStep(SQLException e) {
    if ("42883".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())) {
      throw new IllegalStateException("The destination has no trail in schema " + schema + ", or one that predates"
          + " this version's compaction: start `bemi-ingester run` (or `consume`) once with this version, it creates"
          + " or migrates the schema (" + e.getMessage() + ")", e);
    }
    return e;
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

  /**
   * Takes each table's state at the end of the compacted partitions ({@code refresh_compacted_states},
   * R__5) unless it is current, then VACUUMs the states; the caller's role must own {@code changes}.
   */
  public States refreshStates() throws SQLException {
    try (Connection c = destination.connect(); Statement s = c.createStatement()) {
      c.setAutoCommit(true);
      long started = System.nanoTime();
      int extended;
      int taken;
      long written;
      try (ResultSet rs = s.executeQuery("SELECT extended, taken, rows_written FROM " + schema
          + ".refresh_compacted_states()")) {
        rs.next();
        extended = rs.getInt(1);
        taken = rs.getInt(2);
        written = rs.getLong(3);
      } catch (SQLException e) {
        throw withNextStep(e);
      }
      long rows = 0;
      if (extended + taken > 0) {
        s.execute("VACUUM (ANALYZE) " + SqlNames.qualified(schema, "compacted_states"));
        try (ResultSet rs = s.executeQuery("SELECT coalesce(pg_catalog.sum(rows), 0) FROM "
            + SqlNames.qualified(schema, "compacted_state_tables"))) {
          rs.next();
          rows = rs.getLong(1);
        }
      }
      return new States(extended, taken, rows, written, Duration.ofNanos(System.nanoTime() - started));
    }
  }
}

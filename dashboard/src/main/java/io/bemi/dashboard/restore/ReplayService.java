package io.bemi.dashboard.restore;

import io.bemi.dashboard.changes.BadRequestException;
import io.bemi.dashboard.changes.DataAccessException;
import io.bemi.dashboard.changes.SeveralSourcesException;
import io.bemi.dashboard.revert.RevertTarget;
import io.bemi.sql.JsonStrings;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Roll forward: the statement that replays recorded changes (a time range, optionally of some
 * tables; one transaction; one context; one change) onto another database with the same schema,
 * from bemi-sql's {@code replay_changes_sql} (R__4_restore.sql). Preview only: the dashboard never
 * runs it, the user runs it on the other database. The counts and the statement are read in one
 * REPEATABLE READ transaction, so they describe the same changes.
 */
public final class ReplayService {

  private final DataSource destination;
  private final String schema;

  public ReplayService(DataSource destination, String schema) {
    this.destination = destination;
    this.schema = schema;
  }

  /** Which changes to replay: a time range [from, to) of some tables (all when empty), or a revert-style target. */
  public sealed interface Selection {

    /** For people: {@code 2024-05-01T10:00:00Z – 2024-05-01T12:00:00Z (public.orders)}, {@code transaction 0/16B3748}. */
    String describe();

    /** The source whose changes are replayed (a database gets one source's changes); null: every source's. */
    String source();
  }

  /** The changes committed in [from, to) of {@code tables} (empty: every table) in {@code source}. */
  public record Range(Instant from, Instant to, List<String> tables, String source) implements Selection {
    public Range {
      if (from == null || to == null) {
        throw new BadRequestException("from and to are required: the time range [from, to) whose changes to replay");
      }
      if (!from.isBefore(to)) {
        throw new BadRequestException("from must be before to");
      }
      tables = List.copyOf(tables);
    }

    public String describe() {
      return from + " – " + to + (tables.isEmpty() ? "" : " (" + String.join(", ", tables) + ")")
          + (source == null || source.isEmpty() ? "" : " of source " + SeveralSourcesException.quoted(source));
    }
  }

  public record Target(RevertTarget target) implements Selection {
    public String describe() {
      return target.describe();
    }

    public String source() {
      return target.source();
    }
  }

  /** What the statement replays on one table. */
  public record Count(String schema, String table, long inserts, long updates, long deletes, long truncates) {}

  /** The preview: counts per table, and the statement or why there is none. */
  public record Plan(Selection selection, List<Count> counts, String sql, String unavailableReason) {

    public long total() {
      return counts.stream().mapToLong(c -> c.inserts() + c.updates() + c.deletes() + c.truncates()).sum();
    }
  }

  public Plan preview(Selection selection) {
    String changes = "\"" + schema + "\".changes";
    String picked = "SELECT c.id, c.schema, c.\"table\", c.operation FROM " + changes + " c WHERE c.operation <> 'SNAPSHOT' AND "
        + condition(selection) + " AND (?::text IS NULL OR c.source = ?::text)";
    String countsSql = "SELECT p.schema, p.\"table\", count(*) FILTER (WHERE p.operation = 'CREATE'),"
        + " count(*) FILTER (WHERE p.operation = 'UPDATE'), count(*) FILTER (WHERE p.operation = 'DELETE'),"
        + " count(*) FILTER (WHERE p.operation = 'TRUNCATE') FROM (" + picked + ") p GROUP BY 1, 2 ORDER BY 1, 2";
    String statementSql = "SELECT \"" + schema + "\".replay_changes_sql(ARRAY(SELECT p.id FROM (" + picked + ") p), false, ?::jsonb)";
    try (Connection c = destination.getConnection()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      try {
        List<Count> counts = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(countsSql)) {
          bind(c, ps, selection);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              counts.add(new Count(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6)));
            }
          }
        }
        if (counts.isEmpty()) {
          return new Plan(selection, counts, null, "No recorded change matches " + selection.describe() + ".");
        }
        try (PreparedStatement ps = c.prepareStatement(statementSql)) {
          int next = bind(c, ps, selection);
          ps.setString(next, replayOf(selection));
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new Plan(selection, counts, rs.getString(1), null);
          }
        } catch (SQLException e) {
          return new Plan(selection, counts, null,
              "The replay functions refused (SQL state " + e.getSQLState() + "): " + e.getMessage());
        }
      } finally {
        c.rollback();
      }
    } catch (SQLException e) {
      throw new DataAccessException("Could not plan the replay with " + schema + ".replay_changes_sql", e);
    }
  }

  /** The condition on a change (alias c) that selects it; its parameters are bound by {@link #bind}. */
  private String condition(Selection selection) {
    if (selection instanceof Range) {
      String parts = "\"" + schema + "\".table_name_parts(x)";
      return "c.committed_at >= ? AND c.committed_at < ? AND (cardinality(?::text[]) = 0 OR EXISTS (SELECT 1 FROM"
          + " unnest(?::text[]) x WHERE c.schema = (" + parts + ").schema_name AND c.\"table\" = (" + parts + ").table_name))";
    }
    RevertTarget target = ((Target) selection).target();
    if (target instanceof RevertTarget.OneChange) {
      return "c.id = ?::uuid";
    } else if (target instanceof RevertTarget.Transaction) {
      return "c.commit_lsn = ?";
    } else if (target instanceof RevertTarget.Context) {
      return "c.context @> ?::jsonb";
    }
    throw new IllegalArgumentException("resolve " + target.describe() + " to its commit LSN first");
  }

  /** Binds the selection's parameters, its source last, from index 1; returns the next free index. */
  private static int bind(Connection c, PreparedStatement ps, Selection selection) throws SQLException {
    int next;
    if (selection instanceof Range r) {
      ps.setObject(1, utc(r.from()));
      ps.setObject(2, utc(r.to()));
      Array tables = c.createArrayOf("text", r.tables().toArray());
      ps.setArray(3, tables);
      ps.setArray(4, tables);
      next = 5;
    } else {
      RevertTarget target = ((Target) selection).target();
      if (target instanceof RevertTarget.Transaction tx) {
        ps.setLong(1, tx.commitLsn());
      } else {
        ps.setString(1, target.parameterValue()); // a change id or a context JSON document
      }
      next = 2;
    }
    ps.setString(next, selection.source());
    ps.setString(next + 1, selection.source());
    return next + 2;
  }

  /** The statement's replayOf context: what was selected. */
  private static String replayOf(Selection selection) {
    if (selection instanceof Range r) {
      StringBuilder json = new StringBuilder("{\"from\": \"").append(r.from()).append("\", \"to\": \"").append(r.to())
          .append("\", \"tables\": [");
      for (int i = 0; i < r.tables().size(); i++) {
        JsonStrings.append(json.append(i > 0 ? ", " : ""), r.tables().get(i));
      }
      json.append(']');
      if (r.source() != null && !r.source().isEmpty()) {
        JsonStrings.append(json.append(", \"source\": "), r.source());
      }
      return json.append('}').toString();
    }
    return ((Target) selection).target().revertOfJson();
  }

  private static OffsetDateTime utc(Instant at) {
    return at.atOffset(ZoneOffset.UTC);
  }
}

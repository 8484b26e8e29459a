package io.bemi.dashboard.restore;

import io.bemi.dashboard.changes.BadRequestException;
import io.bemi.dashboard.changes.DataAccessException;
import io.bemi.history.BemiChanges;
import io.bemi.history.RestoreCount;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "Restore these tables to an instant" over bemi-sql's restore functions (R__4_restore.sql):
 * {@code restore_counts} is the dry run, {@code restore_tables_sql} the statement for the source,
 * {@code restore_plan_digest} the plan's identity. Execution recomputes the digest and refuses
 * when the plan is no longer the one previewed; the digest and the statement are read in one
 * query (one snapshot), so the statement run is exactly the plan compared.
 */
public final class RestoreService {

  private static final Logger log = LoggerFactory.getLogger(RestoreService.class);

  private final DataSource destination;
  private final String schema;
  private final DataSource source; // null: execution disabled
  private final Clock clock;
  private final BemiChanges trail;

  public RestoreService(DataSource destination, String schema, DataSource source, Clock clock) {
    this.destination = destination;
    this.schema = schema;
    this.trail = BemiChanges.of(destination, schema);
    this.source = source;
    this.clock = clock;
  }

  /** The preview: counts, the statement (or why there is none) and the plan's identity; of one source's changes. */
  public record Plan(List<String> tables, Instant at, String source, List<RestoreCount> counts, String sql, String digest, String unavailableReason,
      boolean executable) {

    public long total() {
      return counts.stream().mapToLong(RestoreCount::total).sum();
    }
  }

  public record Result(long rows, boolean forced) {}

  /** A table the trail has no change of (a typo, or not tracked): restoring it would be an empty plan that "succeeds". */
  public static final class UnknownTableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnknownTableException(List<String> tables) {
      super("The trail has no change of " + String.join(", ", tables) + ": check the name (schema.table) among the"
          + " trail's tables (GET /api/tables), or whether the table is tracked");
    }
  }

  /** The plan changed since the preview: nothing was run. */
  public static final class PlanChangedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PlanChangedException() {
      super("The restore plan changed since the preview (changes were stored since). Nothing was run; reload the preview"
          + " and review it again.");
    }
  }

  public boolean canExecute() {
    return source != null;
  }

  /** {@code ofSource}: whose changes (the state of a table is one source's); null: the only source (BM008 when several). */
  public Plan preview(List<String> tables, Instant at, String ofSource) {
    check(tables, at);
    checkKnown(tables);
    List<RestoreCount> counts;
    try {
      counts = trail.restoreCounts(tables, at, ofSource);
    } catch (SQLException e) {
      throw new DataAccessException("Could not plan the restore with " + schema + ".restore_counts", e);
    }
    try {
      Statement statement = statement(tables, at, ofSource, false);
      String reason = canExecute() ? null : "Preview only: start the dashboard with --source-url to execute restores.";
      return new Plan(List.copyOf(tables), at, ofSource, counts, statement.sql(), statement.digest(), reason, canExecute());
    } catch (SQLException e) {
      return new Plan(List.copyOf(tables), at, ofSource, counts, null, null,
          "The restore functions refused (SQL state " + e.getSQLState() + "): " + e.getMessage(), false);
    }
  }

  /** Runs the previewed restore on the source; refused when the plan is not the one whose digest is given. */
  public Result execute(List<String> tables, Instant at, String ofSource, String digest, boolean force) {
    check(tables, at);
    checkKnown(tables);
    if (!canExecute()) {
      throw new BadRequestException("Restores are preview-only: start the dashboard with --source-url to execute them");
    }
    if (digest == null || digest.isBlank()) {
      throw new BadRequestException("plan is required: send the plan digest of the preview you reviewed");
    }
    Statement statement;
    try {
      statement = statement(tables, at, ofSource, force);
    } catch (SQLException e) {
      throw new BadRequestException("The restore functions refused (SQL state " + e.getSQLState() + "): " + e.getMessage());
    }
    if (!statement.digest().equals(digest.trim())) {
      throw new PlanChangedException();
    }
    try (Connection c = source.getConnection(); java.sql.Statement s = c.createStatement()) {
      c.setAutoCommit(true); // one atomic DO statement
      s.execute(statement.sql());
    } catch (SQLException e) {
      String hint = "BM001".equals(e.getSQLState()) ? " A row changed on the source since the trail was read; reload the preview." : "";
      throw new DataAccessException("The restore failed on the source and was rolled back; nothing changed." + hint, e);
    }
    log.info("Restored {} to {} on the source (plan {}){}", tables, at, digest.substring(0, Math.min(12, digest.length())),
        force ? " (forced)" : "");
    return new Result(statement.rows(), force);
  }

  private record Statement(String sql, String digest, long rows) {}

  /** The digest, the statement and the planned rows, read in one query: one snapshot of the trail. */
  private Statement statement(List<String> tables, Instant at, String ofSource, boolean force) throws SQLException {
    String fn = "\"" + schema + "\".";
    String call = "SELECT " + fn + "restore_plan_digest(?, ?, ?::text), " + fn + "restore_tables_sql(?, ?, ?, ?::jsonb, ?::text),"
        + " (SELECT count(*) FROM " + fn + "restore_plan(?, ?, ?::text))";
    try (Connection c = destination.getConnection(); PreparedStatement ps = c.prepareStatement(call)) {
      java.sql.Array array = c.createArrayOf("text", tables.toArray());
      ps.setArray(1, array);
      ps.setObject(2, utc(at));
      ps.setString(3, ofSource);
      ps.setArray(4, array);
      ps.setObject(5, utc(at));
      ps.setBoolean(6, force);
      ps.setString(7, "{\"restoredVia\": \"bemi-dashboard\", \"requestedAt\": \"" + clock.instant() + "\"}");
      ps.setString(8, ofSource);
      ps.setArray(9, array);
      ps.setObject(10, utc(at));
      ps.setString(11, ofSource);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Statement(rs.getString(2), rs.getString(1), rs.getLong(3));
      }
    }
  }

  private static void check(List<String> tables, Instant at) {
    if (tables.isEmpty()) {
      throw new BadRequestException("table is required (schema.table; repeat it to restore several tables together)");
    }
    if (at == null) {
      throw new BadRequestException("at is required: the instant to restore the tables to");
    }
  }

  /** Refuses tables of which the trail holds no change (the activity rollup counts every stored change). */
  private void checkKnown(List<String> tables) {
    String sql = "SELECT t FROM unnest(?::text[]) WITH ORDINALITY u(t, n) WHERE NOT EXISTS (SELECT FROM " + schema
        + ".activity a, " + schema + ".table_name_parts(u.t) p WHERE a.schema = p.schema_name AND a.\"table\" = p.table_name)"
        + " ORDER BY n";
    List<String> unknown = new ArrayList<>();
    try (Connection c = destination.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setArray(1, c.createArrayOf("text", tables.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          unknown.add(rs.getString(1));
        }
      }
    } catch (SQLException e) {
      throw new DataAccessException("Could not look the tables up in " + schema + ".activity", e);
    }
    if (!unknown.isEmpty()) {
      throw new UnknownTableException(unknown);
    }
  }

  private static OffsetDateTime utc(Instant at) {
    return at.atOffset(ZoneOffset.UTC);
  }
}

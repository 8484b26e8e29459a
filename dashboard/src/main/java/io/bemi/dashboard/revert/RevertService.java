package io.bemi.dashboard.revert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bemi.dashboard.changes.BadRequestException;
import io.bemi.dashboard.changes.Change;
import io.bemi.dashboard.changes.ChangeRepository;
import io.bemi.dashboard.changes.DataAccessException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revert previews and execution over bemi-sql's revert functions (R__2_revert.sql):
 * {@code revert_plan(ids)} lists the steps and the conflicts the destination knows of
 * (the record changed again later); {@code revert_sql}, {@code revert_transaction_sql},
 * {@code revert_context_sql} write one self-contained {@code DO} statement for the source, which
 * emits the {@code _bemi} context {@code {"revertOf": …}} first (so the revert is itself audited),
 * re-checks every row when it runs and raises SQLSTATE BM001 on a conflict unless forced.
 *
 * <p>The dashboard only reads the destination; executing runs that statement on the separately
 * configured source.
 */
public final class RevertService {

  private static final Logger log = LoggerFactory.getLogger(RevertService.class);
  static final int MAX_CHANGES = 1000;

  private final ChangeRepository changes;
  private final DataSource destination;
  private final String schema;
  private final DataSource source; // null: execution disabled
  private final ObjectMapper json;
  private final Clock clock;

  public RevertService(ChangeRepository changes, DataSource destination, String schema, DataSource source,
      ObjectMapper json, Clock clock) {
    this.changes = changes;
    this.destination = destination;
    this.schema = schema;
    this.source = source;
    this.json = json;
    this.clock = clock;
  }

  public static RevertTarget target(String change, String transaction, String context) {
    return RevertTarget.parse(change, transaction, context);
  }

  public boolean canExecute() {
    return source != null;
  }

  /** The steps, conflicts and SQL of a revert; generated with force when there are conflicts. */
  public RevertPlan preview(RevertTarget target) {
    List<Change> selected = select(target);
    if (!functionsInstalled()) {
      return new RevertPlan(target, selected.stream().map(c -> new RevertPlan.Step(c, "", false, null)).toList(),
          null, false, "The destination has no " + schema + ".revert_plan function: run the ingester's migrations"
              + " (bemi-sql) to install the time-travel and revert functions.", false);
    }
    List<RevertPlan.Step> steps = steps(selected);
    boolean conflicts = steps.stream().anyMatch(RevertPlan.Step::conflict);
    String sql;
    String reason = null;
    try {
      sql = revertSql(target, conflicts);
    } catch (SQLException e) {
      sql = null;
      reason = "The revert functions refused (SQL state " + e.getSQLState() + "): " + e.getMessage();
    }
    if (reason == null && !canExecute()) {
      reason = "Preview only: start the dashboard with --source-url to execute reverts.";
    }
    return new RevertPlan(target, steps, sql, sql != null && conflicts, reason, sql != null && canExecute());
  }

  /**
   * Runs the revert on the source. Refuses when conflicts are known unless {@code force}; the
   * caller has checked the confirmation (and, for cookie sessions, the CSRF token).
   */
  public ExecutionResult execute(RevertTarget target, boolean force) {
    if (!canExecute()) {
      throw new BadRequestException("Reverts are preview-only: start the dashboard with --source-url to execute them");
    }
    RevertPlan plan = preview(target);
    if (plan.hasConflicts() && !force) {
      throw new BadRequestException(plan.conflictCount() + " change(s) conflict (their record changed later);"
          + " review the preview and confirm with force to overwrite the later changes");
    }
    if (plan.sql() == null) {
      throw new BadRequestException(plan.unavailableReason());
    }
    try (Connection c = source.getConnection(); Statement s = c.createStatement()) {
      c.setAutoCommit(true); // the DO statement is one atomic statement
      s.execute(plan.sql());
    } catch (SQLException e) {
      String hint = "BM001".equals(e.getSQLState())
          ? " A row changed on the source since the trail was read; reload the preview."
          : "";
      throw new DataAccessException("The revert failed on the source and was rolled back; nothing changed." + hint, e);
    }
    log.info("Reverted {} ({} changes) on the source{}", target.describe(), plan.steps().size(), force ? " (forced)" : "");
    return new ExecutionResult(plan.steps().size(), plan.forced(), revertContext().toString());
  }

  public record ExecutionResult(int changesReverted, boolean forced, String context) {}

  /** A target that selects nothing (unknown change id, empty transaction). */
  public static final class NotFoundException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
      super(message);
    }
  }

  public static String describe(RevertTarget target) {
    return target.describe();
  }

  private List<Change> select(RevertTarget target) {
    List<Change> selected;
    if (target instanceof RevertTarget.OneChange one) {
      selected = changes.find(one.changeId()).map(List::of).orElse(List.of());
    } else if (target instanceof RevertTarget.Transaction tx) {
      selected = changes.transaction(tx.transactionId(), MAX_CHANGES);
    } else {
      selected = changes.withContext(((RevertTarget.Context) target).contextJson(), MAX_CHANGES);
    }
    if (selected.isEmpty()) {
      throw new NotFoundException("Nothing to revert: no change matches " + target.describe());
    }
    return selected;
  }

  private List<RevertPlan.Step> steps(List<Change> selected) {
    Map<UUID, Change> byId = new HashMap<>();
    selected.forEach(c -> byId.put(c.id(), c));
    String sql = "SELECT change_id, action, coalesce(conflict, false), conflict_reason FROM \"" + schema
        + "\".revert_plan(?) ORDER BY step";
    List<RevertPlan.Step> steps = new ArrayList<>();
    try (Connection c = destination.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      Array ids = c.createArrayOf("uuid", byId.keySet().toArray());
      ps.setArray(1, ids);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Change change = byId.get(rs.getObject(1, UUID.class));
          steps.add(new RevertPlan.Step(change, rs.getString(2), rs.getBoolean(3), rs.getString(4)));
        }
      }
    } catch (SQLException e) {
      throw new DataAccessException("Could not plan the revert with " + schema + ".revert_plan", e);
    }
    return steps;
  }

  private boolean functionsInstalled() {
    try (Connection c = destination.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT to_regproc(?) IS NOT NULL AND to_regproc(?) IS NOT NULL")) {
      ps.setString(1, "\"" + schema + "\".revert_plan");
      ps.setString(2, "\"" + schema + "\".revert_changes_sql");
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    } catch (SQLException e) {
      throw new DataAccessException("Could not look for the revert functions", e);
    }
  }

  private String revertSql(RevertTarget target, boolean force) throws SQLException {
    String call = "SELECT \"" + schema + "\"." + target.function() + "(" + target.parameter() + ", ?, ?::jsonb)";
    try (Connection c = destination.getConnection(); PreparedStatement ps = c.prepareStatement(call)) {
      ps.setObject(1, target.argument());
      ps.setBoolean(2, force);
      ps.setString(3, revertContext().toString());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** Merged into the revert's {@code _bemi} context next to {@code revertOf}. */
  private ObjectNode revertContext() {
    ObjectNode context = json.createObjectNode();
    context.put("revertedVia", "bemi-dashboard");
    context.put("requestedAt", clock.instant().toString());
    return context;
  }
}

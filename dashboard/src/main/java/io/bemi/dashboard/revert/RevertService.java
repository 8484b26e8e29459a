package io.bemi.dashboard.revert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bemi.dashboard.changes.BadRequestException;
import io.bemi.dashboard.changes.Change;
import io.bemi.dashboard.changes.ChangeRepository;
import io.bemi.dashboard.changes.DataAccessException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revert previews and execution. The revert SQL comes from the destination's time-travel
 * functions ({@code revert_sql}, {@code revert_transaction_sql}, {@code revert_context_sql} from
 * bemi-sql); conflicts are found here from the trail (the record changed again later). Executing
 * runs the SQL on the separately configured source, in one transaction that first emits a
 * {@code _bemi} context naming what was reverted, so the revert is itself audited.
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

  public RevertPlan preview(RevertTarget target, boolean force) {
    List<Change> selected;
    if (target instanceof RevertTarget.OneChange one) {
      selected = changes.find(one.changeId()).map(List::of).orElse(List.of());
    } else if (target instanceof RevertTarget.Transaction tx) {
      selected = changes.transaction(tx.transactionId(), MAX_CHANGES);
    } else {
      selected = changes.withContext(((RevertTarget.Context) target).contextJson(), MAX_CHANGES);
    }
    if (selected.isEmpty()) {
      throw new NotFoundException("Nothing to revert: no change matches " + describe(target));
    }
    Set<UUID> conflicts = changes.changedSince(selected.stream().map(Change::id).toList());
    Optional<String> missing = missingFunction(target);
    if (missing.isPresent()) {
      return new RevertPlan(target, selected, conflicts, null, "The destination has no " + missing.get()
          + " function: install the bemi-sql time-travel functions (they come with the ingester's migrations).", false);
    }
    String sql = revertSql(target, force);
    String reason = null;
    if (sql == null || sql.isBlank()) {
      reason = "The revert functions produced no SQL (nothing left to undo).";
    } else if (!canExecute()) {
      reason = "Preview only: start the dashboard with --source-url to execute reverts.";
    }
    return new RevertPlan(target, selected, conflicts, sql, reason, reason == null);
  }

  /**
   * Runs the revert on the source. Refuses when conflicts exist unless {@code force}; the caller
   * has checked the confirmation and CSRF token.
   */
  public ExecutionResult execute(RevertTarget target, boolean force) {
    if (!canExecute()) {
      throw new BadRequestException("Reverts are preview-only: start the dashboard with --source-url to execute them");
    }
    RevertPlan plan = preview(target, force);
    if (plan.hasConflicts() && !force) {
      throw new BadRequestException(plan.conflicts().size() + " change(s) conflict (their record changed later);"
          + " review the preview and confirm with force to overwrite");
    }
    if (plan.sql() == null || plan.sql().isBlank()) {
      throw new BadRequestException(plan.unavailableReason());
    }
    ObjectNode context = json.createObjectNode();
    context.put("bemiRevert", true);
    if (target instanceof RevertTarget.Context ctx) {
      context.set(target.contextKey(), readJson(ctx.contextJson()));
    } else {
      context.putPOJO(target.contextKey(), target.argument());
    }
    context.put("revertedChanges", plan.changes().size());
    context.put("via", "bemi-dashboard");
    context.put("at", clock.instant().toString());
    try (Connection c = source.getConnection()) {
      c.setAutoCommit(false);
      try {
        try (PreparedStatement emit = c.prepareStatement("SELECT pg_logical_emit_message(true, '_bemi', ?)")) {
          emit.setString(1, context.toString());
          emit.execute();
        }
        int statements = 0;
        try (Statement s = c.createStatement()) {
          boolean result = s.execute(plan.sql());
          while (result || s.getUpdateCount() != -1) {
            statements++;
            result = s.getMoreResults();
          }
        }
        c.commit();
        log.info("Reverted {} ({} changes) on the source", describe(target), plan.changes().size());
        return new ExecutionResult(plan.changes().size(), statements, context.toString());
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new DataAccessException("The revert failed on the source and was rolled back; nothing changed", e);
    }
  }

  public record ExecutionResult(int changesReverted, int statements, String context) {}

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

  private Optional<String> missingFunction(RevertTarget target) {
    String name = schema + "." + target.function();
    try (Connection c = destination.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT to_regproc(?) IS NOT NULL")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1) ? Optional.empty() : Optional.of(name);
      }
    } catch (SQLException e) {
      throw new DataAccessException("Could not look for " + name, e);
    }
  }

  private String revertSql(RevertTarget target, boolean force) {
    String fn = "\"" + schema + "\"." + target.function();
    String call = "SELECT " + fn + "(" + target.parameter() + ", ?)";
    Object arg = target.argument();
    try (Connection c = destination.getConnection(); PreparedStatement ps = c.prepareStatement(call)) {
      ps.setObject(1, arg);
      ps.setBoolean(2, force);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    } catch (SQLException e) {
      throw new DataAccessException("Could not build the revert SQL with " + fn, e);
    }
  }

  private com.fasterxml.jackson.databind.JsonNode readJson(String text) {
    try {
      return json.readTree(text);
    } catch (java.io.IOException e) {
      throw new BadRequestException("context is not valid JSON: " + e.getMessage());
    }
  }
}

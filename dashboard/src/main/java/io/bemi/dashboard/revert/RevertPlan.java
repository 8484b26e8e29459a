package io.bemi.dashboard.revert;

import io.bemi.dashboard.changes.Change;
import java.util.List;

/**
 * The preview of a revert: its steps (newest change first, as {@code revert_plan} orders them),
 * which conflict, and the statement {@code revert_*_sql} wrote — or why there is none.
 * {@code forced} says the SQL was generated with {@code p_force} because of conflicts: running it
 * overwrites the later changes.
 */
public record RevertPlan(
    RevertTarget target,
    List<Step> steps,
    String sql,
    boolean forced,
    String unavailableReason,
    boolean executable) {

  /** One change to undo: what will be done, and the conflict the destination already knows of. */
  public record Step(Change change, String action, boolean conflict, String conflictReason) {}

  public boolean hasConflicts() {
    return steps.stream().anyMatch(Step::conflict);
  }

  public List<Change> changes() {
    return steps.stream().map(Step::change).toList();
  }

  /** True when the target has more changes than the preview lists (the SQL still covers all). */
  public boolean truncated() {
    return steps.size() >= RevertService.MAX_CHANGES;
  }

  public long conflictCount() {
    return steps.stream().filter(Step::conflict).count();
  }
}

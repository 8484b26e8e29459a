package io.bemi.dashboard.revert;

import io.bemi.history.Change;
import java.util.List;

/**
 * The preview of a revert: its steps (newest change first, as {@code revert_plan} orders them;
 * the first {@link RevertService#MAX_LISTED} are listed), which conflict, the statement
 * {@code revert_changes_sql} wrote — or why there is none — and the plan's identity.
 *
 * @param digest {@code plan_digest} of every change id the revert covers: execution must send it
 *     back and is refused when the target now selects other changes
 * @param changeCount every change the revert covers (may exceed the listed steps)
 * @param conflictCount conflicts the destination knows of among all of them
 * @param needsCountConfirmation more changes than the configured maximum: execution needs
 *     {@code confirmChanges=<changeCount>}
 * @param forced the SQL was generated with {@code p_force} because of conflicts: running it
 *     overwrites the later changes
 */
public record RevertPlan(
    RevertTarget target,
    List<Step> steps,
    String sql,
    boolean forced,
    String unavailableReason,
    boolean executable,
    String digest,
    int changeCount,
    long conflictCount,
    boolean needsCountConfirmation) {

  /** One change to undo: what will be done, and the conflict the destination already knows of. */
  public record Step(Change change, String action, boolean conflict, String conflictReason) {}

  public boolean hasConflicts() {
    return conflictCount > 0;
  }

  public List<Change> changes() {
    return steps.stream().map(Step::change).toList();
  }

  /** True when the target has more changes than the preview lists (the SQL still covers all). */
  public boolean truncated() {
    return changeCount > steps.size();
  }
}

package io.bemi.dashboard.revert;

import io.bemi.dashboard.changes.Change;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The preview of a revert: the changes it undoes (newest first), which of them conflict (their
 * record changed again later, outside this revert), and the SQL the destination's
 * {@code revert_*_sql} functions produced — or why there is none.
 */
public record RevertPlan(
    RevertTarget target,
    List<Change> changes,
    Set<UUID> conflicts,
    String sql,
    String unavailableReason,
    boolean executable) {

  public boolean hasConflicts() {
    return !conflicts.isEmpty();
  }
}

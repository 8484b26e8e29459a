package io.bemi.history;

import java.time.Instant;
import java.util.UUID;

/**
 * One step of a revert, in the order the revert runs (newest change first).
 *
 * @param action what the step does, e.g. "delete the row"
 * @param conflict true when the destination already knows the row changed after this change
 *     (outside the reverted set); null when it cannot tell (table without a key). The revert
 *     statement checks every row again when it runs.
 */
public record RevertStep(
    int step,
    UUID changeId,
    Operation operation,
    String schema,
    String table,
    String primaryKey,
    Instant committedAt,
    String action,
    Boolean conflict,
    String conflictReason) {}

package io.bemi.jdbc;

import java.util.List;

/**
 * What one SQL string does, worked out once per text (see {@link SqlText#plan}).
 *
 * @param flags {@link SqlText#WRITE}, {@link SqlText#TRANSACTION_CONTROL}, {@link SqlText#OTHER}
 * @param commands the transaction commands among its statements, in order
 */
record SqlPlan(int flags, List<TransactionCommand> commands) {

  static final SqlPlan NOTHING = new SqlPlan(0, List.of());

  boolean writes() {
    return (flags & SqlText.WRITE) != 0;
  }

  /** Whether the context goes before it: a write, or under {@code bemi.contextFor=all} anything but control. */
  boolean wantsContext(BemiOptions options) {
    return (flags & SqlText.WRITE) != 0 || (options.allStatements() && (flags & SqlText.OTHER) != 0);
  }

  /** Whether running it ends the transaction with a commit (a deferred message must be in before it). */
  boolean commits() {
    for (TransactionCommand command : commands) {
      if (command.kind() == TransactionCommand.Kind.COMMIT || command.kind() == TransactionCommand.Kind.PREPARE) {
        return true;
      }
    }
    return false;
  }

  SqlPlan plus(SqlPlan other) {
    if (other.flags == 0 && other.commands.isEmpty()) {
      return this;
    }
    List<TransactionCommand> all = new java.util.ArrayList<>(commands);
    all.addAll(other.commands);
    return new SqlPlan(flags | other.flags, List.copyOf(all));
  }
}

package io.bemi.dashboard.revert;

import io.bemi.dashboard.changes.BadRequestException;
import io.bemi.sql.Lsn;
import java.util.Optional;
import java.util.UUID;

/**
 * What to revert: one change, one transaction (by its commit LSN; an xid is accepted as a
 * convenience and resolved to its one commit LSN, or refused when it names several), or
 * everything one context value did.
 */
public sealed interface RevertTarget {

  /** For people and logs: {@code change 5f…}, {@code transaction 0/16B3748}, {@code context {…}}. */
  String describe();

  /** The request parameter naming this kind of target: change, transaction or context. */
  String parameterName();

  /** The parameter's value, as a preview form sends it back. */
  String parameterValue();

  /** {@code revertOf} in the revert's own {@code _bemi} context (JSON object text). */
  String revertOfJson();

  record OneChange(UUID changeId) implements RevertTarget {
    public String describe() { return "change " + changeId; }
    public String parameterName() { return "change"; }
    public String parameterValue() { return changeId.toString(); }
    public String revertOfJson() { return "{\"changeId\": \"" + changeId + "\"}"; }
  }

  /** One transaction, identified by its commit LSN. */
  record Transaction(long commitLsn) implements RevertTarget {
    public String describe() { return "transaction " + Lsn.text(commitLsn); }
    public String parameterName() { return "transaction"; }
    public String parameterValue() { return Lsn.text(commitLsn); }
    public String revertOfJson() { return "{\"commitLsn\": \"" + Lsn.text(commitLsn) + "\"}"; }
  }

  /** A transaction named by its xid: resolved by {@link RevertService} before anything is planned. */
  record TransactionXid(long transactionId) implements RevertTarget {
    public String describe() { return "transaction xid " + transactionId; }
    public String parameterName() { return "transaction"; }
    public String parameterValue() { return Long.toString(transactionId); }
    public String revertOfJson() { return "{\"transactionId\": " + transactionId + "}"; }
  }

  /** A context document such as {@code {"requestId":"r-1"}}, matched by containment. */
  record Context(String contextJson) implements RevertTarget {
    public String describe() { return "context " + contextJson; }
    public String parameterName() { return "context"; }
    public String parameterValue() { return contextJson; }
    public String revertOfJson() { return "{\"context\": " + contextJson + "}"; }
  }

  /** From request parameters {@code change}, {@code transaction} or {@code context} (exactly one). */
  static RevertTarget of(String change, String transaction, String context) {
    int given = (change == null ? 0 : 1) + (transaction == null ? 0 : 1) + (context == null ? 0 : 1);
    if (given != 1) {
      throw new BadRequestException("give exactly one of change (a change id), transaction (a commit LSN such as 0/16B3748)"
          + " or context (a JSON object)");
    }
    if (change != null) {
      try {
        return new OneChange(UUID.fromString(change.trim()));
      } catch (IllegalArgumentException e) {
        throw new BadRequestException("change '" + change + "' is not a change id (a UUID)");
      }
    }
    if (transaction != null) {
      Optional<Lsn> lsn = Lsn.tryParse(transaction.trim());
      if (lsn.isPresent()) {
        return new Transaction(lsn.get().value());
      }
      try {
        return new TransactionXid(Long.parseLong(transaction.trim()));
      } catch (NumberFormatException e) {
        throw new BadRequestException("transaction '" + transaction + "' is neither a commit LSN (such as 0/16B3748) nor an xid");
      }
    }
    return new Context(context.trim());
  }

  static RevertTarget parse(String change, String transaction, String context) {
    return of(blankToNull(change), blankToNull(transaction), blankToNull(context));
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}

package io.bemi.dashboard.revert;

import io.bemi.dashboard.changes.BadRequestException;
import java.util.UUID;

/** What to revert: one change, one transaction, or everything one context value did. */
public sealed interface RevertTarget {

  /** The bemi-sql function that writes this target's revert SQL, e.g. {@code revert_sql}. */
  String function();

  /** The function's first argument with its SQL cast, e.g. {@code ?::uuid}. */
  String parameter();

  Object argument();

  /** For people and logs: {@code change 5f…}, {@code transaction 812}, {@code context {…}}. */
  String describe();

  /** The request parameter naming this kind of target: change, transaction or context. */
  String parameterName();

  /** The key naming this target in the revert's own {@code _bemi} context. */
  String contextKey();

  record OneChange(UUID changeId) implements RevertTarget {
    public String function() { return "revert_sql"; }
    public String parameter() { return "?::uuid"; }
    public Object argument() { return changeId.toString(); }
    public String describe() { return "change " + changeId; }
    public String contextKey() { return "revertedChangeId"; }
    public String parameterName() { return "change"; }
  }

  record Transaction(long transactionId) implements RevertTarget {
    public String function() { return "revert_transaction_sql"; }
    public String parameter() { return "?::bigint"; }
    public Object argument() { return transactionId; }
    public String describe() { return "transaction " + transactionId; }
    public String contextKey() { return "revertedTransactionId"; }
    public String parameterName() { return "transaction"; }
  }

  /** A context document such as {@code {"requestId":"r-1"}}, matched by containment. */
  record Context(String contextJson) implements RevertTarget {
    public String function() { return "revert_context_sql"; }
    public String parameter() { return "?::jsonb"; }
    public Object argument() { return contextJson; }
    public String describe() { return "context " + contextJson; }
    public String contextKey() { return "revertedContext"; }
    public String parameterName() { return "context"; }
  }

  /** From request parameters {@code change}, {@code transaction} or {@code context} (exactly one). */
  static RevertTarget of(String change, String transaction, String context) {
    int given = (change == null ? 0 : 1) + (transaction == null ? 0 : 1) + (context == null ? 0 : 1);
    if (given != 1) {
      throw new BadRequestException("give exactly one of change (a change id), transaction (an id) or context (a JSON object)");
    }
    if (change != null) {
      try {
        return new OneChange(UUID.fromString(change.trim()));
      } catch (IllegalArgumentException e) {
        throw new BadRequestException("change '" + change + "' is not a change id (a UUID)");
      }
    }
    if (transaction != null) {
      try {
        return new Transaction(Long.parseLong(transaction.trim()));
      } catch (NumberFormatException e) {
        throw new BadRequestException("transaction '" + transaction + "' is not a transaction id (a whole number)");
      }
    }
    String c = context.trim();
    if (!c.startsWith("{") || !c.endsWith("}") || c.length() < 3) {
      throw new BadRequestException("context '" + context + "' must be a non-empty JSON object, e.g. {\"requestId\":\"r-1\"}");
    }
    return new Context(c);
  }

  static RevertTarget parse(String change, String transaction, String context) {
    return of(blankToNull(change), blankToNull(transaction), blankToNull(context));
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}

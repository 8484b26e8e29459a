package io.bemi.dashboard.revert;

import io.bemi.dashboard.changes.BadRequestException;
import io.bemi.dashboard.changes.SeveralSourcesException;
import io.bemi.sql.JsonStrings;
import io.bemi.sql.Lsn;
import java.util.Optional;
import java.util.UUID;

/**
 * What to revert: one change, one transaction (by its commit LSN; an xid is accepted as a
 * convenience and resolved to its one commit LSN, or refused when it names several), or
 * everything one context value did. A transaction and a context are one source's
 * ({@code changes.source}): two sources' commit LSNs and contexts can be equal.
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

  /** The source whose changes the target selects; null: not named (a change names its own). */
  default String source() {
    return null;
  }

  record OneChange(UUID changeId) implements RevertTarget {
    public String describe() { return "change " + changeId; }
    public String parameterName() { return "change"; }
    public String parameterValue() { return changeId.toString(); }
    public String revertOfJson() { return "{\"changeId\": \"" + changeId + "\"}"; }
  }

  /** One transaction, identified by its commit LSN and its source (null: not named yet). */
  record Transaction(long commitLsn, String source) implements RevertTarget {
    public String describe() { return "transaction " + Lsn.text(commitLsn) + ofSource(source); }
    public String parameterName() { return "transaction"; }
    public String parameterValue() { return Lsn.text(commitLsn); }
    public String revertOfJson() { return withSource("{\"commitLsn\": \"" + Lsn.text(commitLsn) + "\"", source); }
  }

  /** A transaction named by its xid: resolved by {@link RevertService} before anything is planned. */
  record TransactionXid(long transactionId) implements RevertTarget {
    public String describe() { return "transaction xid " + transactionId; }
    public String parameterName() { return "transaction"; }
    public String parameterValue() { return Long.toString(transactionId); }
    public String revertOfJson() { return "{\"transactionId\": " + transactionId + "}"; }
  }

  /** A context document such as {@code {"requestId":"r-1"}}, matched by containment, in one source (null: not named yet). */
  record Context(String contextJson, String source) implements RevertTarget {
    public String describe() { return "context " + contextJson + ofSource(source); }
    public String parameterName() { return "context"; }
    public String parameterValue() { return contextJson; }
    public String revertOfJson() { return withSource("{\"context\": " + contextJson, source); }
  }

  /** " of source 'eu-1'" when the source is named and not the unnamed '' (then nothing, as with one source). */
  private static String ofSource(String source) {
    return source == null || source.isEmpty() ? "" : " of source " + SeveralSourcesException.quoted(source);
  }

  /** Closes a revertOf object, adding {@code "source"} when it is named (not '', the single unnamed source). */
  private static String withSource(String json, String source) {
    StringBuilder out = new StringBuilder(json);
    if (source != null && !source.isEmpty()) {
      JsonStrings.append(out.append(", \"source\": "), source);
    }
    return out.append('}').toString();
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
        return new Transaction(lsn.get().value(), null);
      }
      try {
        return new TransactionXid(Long.parseLong(transaction.trim()));
      } catch (NumberFormatException e) {
        throw new BadRequestException("transaction '" + transaction + "' is neither a commit LSN (such as 0/16B3748) nor an xid");
      }
    }
    return new Context(context.trim(), null);
  }

  static RevertTarget parse(String change, String transaction, String context) {
    return of(blankToNull(change), blankToNull(transaction), blankToNull(context));
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}

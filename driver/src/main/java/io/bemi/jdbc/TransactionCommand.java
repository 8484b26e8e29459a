package io.bemi.jdbc;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A statement that moves the transaction, as PostgreSQL reads it:
 *
 * <pre>
 * BEGIN | START TRANSACTION                     → BEGIN
 * COMMIT | END [AND [NO] CHAIN]                 → COMMIT (chain: a new transaction starts at once)
 * ROLLBACK | ABORT [AND [NO] CHAIN]             → ROLLBACK
 * PREPARE TRANSACTION 'id'                      → PREPARE (the session's transaction ends)
 * SAVEPOINT name                                → SAVEPOINT
 * ROLLBACK | ABORT TO [SAVEPOINT] name          → ROLLBACK_TO
 * RELEASE [SAVEPOINT] name                      → RELEASE
 * COMMIT PREPARED, ROLLBACK PREPARED, PREPARE name AS …  → none (not this session's transaction)
 * </pre>
 *
 * @param savepoint the savepoint's name as PostgreSQL compares it (unquoted names folded to lower
 *     case, quoted ones exact), or null
 */
record TransactionCommand(Kind kind, String savepoint, boolean chain) {

  enum Kind { BEGIN, COMMIT, ROLLBACK, PREPARE, SAVEPOINT, ROLLBACK_TO, RELEASE }

  /** First words of statements that are never writes (some are not transaction commands either). */
  static final Set<String> WORDS =
      Set.of("BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "PREPARE", "SAVEPOINT", "RELEASE");

  static TransactionCommand of(Kind kind) {
    return new TransactionCommand(kind, null, false);
  }

  static TransactionCommand savepoint(Kind kind, String name) {
    return new TransactionCommand(kind, name, false);
  }

  /** The command that {@code tokens} (a statement's first words or quoted names) start, or null. */
  static TransactionCommand parse(List<String> tokens) {
    String first = word(tokens, 0);
    String second = word(tokens, 1);
    switch (first) {
      case "BEGIN":
        return of(Kind.BEGIN);
      case "START":
        return second.equals("TRANSACTION") ? of(Kind.BEGIN) : null;
      case "COMMIT", "END":
        return second.equals("PREPARED") ? null : new TransactionCommand(Kind.COMMIT, null, chain(tokens));
      case "ROLLBACK", "ABORT":
        if (second.equals("PREPARED")) {
          return null;
        }
        if (second.equals("TO")) {
          return savepoint(Kind.ROLLBACK_TO, name(tokens, word(tokens, 2).equals("SAVEPOINT") ? 3 : 2));
        }
        return new TransactionCommand(Kind.ROLLBACK, null, chain(tokens));
      case "PREPARE":
        return second.equals("TRANSACTION") ? of(Kind.PREPARE) : null;
      case "SAVEPOINT":
        return savepoint(Kind.SAVEPOINT, name(tokens, 1));
      case "RELEASE":
        return savepoint(Kind.RELEASE, name(tokens, second.equals("SAVEPOINT") ? 2 : 1));
      default:
        return null;
    }
  }

  /** {@code AND CHAIN} (not {@code AND NO CHAIN}). */
  private static boolean chain(List<String> tokens) {
    return word(tokens, 1).equals("AND") && word(tokens, 2).equals("CHAIN");
  }

  private static String word(List<String> tokens, int index) {
    return index < tokens.size() ? tokens.get(index).toUpperCase(Locale.ROOT) : "";
  }

  /** A savepoint name as PostgreSQL compares it; "" when missing (the server rejects the statement). */
  static String name(List<String> tokens, int index) {
    return index < tokens.size() ? normalize(tokens.get(index)) : "";
  }

  static String normalize(String name) {
    if (name.length() >= 2 && name.charAt(0) == '"') {
      return name.substring(1, name.length() - 1).replace("\"\"", "\"");
    }
    return name.toLowerCase(Locale.ROOT);
  }
}

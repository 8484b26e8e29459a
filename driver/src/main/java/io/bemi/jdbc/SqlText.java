package io.bemi.jdbc;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a statement's text does, as far as context emission cares, and the placeholder escaping
 * needed to run a plain {@code Statement}'s SQL as part of a prepared statement.
 *
 * <p>The scanner skips what PostgreSQL and pgjdbc skip: whitespace, {@code --} and nested
 * {@code /* *}{@code /} comments, {@code '…'} and {@code E'…'} strings, {@code "…"} identifiers and
 * {@code $tag$…$tag$} strings. It looks at the first keyword of every statement (a string may hold
 * several, separated by top-level semicolons):
 *
 * <ul>
 *   <li>writes: {@code INSERT}, {@code UPDATE}, {@code DELETE}, {@code MERGE}, {@code TRUNCATE},
 *       {@code COPY … FROM}, {@code CALL}, {@code DO}, the JDBC escape {@code {call …}}, and
 *       {@code WITH}/{@code EXPLAIN} statements that contain one of the first four keywords
 *       anywhere (a data-modifying CTE, {@code EXPLAIN ANALYZE INSERT}; a false positive such as
 *       {@code FOR UPDATE} inside a CTE only costs a redundant message);
 *   <li>transaction control: the statements {@link TransactionCommand#parse} recognises;
 *   <li>everything else ({@code SELECT}, {@code VALUES}, {@code SET}, DDL…) is neither
 *       ({@link #OTHER} unless {@code SET}, {@code SHOW}, {@code RESET} or {@code COMMIT PREPARED}
 *       and its kin).
 * </ul>
 */
final class SqlText {

  static final int WRITE = 1;
  static final int TRANSACTION_CONTROL = 2;
  /** Neither a write nor transaction control nor SET/SHOW/RESET: gets context under {@code contextFor=all}. */
  static final int OTHER = 4;

  private static final Set<String> DML = Set.of("INSERT", "UPDATE", "DELETE", "MERGE");
  private static final Set<String> ALWAYS_WRITES = Set.of("INSERT", "UPDATE", "DELETE", "MERGE", "TRUNCATE", "CALL", "DO");
  private static final Set<String> SESSION_WORDS = Set.of("SET", "SHOW", "RESET");
  /** Leading tokens kept per statement: enough for {@code ROLLBACK TO SAVEPOINT name}. */
  private static final int LEADING_TOKENS = 4;

  private SqlText() {}

  /** A bit set of {@link #WRITE}, {@link #TRANSACTION_CONTROL} and {@link #OTHER}. */
  static int classify(String sql) {
    return plan(sql).flags();
  }

  /**
   * What {@code sql} does: its flags and, in order, the transaction commands among its statements
   * (see {@link TransactionCommand#parse}).
   */
  static SqlPlan plan(String sql) {
    int flags = 0;
    List<TransactionCommand> commands = List.of();
    int length = sql.length();
    int depth = 0;
    List<String> leading = new ArrayList<>(LEADING_TOKENS);
    boolean copyFrom = false;
    boolean dmlInside = false;
    int i = 0;
    while (i <= length) {
      if (i == length || (sql.charAt(i) == ';' && depth == 0)) {
        String first = leading.isEmpty() ? null : leading.get(0).toUpperCase(Locale.ROOT);
        flags |= statementFlags(first, copyFrom, dmlInside);
        TransactionCommand command = first == null ? null : TransactionCommand.parse(leading);
        if (command != null) {
          flags |= TRANSACTION_CONTROL;
          commands = commands.isEmpty() ? List.of(command) : append(commands, command);
        }
        leading.clear();
        copyFrom = false;
        dmlInside = false;
        depth = 0;
        i++;
        continue;
      }
      int end = skipQuotedOrComment(sql, i);
      if (end != i) {
        if (sql.charAt(i) == '"' && !leading.isEmpty() && leading.size() < LEADING_TOKENS) {
          leading.add(sql.substring(i, end)); // a quoted savepoint name
        }
        i = end;
        continue;
      }
      char c = sql.charAt(i);
      if (c == '(') {
        depth++;
        i++;
      } else if (c == ')') {
        depth = Math.max(0, depth - 1);
        i++;
      } else if (c == '{' && leading.isEmpty()) {
        leading.add("CALL"); // JDBC escape {call f(?)} or {? = call f(?)}
        i++;
      } else if (isIdentifierStart(c)) {
        int wordEnd = i + 1;
        while (wordEnd < length && isIdentifierPart(sql.charAt(wordEnd))) {
          wordEnd++;
        }
        if (leading.size() < LEADING_TOKENS) {
          leading.add(sql.substring(i, wordEnd));
        }
        if (leading.size() > 1 && wordEnd - i <= 6) {
          String word = sql.substring(i, wordEnd).toUpperCase(Locale.ROOT);
          dmlInside |= DML.contains(word);
          copyFrom |= depth == 0 && word.equals("FROM");
        }
        i = wordEnd;
      } else {
        i++;
      }
    }
    return new SqlPlan(flags, commands);
  }

  private static List<TransactionCommand> append(List<TransactionCommand> commands, TransactionCommand command) {
    List<TransactionCommand> more = new ArrayList<>(commands);
    more.add(command);
    return List.copyOf(more);
  }

  private static int statementFlags(String first, boolean copyFrom, boolean dmlInside) {
    if (first == null) {
      return 0;
    }
    if (ALWAYS_WRITES.contains(first)
        || (first.equals("COPY") && copyFrom)
        || ((first.equals("WITH") || first.equals("EXPLAIN")) && dmlInside)) {
      return WRITE;
    }
    return SESSION_WORDS.contains(first) || TransactionCommand.WORDS.contains(first) ? 0 : OTHER;
  }

  /**
   * The SQL pgjdbc would run for a generated-keys request on {@code sql}: the same with
   * {@code RETURNING <columns>} appended, as pgjdbc appends it (a new line, then {@code *} or the
   * quoted column names), or unchanged when it already has a top-level {@code RETURNING}. Null
   * when {@code sql} is not one plain {@code INSERT}, {@code UPDATE} or {@code DELETE} statement,
   * or when the columns are not plain names; the caller then takes the slower path.
   *
   * @param columnNames the requested columns, or null for all ({@code RETURN_GENERATED_KEYS})
   */
  static String returningSql(String sql, String[] columnNames) {
    int length = sql.length();
    int depth = 0;
    String first = null;
    boolean returning = false;
    int i = 0;
    while (i < length) {
      int end = skipQuotedOrComment(sql, i);
      if (end != i) {
        i = end;
        continue;
      }
      char c = sql.charAt(i);
      if (c == ';') {
        return null;
      } else if (c == '(') {
        depth++;
        i++;
      } else if (c == ')') {
        depth = Math.max(0, depth - 1);
        i++;
      } else if (isIdentifierStart(c)) {
        int wordEnd = i + 1;
        while (wordEnd < length && isIdentifierPart(sql.charAt(wordEnd))) {
          wordEnd++;
        }
        String word = sql.substring(i, wordEnd).toUpperCase(Locale.ROOT);
        if (first == null) {
          first = word;
        } else if (depth == 0 && word.equals("RETURNING")) {
          returning = true;
        }
        i = wordEnd;
      } else {
        i++;
      }
    }
    if (first == null || !(first.equals("INSERT") || first.equals("UPDATE") || first.equals("DELETE"))) {
      return null;
    }
    if (returning) {
      return sql;
    }
    if (columnNames == null || (columnNames.length == 1 && columnNames[0].startsWith("*"))) {
      return sql + "\nRETURNING *";
    }
    if (columnNames.length == 0) {
      return null;
    }
    StringBuilder out = new StringBuilder(sql).append("\nRETURNING ");
    for (int col = 0; col < columnNames.length; col++) {
      String name = columnNames[col];
      if (name == null || name.isEmpty() || name.indexOf('"') >= 0 || name.indexOf('\0') >= 0) {
        return null;
      }
      out.append(col > 0 ? ", " : "").append('"').append(name).append('"');
    }
    return out.toString();
  }

  /**
   * The SQL with every {@code ?} that pgjdbc would take for a parameter placeholder doubled, so
   * the text means the same inside a prepared statement as it did in a plain {@code Statement}
   * (pgjdbc reads {@code ??} as a literal {@code ?}).
   */
  static String escapePlaceholders(String sql) {
    if (sql.indexOf('?') < 0) {
      return sql;
    }
    StringBuilder out = new StringBuilder(sql.length() + 8);
    int length = sql.length();
    int i = 0;
    while (i < length) {
      int end = skipQuotedOrComment(sql, i);
      if (end != i) {
        out.append(sql, i, end);
        i = end;
        continue;
      }
      char c = sql.charAt(i);
      if (c == '?') {
        out.append('?');
      }
      out.append(c);
      i++;
    }
    return out.toString();
  }

  /**
   * {@code sql} without its values, for {@code bemi.includeSql}: every string ({@code '…'},
   * {@code E'…'}, {@code B'…'}, {@code X'…'}, {@code U&'…'}), dollar-quoted string and number
   * becomes {@code ?} and comments are left out, so a plain {@code Statement}'s literals reach the
   * trail no more than a prepared statement's parameters do. Identifiers (quoted or not), keywords,
   * operators and parameter placeholders ({@code ?}, {@code $1}) stay as written.
   */
  static String withoutLiterals(String sql) {
    int length = sql.length();
    StringBuilder out = new StringBuilder(length);
    int i = 0;
    while (i < length) {
      char c = sql.charAt(i);
      int end = skipQuotedOrComment(sql, i);
      if (end != i) {
        if (c == '"') {
          out.append(sql, i, end);
        } else if (c == '\'' || c == '$') {
          dropStringPrefix(out);
          out.append('?');
        } else if (out.length() > 0 && !Character.isWhitespace(out.charAt(out.length() - 1))) {
          out.append(' '); // a comment: keeps the words around it apart
        } else {
          while (end < length && (sql.charAt(end) == ' ' || sql.charAt(end) == '\t')) {
            end++; // and does not leave two spaces where it was
          }
        }
        i = end;
      } else if (isIdentifierStart(c)) {
        int wordEnd = i + 1;
        while (wordEnd < length && isIdentifierPart(sql.charAt(wordEnd))) {
          wordEnd++;
        }
        out.append(sql, i, wordEnd);
        i = wordEnd;
      } else if (isDigit(c) || (c == '.' && i + 1 < length && isDigit(sql.charAt(i + 1)))) {
        boolean parameter = out.length() > 0 && out.charAt(out.length() - 1) == '$'; // $1
        int numberEnd = i + 1;
        while (numberEnd < length) {
          char d = sql.charAt(numberEnd);
          boolean exponentSign = (d == '+' || d == '-') && !parameter
              && (sql.charAt(numberEnd - 1) == 'e' || sql.charAt(numberEnd - 1) == 'E') && !isHex(sql, i);
          if (!(Character.isLetterOrDigit(d) || d == '_' || d == '.' || exponentSign)) {
            break;
          }
          numberEnd++;
        }
        if (parameter) {
          out.append(sql, i, numberEnd);
        } else {
          out.append('?');
        }
        i = numberEnd;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  /** Removes a string constant's prefix ({@code E}, {@code B}, {@code X}, {@code N}, {@code U&}) written just before it. */
  private static void dropStringPrefix(StringBuilder out) {
    int n = out.length();
    int prefix = n >= 2 && out.charAt(n - 1) == '&' && (out.charAt(n - 2) == 'U' || out.charAt(n - 2) == 'u') ? 2
        : n >= 1 && "EeBbXxNn".indexOf(out.charAt(n - 1)) >= 0 ? 1 : 0;
    if (prefix > 0 && (n == prefix || !isIdentifierPart(out.charAt(n - prefix - 1)))) {
      out.setLength(n - prefix);
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** {@code 0x…}: its {@code e} is a digit, not an exponent. */
  private static boolean isHex(String sql, int numberStart) {
    return sql.charAt(numberStart) == '0' && numberStart + 1 < sql.length()
        && (sql.charAt(numberStart + 1) == 'x' || sql.charAt(numberStart + 1) == 'X');
  }

  /**
   * If a string, quoted identifier, dollar-quoted string or comment starts at {@code i}, the index
   * just after it (or the end of the text when it is not closed); otherwise {@code i}.
   */
  static int skipQuotedOrComment(String sql, int i) {
    int length = sql.length();
    char c = sql.charAt(i);
    switch (c) {
      case '\'':
        return skipSingleQuoted(sql, i, isEscapeStringStart(sql, i));
      case '"':
        return skipDoubled(sql, i, '"');
      case '-':
        if (i + 1 < length && sql.charAt(i + 1) == '-') {
          int newline = indexOfLineEnd(sql, i + 2);
          return newline < 0 ? length : newline;
        }
        return i;
      case '/':
        if (i + 1 < length && sql.charAt(i + 1) == '*') {
          return skipBlockComment(sql, i);
        }
        return i;
      case '$':
        return skipDollarQuoted(sql, i);
      default:
        return i;
    }
  }

  /** {@code E'...'}: backslash escapes apply (the letter must not end a longer identifier). */
  private static boolean isEscapeStringStart(String sql, int quote) {
    if (quote == 0) {
      return false;
    }
    char before = sql.charAt(quote - 1);
    return (before == 'e' || before == 'E') && (quote < 2 || !isIdentifierPart(sql.charAt(quote - 2)));
  }

  private static int skipSingleQuoted(String sql, int start, boolean backslashEscapes) {
    int length = sql.length();
    int i = start + 1;
    while (i < length) {
      char c = sql.charAt(i);
      if (backslashEscapes && c == '\\') {
        i += 2;
      } else if (c == '\'') {
        if (i + 1 < length && sql.charAt(i + 1) == '\'') {
          i += 2;
        } else {
          return i + 1;
        }
      } else {
        i++;
      }
    }
    return length;
  }

  private static int skipDoubled(String sql, int start, char quote) {
    int length = sql.length();
    int i = start + 1;
    while (i < length) {
      if (sql.charAt(i) == quote) {
        if (i + 1 < length && sql.charAt(i + 1) == quote) {
          i += 2;
        } else {
          return i + 1;
        }
      } else {
        i++;
      }
    }
    return length;
  }

  private static int indexOfLineEnd(String sql, int from) {
    for (int i = from; i < sql.length(); i++) {
      char c = sql.charAt(i);
      if (c == '\n' || c == '\r') {
        return i;
      }
    }
    return -1;
  }

  /** Block comments nest in PostgreSQL. */
  private static int skipBlockComment(String sql, int start) {
    int length = sql.length();
    int depth = 1;
    int i = start + 2;
    while (i < length && depth > 0) {
      if (sql.startsWith("/*", i)) {
        depth++;
        i += 2;
      } else if (sql.startsWith("*/", i)) {
        depth--;
        i += 2;
      } else {
        i++;
      }
    }
    return i;
  }

  /** {@code $$...$$} or {@code $tag$...$tag$}; a {@code $} inside an identifier or {@code $1} is not a quote. */
  private static int skipDollarQuoted(String sql, int start) {
    if (start > 0 && isIdentifierPart(sql.charAt(start - 1))) {
      return start;
    }
    int length = sql.length();
    int tagEnd = start + 1;
    if (tagEnd < length && sql.charAt(tagEnd) != '$') {
      if (!isIdentifierStart(sql.charAt(tagEnd))) {
        return start;
      }
      while (tagEnd < length && sql.charAt(tagEnd) != '$') {
        if (!isIdentifierPart(sql.charAt(tagEnd)) || sql.charAt(tagEnd) == '$') {
          return start;
        }
        tagEnd++;
      }
    }
    if (tagEnd >= length) {
      return start;
    }
    String tag = sql.substring(start, tagEnd + 1);
    int close = sql.indexOf(tag, tagEnd + 1);
    return close < 0 ? length : close + tag.length();
  }

  static boolean isIdentifierStart(char c) {
    return Character.isLetter(c) || c == '_' || c > 127;
  }

  private static boolean isIdentifierPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$' || c > 127;
  }
}

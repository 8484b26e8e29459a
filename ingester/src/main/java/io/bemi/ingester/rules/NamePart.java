package io.bemi.ingester.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One dot-separated part of a table or column pattern. A part in double quotes is a name taken as
 * it is, as SQL quotes an identifier: {@code .}, {@code ,} and {@code *} are characters of the name
 * and {@code ""} is one quote, e.g. {@code public."orders.2024"} or {@code "odd*name"}. A part
 * that does not start with a quote is a glob ({@link Glob}), any later quote in it a character.
 *
 * <p>Lists of patterns are comma-separated options; picocli does not split inside double quotes,
 * so a quoted part may hold a comma.
 */
record NamePart(String text, boolean quoted) {

  /** A quoted name may hold anything; these are what an unquoted one may not. */
  private static final Pattern NEEDS_QUOTES = Pattern.compile("[.,*\"]");

  /**
   * The parts of {@code rule} (already stripped).
   *
   * @throws IllegalArgumentException saying what is wrong, for the caller to prefix with the rule
   */
  static List<NamePart> split(String rule) {
    List<NamePart> parts = new ArrayList<>();
    int at = 0;
    while (true) {
      if (at < rule.length() && rule.charAt(at) == '"') {
        StringBuilder name = new StringBuilder();
        int end = at + 1;
        while (true) {
          if (end >= rule.length()) {
            throw new IllegalArgumentException("a quote opened at character " + (at + 1) + " is not closed");
          }
          char c = rule.charAt(end++);
          if (c != '"') {
            name.append(c);
          } else if (end < rule.length() && rule.charAt(end) == '"') {
            name.append('"');
            end++;
          } else {
            break;
          }
        }
        if (end < rule.length() && rule.charAt(end) != '.') {
          throw new IllegalArgumentException("a quoted name must be a whole part, ending at a dot or the end");
        }
        parts.add(new NamePart(name.toString(), true));
        at = end;
      } else {
        int dot = rule.indexOf('.', at);
        int end = dot < 0 ? rule.length() : dot;
        parts.add(new NamePart(rule.substring(at, end), false)); // a quote after its start is a character, as before
        at = end;
      }
      if (at >= rule.length()) {
        return parts;
      }
      at++; // the dot
    }
  }

  /** The part that matches exactly {@code name}: as it is when that reads the same, else quoted. */
  static String literal(String name) {
    return name.isEmpty() || !name.equals(name.strip()) || NEEDS_QUOTES.matcher(name).find()
        ? '"' + name.replace("\"", "\"\"") + '"'
        : name;
  }

  boolean isEmpty() {
    return text.isEmpty();
  }

  /** A glob with a {@code *}; a quoted part never is. */
  boolean isGlob() {
    return !quoted && Glob.isPattern(text);
  }

  Pattern pattern() {
    return quoted ? Pattern.compile(Pattern.quote(text)) : Glob.compile(text);
  }
}

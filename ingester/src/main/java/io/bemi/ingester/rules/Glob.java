package io.bemi.ingester.rules;

import java.util.regex.Pattern;

/** A name in which {@code *} matches any run of characters and everything else matches itself. */
final class Glob {

  private Glob() {}

  static Pattern compile(String glob) {
    StringBuilder regex = new StringBuilder();
    for (String literal : glob.split("\\*", -1)) {
      regex.append(Pattern.quote(literal)).append(".*");
    }
    regex.setLength(regex.length() - 2); // no ".*" after the last literal
    return Pattern.compile(regex.toString());
  }

  static boolean isPattern(String text) {
    return text.indexOf('*') >= 0;
  }
}

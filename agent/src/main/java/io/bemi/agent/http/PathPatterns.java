package io.bemi.agent.http;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code excludePaths} option: request paths (without query) matched against globs where
 * {@code *} stands for any characters within one path segment and {@code **} for any characters
 * across segments, e.g. {@code /health}, {@code /actuator/**}, {@code /api/*}{@code /ping}.
 */
final class PathPatterns {

  private final Pattern pattern;

  PathPatterns(List<String> globs) {
    if (globs.isEmpty()) {
      pattern = null;
      return;
    }
    StringBuilder regex = new StringBuilder();
    for (String glob : globs) {
      if (regex.length() > 0) {
        regex.append('|');
      }
      regex.append("(?:");
      for (int i = 0; i < glob.length(); i++) {
        char c = glob.charAt(i);
        if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
          regex.append(".*");
          i++;
        } else if (c == '*') {
          regex.append("[^/]*");
        } else {
          regex.append(Pattern.quote(String.valueOf(c)));
        }
      }
      regex.append(')');
    }
    pattern = Pattern.compile(regex.toString());
  }

  boolean matches(String path) {
    return pattern != null && path != null && pattern.matcher(path).matches();
  }
}

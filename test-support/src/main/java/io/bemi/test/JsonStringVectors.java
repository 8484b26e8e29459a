package io.bemi.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The JSON string literals every JSON writer in the house must produce ({@code json-strings.tsv}
 * beside this class): the driver keeps its own writer (no dependencies), the sql module has the
 * shared one, and both tests read these vectors so the copies cannot drift apart.
 */
public final class JsonStringVectors {

  /** One case: {@code input} written as a JSON string literal must give {@code json}. */
  public record Vector(String name, String input, String json) {
    @Override
    public String toString() {
      return name;
    }
  }

  private JsonStringVectors() {}

  public static List<Vector> all() {
    try (InputStream in = JsonStringVectors.class.getResourceAsStream("json-strings.tsv")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
          .filter(line -> !line.isBlank() && !line.startsWith("#"))
          .map(line -> line.split("\t", -1))
          .map(f -> new Vector(f[0], unescape(f[1]), unescape(f[2])))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code \}{@code uXXXX} is that UTF-16 unit, two backslashes are one; everything else is itself. */
  private static String unescape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' && text.charAt(i + 1) == '\\') {
        out.append('\\');
        i++;
      } else if (c == '\\' && text.charAt(i + 1) == 'u') {
        out.append((char) Integer.parseInt(text.substring(i + 2, i + 6), 16));
        i += 5;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}

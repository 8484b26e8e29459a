package io.bemi.ingester.setup;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.bemi.ingester.rules.TablePattern;
import java.util.List;
import java.util.stream.Stream;

/**
 * What {@code setup} was asked to track ({@code --schemas}, {@code --tables},
 * {@code --exclude-tables}, and the destination schema, which is never tracked). Setup records it
 * as the publication's comment, so {@code status} and {@code run} can tell tables created since
 * that it would have tracked ({@link SetupCoverage}).
 */
public record TableChoice(String destinationSchema, List<String> schemas, List<String> tables,
    List<String> excludeTables) {

  private static final String PREFIX = "bemi-ingester setup: ";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  public TableChoice {
    schemas = schemas == null ? List.of() : List.copyOf(schemas);
    tables = tables == null ? List.of() : List.copyOf(tables);
    excludeTables = excludeTables == null ? List.of() : List.copyOf(excludeTables);
  }

  /** The publication's comment that records it. */
  public String toComment() {
    try {
      return PREFIX + JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the table choice as JSON", e);
    }
  }

  /**
   * The choice a publication's comment records; null for any other comment (or none), and for one
   * edited into something setup would not have written (as good as none).
   */
  public static TableChoice fromComment(String comment) {
    if (comment == null || !comment.startsWith(PREFIX)) {
      return null;
    }
    try {
      TableChoice choice = JSON.readValue(comment.substring(PREFIX.length()), TableChoice.class);
      if (choice.destinationSchema() == null) {
        return null;
      }
      choice.tables().stream().filter(t -> !t.isBlank()).forEach(TablePattern::parse);
      choice.excludeTables().stream().filter(t -> !t.isBlank()).forEach(TablePattern::parse);
      return choice;
    } catch (JsonProcessingException | IllegalArgumentException e) {
      return null;
    }
  }

  /** For messages: the options that give this choice again, quoted for a shell ("" for none). */
  public String asOptions() {
    StringBuilder options = new StringBuilder();
    append(options, "--schemas", schemas);
    append(options, "--tables", tables);
    append(options, "--exclude-tables", excludeTables);
    return options.toString().strip();
  }

  /** For messages: the setup command that gives this choice again, with {@code extra} options after it. */
  public String setupCommand(String extra) {
    return String.join(" ", Stream.of("bemi-ingester setup", asOptions(), extra)
        .filter(part -> !part.isEmpty()).toList());
  }

  /** {@code name values}, the values comma-separated and single-quoted for a POSIX shell. */
  public static String option(String name, List<String> values) {
    StringBuilder option = new StringBuilder();
    append(option, name, values);
    return option.toString().strip();
  }

  private static void append(StringBuilder options, String name, List<String> values) {
    if (!values.isEmpty()) {
      // single-quoted for a POSIX shell, a quote inside as '\''
      options.append(' ').append(name).append(" '").append(String.join(",", values).replace("'", "'\\''"))
          .append('\'');
    }
  }
}

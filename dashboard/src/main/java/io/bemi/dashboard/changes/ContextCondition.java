package io.bemi.dashboard.changes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One condition on a context field, written the way people say it: {@code userId = 42},
 * {@code endpoint contains /orders}, {@code user.role != admin}. A dotted field is a path into
 * nested objects.
 *
 * <p>{@code =} and {@code !=} compare JSON values: {@code 42} matches both the number 42 and the
 * string "42" (writers differ), {@code true}/{@code false}/{@code null} their JSON values,
 * {@code "quoted"} exactly that string, anything else the string as typed. Equality becomes
 * containment ({@code context @> …}) so the GIN index answers it. {@code contains} is a
 * case-insensitive substring match on the field's text.
 */
public record ContextCondition(List<String> path, Comparison comparison, String value) {

  public enum Comparison {
    EQUALS("="), NOT_EQUALS("!="), CONTAINS("contains");

    public final String symbol;

    Comparison(String symbol) {
      this.symbol = symbol;
    }
  }

  private static final Pattern SYNTAX = Pattern.compile(
      "\\s*([^\\s=!~]+)\\s*(?:(!=|=)|\\s(contains)\\s|(~))\\s*(.*?)\\s*", Pattern.DOTALL);

  public ContextCondition {
    path = List.copyOf(path);
  }

  public static ContextCondition parse(String text) {
    Matcher m = SYNTAX.matcher(text);
    if (!m.matches()) {
      throw new BadRequestException("context filter '" + text
          + "' is not understood; write it as `field = value`, `field != value` or `field contains text`");
    }
    String operator = m.group(2) != null ? m.group(2) : m.group(3) != null ? "contains" : "~";
    Comparison comparison = switch (operator) {
      case "=" -> Comparison.EQUALS;
      case "!=" -> Comparison.NOT_EQUALS;
      default -> Comparison.CONTAINS;
    };
    String field = m.group(1);
    List<String> path = List.of(field.split("\\.", -1));
    if (path.stream().anyMatch(String::isEmpty)) {
      throw new BadRequestException("context filter '" + text + "' has an empty field name in '" + field + "'");
    }
    String value = m.group(5);
    if (comparison == Comparison.CONTAINS && value.isEmpty()) {
      throw new BadRequestException("context filter '" + text + "' needs the text to look for after `contains`");
    }
    return new ContextCondition(path, comparison, value);
  }

  /** The field as typed, e.g. {@code user.id}. */
  public String field() {
    return String.join(".", path);
  }

  /** The JSON values {@code =} accepts, most specific first (one or two). */
  public List<JsonNode> candidateValues() {
    JsonNodeFactory json = JsonNodeFactory.instance;
    String v = value;
    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
      return List.of(json.textNode(v.substring(1, v.length() - 1)));
    }
    switch (v) {
      case "true": return List.of(json.booleanNode(true), json.textNode(v));
      case "false": return List.of(json.booleanNode(false), json.textNode(v));
      case "null": return List.of(json.nullNode());
      default: break;
    }
    if (v.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
      return List.of(json.numberNode(new java.math.BigDecimal(v)), json.textNode(v));
    }
    return List.of(json.textNode(v));
  }

  /** {@code {"a":{"b": value}}} for path a.b: the document {@code context @> ?} looks for. */
  public ObjectNode containmentDocument(JsonNode leaf) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ObjectNode current = root;
    for (int i = 0; i < path.size() - 1; i++) {
      current = current.putObject(path.get(i));
    }
    current.set(path.get(path.size() - 1), leaf);
    return root;
  }

  @Override
  public String toString() {
    return field() + " " + comparison.symbol + " " + value;
  }
}

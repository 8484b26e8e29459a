package io.bemi.dashboard.changes;

import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A request names a record, table, transaction or context whose changes come from several sources
 * ({@code changes.source}: two source servers can have the same tables, keys, commit LSNs and
 * xids) and no {@code source}: the caller picks one. A page offers the {@link #choices()}, the API
 * answers 400 naming the parameter and the sources.
 */
public final class SeveralSourcesException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** One source to pick; {@code path} the page it leads to, or null for the same request with {@code source} added. */
  public record Choice(String source, String detail, String path) {}

  private final transient List<Choice> choices;

  public SeveralSourcesException(String what, List<Choice> choices) {
    super("The changes of " + what + " come from several sources: "
        + choices.stream().map(c -> quoted(c.source())).distinct().collect(Collectors.joining(", "))
        + ". Say which one with the parameter source (source= for the unnamed source '').");
    this.choices = List.copyOf(choices);
  }

  public List<Choice> choices() {
    return choices;
  }

  /** The sources to choose from, sorted, each once. */
  public List<String> sources() {
    return choices.stream().map(Choice::source).distinct().sorted().toList();
  }

  /**
   * The source a request reads: {@code given} when the request names one; otherwise the only one
   * of {@code candidates} (null when there is none: nothing recorded); refused when several.
   */
  public static String resolve(String given, String what, Supplier<List<String>> candidates) {
    if (given != null) {
      return given;
    }
    List<String> sources = candidates.get();
    if (sources.size() > 1) {
      throw new SeveralSourcesException(what, sources.stream().map(s -> new Choice(s, null, null)).toList());
    }
    return sources.isEmpty() ? null : sources.get(0);
  }

  /** How a source is named to people: quoted, so the unnamed source shows as {@code ''}. */
  public static String quoted(String source) {
    return "'" + source + "'";
  }
}

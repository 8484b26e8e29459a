package io.bemi.dashboard.changes;

import io.bemi.history.Operation;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the Changes page, the API and the exports select. Built from URL query parameters so a
 * view can be shared: {@code table} ({@code orders} or {@code public.orders}), {@code pk},
 * {@code op} (repeatable or comma-separated), {@code from}/{@code to} (see {@link Instants}),
 * {@code context} (repeatable, see {@link ContextCondition}), {@code transaction}, {@code source}
 * (the source database a change came from, when several ingest into one destination; {@code source=}
 * is the unnamed source {@code ''}).
 */
public record ChangeFilter(
    String schema,
    String table,
    String primaryKey,
    Set<Operation> operations,
    Instant from,
    Instant to,
    List<ContextCondition> context,
    Long transactionId,
    String source) {

  public static final ChangeFilter ALL = new ChangeFilter(null, null, null, Set.of(), null, null, List.of(), null, null);

  public ChangeFilter {
    operations = operations.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(operations));
    context = List.copyOf(context);
  }

  public static ChangeFilter fromQuery(Map<String, List<String>> query, Instant now) {
    String schema = null;
    String table = single(query, "table");
    if (table != null) {
      int dot = table.indexOf('.');
      if (dot > 0 && dot < table.length() - 1) {
        schema = table.substring(0, dot);
        table = table.substring(dot + 1);
      }
    }
    String pk = single(query, "pk");
    if (pk != null && table == null) {
      throw new BadRequestException("pk needs a table too (a key identifies a record only within its table)");
    }
    Set<Operation> ops = EnumSet.noneOf(Operation.class);
    for (String op : values(query, "op")) {
      for (String part : op.split(",")) {
        if (!part.isBlank()) {
          ops.add(operation(part));
        }
      }
    }
    String fromText = single(query, "from");
    String toText = single(query, "to");
    Instant from = fromText == null ? null : Instants.parse("from", fromText, now);
    Instant to = toText == null ? null : Instants.parse("to", toText, now);
    if (from != null && to != null && !from.isBefore(to)) {
      throw new BadRequestException("from (" + from + ") must be before to (" + to + ")");
    }
    List<ContextCondition> conditions = new ArrayList<>();
    for (String c : values(query, "context")) {
      conditions.add(ContextCondition.parse(c));
    }
    String tx = single(query, "transaction");
    Long transactionId = null;
    if (tx != null) {
      try {
        transactionId = Long.parseLong(tx);
      } catch (NumberFormatException e) {
        throw new BadRequestException("transaction '" + tx + "' is not a transaction id (a whole number)");
      }
    }
    return new ChangeFilter(schema, table, pk, ops, from, to, conditions, transactionId, source(query));
  }

  /** The filter as URL query parameters (no leading '?'); empty when it selects everything. */
  public String toQueryString() {
    Map<String, List<String>> params = toParams();
    StringBuilder sb = new StringBuilder();
    params.forEach((name, vals) -> vals.forEach(v -> {
      if (sb.length() > 0) {
        sb.append('&');
      }
      sb.append(name).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
    }));
    return sb.toString();
  }

  public Map<String, List<String>> toParams() {
    Map<String, List<String>> p = new LinkedHashMap<>();
    if (table != null) {
      p.put("table", List.of(qualifiedTable()));
    }
    if (primaryKey != null) {
      p.put("pk", List.of(primaryKey));
    }
    if (!operations.isEmpty()) {
      p.put("op", EnumSet.copyOf(operations).stream().map(Enum::name).toList());
    }
    if (from != null) {
      p.put("from", List.of(from.toString()));
    }
    if (to != null) {
      p.put("to", List.of(to.toString()));
    }
    if (!context.isEmpty()) {
      p.put("context", context.stream().map(ContextCondition::toString).toList());
    }
    if (transactionId != null) {
      p.put("transaction", List.of(transactionId.toString()));
    }
    if (source != null) {
      p.put("source", List.of(source));
    }
    return p;
  }

  public String qualifiedTable() {
    return table == null ? null : schema == null ? table : schema + "." + table;
  }

  public boolean isEmpty() {
    return toParams().isEmpty();
  }

  /** Parses {@code create}, {@code UPDATE}, … (case-insensitive). */
  private static Operation operation(String text) {
    try {
      return Operation.valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new BadRequestException("op '" + text + "' is not an operation; use CREATE, UPDATE, DELETE, TRUNCATE or SNAPSHOT");
    }
  }

  private static String single(Map<String, List<String>> query, String name) {
    List<String> vals = values(query, name);
    if (vals.size() > 1) {
      throw new BadRequestException(name + " is given " + vals.size() + " times; give it once");
    }
    return vals.isEmpty() ? null : vals.get(0).trim();
  }

  /** {@code source=} (empty) names the unnamed source {@code ''}; absent: every source. */
  private static String source(Map<String, List<String>> query) {
    List<String> vals = query.getOrDefault("source", List.of());
    if (vals.size() > 1) {
      throw new BadRequestException("source is given " + vals.size() + " times; give it once");
    }
    return vals.isEmpty() || vals.get(0) == null ? null : vals.get(0).trim();
  }

  private static List<String> values(Map<String, List<String>> query, String name) {
    return query.getOrDefault(name, List.of()).stream().filter(v -> v != null && !v.isBlank()).toList();
  }
}

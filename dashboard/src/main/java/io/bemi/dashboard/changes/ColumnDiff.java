package io.bemi.dashboard.changes;

import com.fasterxml.jackson.databind.JsonNode;
import io.bemi.history.Change;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One column of a change's before/after diff. {@code before}/{@code after} are null when the
 * column is absent on that side (CREATE has no before, DELETE no after); a SQL NULL is a JSON
 * null node.
 */
public record ColumnDiff(String column, JsonNode before, JsonNode after, boolean changed) {

  /** Columns in the row's order (after's keys, then keys only before has); changed ones flagged. */
  public static List<ColumnDiff> of(JsonNode before, JsonNode after) {
    Set<String> columns = new LinkedHashSet<>();
    after.fieldNames().forEachRemaining(columns::add);
    before.fieldNames().forEachRemaining(columns::add);
    List<ColumnDiff> diff = new ArrayList<>(columns.size());
    for (String column : columns) {
      JsonNode b = before.get(column);
      JsonNode a = after.get(column);
      diff.add(new ColumnDiff(column, b, a, b == null || a == null || !b.equals(a)));
    }
    return diff;
  }

  public static List<ColumnDiff> of(Change change) {
    return of(StoredJson.before(change), StoredJson.after(change));
  }
}

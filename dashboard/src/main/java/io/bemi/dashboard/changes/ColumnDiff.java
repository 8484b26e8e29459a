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

  /**
   * Columns in the row's order (after's keys, then keys only before has); changed ones flagged. A
   * column an UPDATE's after leaves out is not changed: the server sends no unchanged TOAST value
   * of a table without REPLICA IDENTITY FULL (docs/ingester.md), which is not a value set to NULL.
   */
  public static List<ColumnDiff> of(JsonNode before, JsonNode after) {
    Set<String> columns = new LinkedHashSet<>();
    after.fieldNames().forEachRemaining(columns::add);
    before.fieldNames().forEachRemaining(columns::add);
    List<ColumnDiff> diff = new ArrayList<>(columns.size());
    for (String column : columns) {
      JsonNode b = before.get(column);
      JsonNode a = after.get(column);
      // absent from an UPDATE's after (an after with columns): an unchanged TOAST value the server did not send
      boolean changed = b == null || (a == null ? after.isEmpty() : !b.equals(a));
      diff.add(new ColumnDiff(column, b, a, changed));
    }
    return diff;
  }

  public static List<ColumnDiff> of(Change change) {
    return of(StoredJson.before(change), StoredJson.after(change));
  }
}

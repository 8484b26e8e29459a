package io.bemi.dashboard.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bemi.dashboard.changes.ColumnDiff;
import io.bemi.dashboard.changes.StoredJson;
import io.bemi.dashboard.gaps.Gap;
import io.bemi.history.Change;
import io.bemi.sql.Lsn;
import java.util.Collection;
import java.util.List;

/** JSON for the API: exact numbers (every digit of a numeric is kept), ISO-8601 UTC times. */
public final class ApiJson {

  private ApiJson() {}

  static ObjectNode change(Change c, boolean withDiff) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("id", c.id().toString());
    n.put("source", c.source());
    n.put("database", c.database());
    n.put("schema", c.schema());
    n.put("table", c.table());
    n.put("primaryKey", c.primaryKey());
    n.put("previousPrimaryKey", c.previousPrimaryKey());
    n.put("operation", c.operation().name());
    n.put("committedAt", c.committedAt().toString());
    n.put("queuedAt", c.queuedAt() == null ? null : c.queuedAt().toString());
    n.put("createdAt", c.createdAt() == null ? null : c.createdAt().toString());
    n.put("transactionId", c.transactionId());
    n.put("position", Lsn.text(c.position()));
    n.put("commitLsn", Lsn.text(c.commitLsn()));
    n.put("changeIndex", c.changeIndex());
    JsonNode before = StoredJson.before(c);
    JsonNode after = StoredJson.after(c);
    n.set("context", StoredJson.context(c));
    n.set("before", before);
    n.set("after", after);
    List<ColumnDiff> columns = ColumnDiff.of(before, after);
    ArrayNode changed = n.putArray("changedColumns");
    columns.stream().filter(ColumnDiff::changed).forEach(d -> changed.add(d.column()));
    if (withDiff) {
      ArrayNode diff = n.putArray("diff");
      for (ColumnDiff d : columns) {
        ObjectNode col = diff.addObject();
        col.put("column", d.column());
        if (d.before() != null) { // absent (CREATE) differs from a SQL NULL (a JSON null)
          col.set("before", d.before());
        }
        if (d.after() != null) {
          col.set("after", d.after());
        }
        col.put("changed", d.changed());
      }
    }
    return n;
  }

  static ArrayNode changes(Collection<Change> changes, boolean withDiff) {
    ArrayNode a = JsonNodeFactory.instance.arrayNode();
    changes.forEach(c -> a.add(change(c, withDiff)));
    return a;
  }

  /**
   * A record's gaps; {@code afterChangeId} names the change of {@code history} the gap follows
   * (null when it starts before the first one).
   */
  static ArrayNode gaps(List<Gap> gaps, List<Change> history) {
    ArrayNode a = JsonNodeFactory.instance.arrayNode();
    for (Gap g : gaps) {
      int position = g.position(history);
      ObjectNode n = a.addObject();
      n.put("id", g.id());
      n.put("slot", g.slot());
      n.put("sourceDatabase", g.sourceDatabase());
      n.put("startLsn", Lsn.text(g.startLsn()));
      n.put("startAt", g.startAt().toString());
      n.put("endLsn", g.endLsn() == null ? null : Lsn.text(g.endLsn()));
      n.put("endAt", g.endAt() == null ? null : g.endAt().toString());
      n.put("open", g.open());
      n.put("reason", g.reason());
      n.put("detectedAt", g.detectedAt().toString());
      n.put("afterChangeId", position == 0 ? null : history.get(position - 1).id().toString());
    }
    return a;
  }
}

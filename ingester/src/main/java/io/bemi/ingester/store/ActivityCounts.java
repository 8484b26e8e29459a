package io.bemi.ingester.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code activity} rows of the changes a batch copied straight into partitions (see
 * {@link PartitionRoutes}): counted per minute, table and operation as they are written, and added
 * to the rollup in the batch's transaction by the same upsert the root's trigger runs (buckets by
 * {@code date_bin} on the server, rows in key order), so the counts stay exactly once with the
 * changes.
 */
final class ActivityCounts {

  private record Key(long minute, String schema, String table, String operation) { }

  private final String upsertSql;
  private final Map<Key, long[]> counts = new HashMap<>();

  ActivityCounts(String schema) {
    this.upsertSql = "INSERT INTO " + schema + ".activity AS a (bucket, source, schema, \"table\", operation, changes)"
        + " SELECT pg_catalog.date_bin('1 minute', pg_catalog.to_timestamp(u.minute), TIMESTAMPTZ '2000-01-01 00:00:00+00'),"
        + " ?::text, u.schema, u.tbl, u.operation, pg_catalog.sum(u.changes)"
        + " FROM ROWS FROM (pg_catalog.unnest(?::bigint[]), pg_catalog.unnest(?::text[]), pg_catalog.unnest(?::text[]),"
        + " pg_catalog.unnest(?::text[]), pg_catalog.unnest(?::bigint[])) AS u(minute, schema, tbl, operation, changes)"
        + " GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"
        + " ON CONFLICT (bucket, source, schema, \"table\", operation) DO UPDATE SET changes = a.changes + excluded.changes";
  }

  void add(Instant committedAt, String schema, String table, String operation) {
    long minute = Math.floorDiv(committedAt.getEpochSecond(), 60) * 60;
    counts.computeIfAbsent(new Key(minute, schema, table, operation), k -> new long[1])[0]++;
  }

  /** Adds the counts to {@code activity} in the open transaction and forgets them. */
  void store(Connection connection, String source) throws SQLException {
    if (counts.isEmpty()) {
      return;
    }
    int n = counts.size();
    Long[] minutes = new Long[n];
    String[] schemas = new String[n];
    String[] tables = new String[n];
    String[] operations = new String[n];
    Long[] changes = new Long[n];
    int i = 0;
    for (Map.Entry<Key, long[]> e : counts.entrySet()) {
      minutes[i] = e.getKey().minute();
      schemas[i] = e.getKey().schema();
      tables[i] = e.getKey().table();
      operations[i] = e.getKey().operation();
      changes[i++] = e.getValue()[0];
    }
    try (PreparedStatement s = connection.prepareStatement(upsertSql)) {
      s.setString(1, source);
      s.setArray(2, connection.createArrayOf("bigint", minutes));
      s.setArray(3, connection.createArrayOf("text", schemas));
      s.setArray(4, connection.createArrayOf("text", tables));
      s.setArray(5, connection.createArrayOf("text", operations));
      s.setArray(6, connection.createArrayOf("bigint", changes));
      s.executeUpdate();
    }
    counts.clear();
  }

  /** The batch rolled back: what it counted is gone with it. */
  void clear() {
    counts.clear();
  }
}

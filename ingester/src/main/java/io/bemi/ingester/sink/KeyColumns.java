package io.bemi.ingester.sink;

import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.catalog.SourceCatalog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The primary key columns of source tables by name, for event keys: looked up once per table on
 * a source connection of its own (the sink's thread), with the stitcher's query. A key changed
 * while the ingester runs is seen after its next restart; until then keys of the table's events
 * may be null (documented in docs/sinks.md).
 */
public final class KeyColumns implements AutoCloseable {

  private final PostgresUrl source;
  private final Map<String, List<String>> byTable = new HashMap<>();
  private Connection connection;

  public KeyColumns(PostgresUrl source) {
    this.source = source;
  }

  public List<String> of(String schema, String table) throws SQLException {
    String name = schema + '.' + table;
    List<String> columns = byTable.get(name);
    if (columns == null) {
      columns = lookUp(schema, table);
      byTable.put(name, columns);
    }
    return columns;
  }

  private List<String> lookUp(String schema, String table) throws SQLException {
    if (connection == null) {
      connection = source.connect();
    }
    try (PreparedStatement s = connection.prepareStatement(
        "SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname = ? AND c.relname = ?")) {
      s.setString(1, schema);
      s.setString(2, table);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? new SourceCatalog(connection).primaryKey((int) rs.getLong(1)) : List.of();
      }
    }
  }

  @Override
  public void close() throws SQLException {
    if (connection != null) {
      connection.close();
    }
  }
}

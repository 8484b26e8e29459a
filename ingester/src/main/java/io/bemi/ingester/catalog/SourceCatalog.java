package io.bemi.ingester.catalog;

import io.bemi.ingester.stitch.SchemaLookup;
import io.bemi.ingester.values.BuiltinTypes;
import io.bemi.ingester.values.JsonKind;
import io.bemi.ingester.values.PgType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Catalog lookups on the source over an ordinary (non-replication) connection: real primary keys
 * and the nature of non-built-in types. It reads the catalog as it is now, not as it was when the
 * change was written; for a key or type changed since, the current definition is used.
 */
public final class SourceCatalog implements SchemaLookup {

  // The primary key's columns in key order (pg_index.indkey), for tables and partitioned tables.
  private static final String PRIMARY_KEY_SQL = """
      SELECT a.attname
        FROM pg_index i
        CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
       WHERE i.indrelid = ?::bigint::oid AND i.indisprimary
       ORDER BY k.ord""";

  // Domains are looked through (to_jsonb renders a domain as its base type); arrays render
  // their elements, split by the element type's delimiter.
  private static final String TYPE_SQL = """
      SELECT t.typtype, t.typbasetype, t.typelem, t.typcategory, e.typdelim
        FROM pg_type t LEFT JOIN pg_type e ON e.oid = t.typelem
       WHERE t.oid = ?::bigint::oid""";

  private final Connection connection;
  private final Map<Integer, PgType> types = new HashMap<>();

  public SourceCatalog(Connection connection) {
    this.connection = connection;
  }

  @Override
  public PgType type(int oid) {
    PgType builtin = BuiltinTypes.find(oid);
    if (builtin != null) {
      return builtin;
    }
    PgType cached = types.get(oid);
    if (cached == null) {
      cached = lookUpType(oid, 0);
      types.put(oid, cached);
    }
    return cached;
  }

  private PgType lookUpType(int oid, int depth) {
    PgType builtin = BuiltinTypes.find(oid);
    if (builtin != null || depth > 10) {
      return builtin != null ? builtin : PgType.scalar(oid, JsonKind.STRING);
    }
    try (PreparedStatement s = connection.prepareStatement(TYPE_SQL)) {
      s.setLong(1, Integer.toUnsignedLong(oid));
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return PgType.scalar(oid, JsonKind.STRING); // dropped since: its text form
        }
        String typtype = rs.getString(1);
        int baseType = rs.getInt(2);
        int elementType = rs.getInt(3);
        String category = rs.getString(4);
        String delimiter = rs.getString(5);
        if ("d".equals(typtype)) {
          PgType base = lookUpType(baseType, depth + 1);
          return new PgType(oid, base.kind(), base.element(), base.delimiter());
        }
        if ("A".equals(category) && elementType != 0) {
          char delim = delimiter == null || delimiter.isEmpty() ? ',' : delimiter.charAt(0);
          return PgType.array(oid, lookUpType(elementType, depth + 1), delim);
        }
        return PgType.scalar(oid, JsonKind.STRING);
      }
    } catch (SQLException e) {
      throw new CatalogException("Could not look up type OID " + oid + " on the source: " + e.getMessage(), e);
    }
  }

  @Override
  public List<String> primaryKey(int relationOid) {
    try (PreparedStatement s = connection.prepareStatement(PRIMARY_KEY_SQL)) {
      s.setLong(1, Integer.toUnsignedLong(relationOid));
      List<String> columns = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          columns.add(rs.getString(1));
        }
      }
      return columns;
    } catch (SQLException e) {
      throw new CatalogException("Could not look up the primary key of relation OID " + relationOid
          + " on the source: " + e.getMessage(), e);
    }
  }

  /** A failed catalog query; the ingester treats it like any source outage (reconnect, resume). */
  public static final class CatalogException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CatalogException(String message, SQLException cause) {
      super(message, cause);
    }
  }
}

package io.bemi.sql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Names in SQL text, written once for every module: quoting of identifiers and literals, the rule
 * for the names Bemi creates (destination schema, publication), and the database a connection is in.
 */
public final class SqlNames {

  private SqlNames() {}

  /** A double-quoted SQL identifier. */
  public static String identifier(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /** {@code "schema"."table"}, both parts quoted. */
  public static String qualified(String schema, String table) {
    return identifier(schema) + "." + identifier(table);
  }

  /** A single-quoted SQL string literal (standard_conforming_strings, on since PostgreSQL 9.1). */
  public static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  /**
   * Whether {@code name} is a lower-case identifier (letters, digits, underscores, at most 63
   * bytes): the names Bemi creates are, so they read the same quoted and unquoted.
   */
  public static boolean isLowerCaseIdentifier(String name) {
    return name != null && name.matches("[a-z_][a-z0-9_]{0,62}");
  }

  /** {@code schema} when it is a lower-case identifier; otherwise an error that says so. */
  public static String destinationSchema(String schema) {
    if (!isLowerCaseIdentifier(schema)) {
      throw new IllegalArgumentException("Destination schema '" + schema
          + "' must be a lower-case identifier (letters, digits, underscores), e.g. bemi");
    }
    return schema;
  }

  /** The name of the database the connection is in. */
  public static String currentDatabase(Connection connection) throws SQLException {
    try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_catalog.current_database()")) {
      rs.next();
      return rs.getString(1);
    }
  }
}

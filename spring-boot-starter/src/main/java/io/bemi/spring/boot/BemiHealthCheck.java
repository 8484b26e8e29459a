package io.bemi.spring.boot;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * What the health contributors report, apart from Spring's health types (they differ between Boot
 * 3 and 4): the context reaches the ingester only when the database writes logical WAL.
 *
 * @param up whether writes' context can reach the ingester
 * @param details {@code walLevel}, {@code connectionsWrapped} and, when down, {@code fix}
 */
record BemiHealthCheck(boolean up, Map<String, Object> details) {

  static BemiHealthCheck of(DataSource dataSource, BemiCounts counts) throws SQLException {
    String walLevel;
    try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
         ResultSet rs = statement.executeQuery("SELECT pg_catalog.current_setting('wal_level')")) {
      rs.next();
      walLevel = rs.getString(1);
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("walLevel", walLevel);
    details.put("connectionsWrapped", counts.connectionsWrapped());
    boolean logical = "logical".equals(walLevel);
    if (!logical) {
      details.put("fix", "set wal_level = logical in postgresql.conf and restart PostgreSQL: with wal_level "
          + walLevel + " the context never reaches the ingester");
    }
    return new BemiHealthCheck(logical, details);
  }
}

package io.bemi.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;

/**
 * Carries the grants on the schema's tables and views across V70, which re-creates {@code changes}
 * as a partitioned table and so drops, with the old table, the views bound to its row type. A
 * grant belongs to its object: without this, the roles that wrote or read the trail (the ingester's,
 * the dashboard's) would lose their access in that upgrade, and V92 would find no writer to let
 * extend the partitions. The grants are read before V70, given again right after it (to the new
 * {@code changes}, before the later migrations look at who may insert) and once more after the
 * repeatable migrations have re-created the views ({@link #grantAgain(DataSource)}).
 */
final class CarriedGrants implements Callback {

  private static final MigrationVersion RECREATES_CHANGES = MigrationVersion.fromVersion("70");

  private final String schema;
  private List<Grant> grants = List.of();

  /** One privilege on one relation, as the statement that gives it. */
  private record Grant(String relation, String sql) {}

  CarriedGrants(String schema) {
    this.schema = schema;
  }

  @Override
  public boolean supports(Event event, Context context) {
    return (event == Event.BEFORE_EACH_MIGRATE || event == Event.AFTER_EACH_MIGRATE)
        && context.getMigrationInfo() != null && RECREATES_CHANGES.equals(context.getMigrationInfo().getVersion());
  }

  @Override
  public boolean canHandleInTransaction(Event event, Context context) {
    return true;
  }

  @Override
  public void handle(Event event, Context context) {
    try {
      if (event == Event.BEFORE_EACH_MIGRATE) {
        grants = read(context.getConnection());
      } else {
        grantAgain(context.getConnection());
      }
    } catch (SQLException e) {
      throw new FlywayException("Carrying the grants on " + schema + "'s tables across V70 failed: " + e.getMessage(), e);
    }
  }

  @Override
  public String getCallbackName() {
    return "bemi: grants carried across V70";
  }

  /** Gives the carried grants again on the relations that exist (none when V70 did not run). */
  void grantAgain(DataSource destination) throws SQLException {
    if (!grants.isEmpty()) {
      try (Connection connection = destination.getConnection()) {
        grantAgain(connection);
      }
    }
  }

  private List<Grant> read(Connection connection) throws SQLException {
    List<Grant> read = new ArrayList<>();
    try (PreparedStatement s = connection.prepareStatement(
        "SELECT c.relname, pg_catalog.format('GRANT %s ON %I.%I TO %s%s', a.privilege_type, n.nspname, c.relname,"
            + " CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END,"
            + " CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)"
            + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a"
            + " WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'v', 'm') AND a.grantee <> c.relowner")) {
      s.setString(1, schema);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          read.add(new Grant(rs.getString(1), rs.getString(2)));
        }
      }
    }
    return read;
  }

  private void grantAgain(Connection connection) throws SQLException {
    try (PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_catalog.pg_class c"
        + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?");
         Statement grant = connection.createStatement()) {
      for (Grant g : grants) {
        exists.setString(1, schema);
        exists.setString(2, g.relation());
        try (ResultSet rs = exists.executeQuery()) {
          if (rs.next()) {
            grant.execute(g.sql());
          }
        }
      }
    }
  }
}

package io.bemi.sql;

import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;

/** Creates and upgrades the destination schema (the changes table and the query functions). */
public final class Migrations {

  private Migrations() {}

  /**
   * Applies every pending migration to {@code schema} (created when missing). Idempotent; safe to
   * call from several processes at once (Flyway takes an advisory lock).
   */
  public static MigrateResult migrate(DataSource destination, String schema) {
    CarriedGrants grants = new CarriedGrants(schema);
    Flyway flyway = configure(destination, schema).callbacks(grants).load();
    MigrateResult result = flyway.migrate();
    if (result.migrationsExecuted > 0) {
      // A migration that re-creates the changes table (V70) marks the repeatable migrations outdated: the
      // objects bound to the table's row type went with the old table. Flyway plans a run once, so a second
      // run re-applies them.
      MigrateResult repeatables = flyway.migrate();
      result.migrations.addAll(repeatables.migrations);
      result.migrationsExecuted += repeatables.migrationsExecuted;
      try {
        grants.grantAgain(destination); // on the views the second run re-created
      } catch (SQLException e) {
        throw new FlywayException("Giving the grants on " + schema + "'s views again after V70 failed: " + e.getMessage(), e);
      }
    }
    return result;
  }

  static Flyway flyway(DataSource destination, String schema) {
    return configure(destination, schema).load();
  }

  private static FluentConfiguration configure(DataSource destination, String schema) {
    SqlNames.destinationSchema(schema);
    return Flyway.configure()
        .dataSource(destination)
        .locations(BemiSql.MIGRATIONS_LOCATION)
        .schemas(schema)
        .defaultSchema(schema)
        .createSchemas(true)
        .table("flyway_schema_history")
        .loggers("slf4j");
  }
}

package io.bemi.sql;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/** Creates and upgrades the destination schema (the changes table and the query functions). */
public final class Migrations {

  private Migrations() {}

  /**
   * Applies every pending migration to {@code schema} (created when missing). Idempotent; safe to
   * call from several processes at once (Flyway takes an advisory lock).
   */
  public static MigrateResult migrate(DataSource destination, String schema) {
    Flyway flyway = flyway(destination, schema);
    MigrateResult result = flyway.migrate();
    if (result.migrationsExecuted > 0) {
      // A migration that re-creates the changes table (V70) marks the repeatable migrations outdated: the
      // objects bound to the table's row type went with the old table. Flyway plans a run once, so a second
      // run re-applies them.
      MigrateResult repeatables = flyway.migrate();
      result.migrations.addAll(repeatables.migrations);
      result.migrationsExecuted += repeatables.migrationsExecuted;
    }
    return result;
  }

  static Flyway flyway(DataSource destination, String schema) {
    SqlNames.destinationSchema(schema);
    return Flyway.configure()
        .dataSource(destination)
        .locations(BemiSql.MIGRATIONS_LOCATION)
        .schemas(schema)
        .defaultSchema(schema)
        .createSchemas(true)
        .table("flyway_schema_history")
        .loggers("slf4j")
        .load();
  }
}

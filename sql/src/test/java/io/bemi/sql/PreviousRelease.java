package io.bemi.sql;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * A trail as the previous release left it: its own migrations (test resources
 * {@code io/bemi/sql/previous-release}, copied unchanged from that release), versioned and
 * repeatable, so an upgrade test starts from that release's tables, functions and views.
 */
public final class PreviousRelease {

  private PreviousRelease() {}

  /** Migrates {@code schema} of {@code destination} with the previous release's migrations. */
  public static void migrate(DataSource destination, String schema) {
    Flyway.configure().configuration(Migrations.flyway(destination, schema).getConfiguration())
        .locations("classpath:io/bemi/sql/previous-release")
        .load().migrate();
  }
}

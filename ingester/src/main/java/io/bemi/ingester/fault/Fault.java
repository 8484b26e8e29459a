package io.bemi.ingester.fault;

import io.bemi.ingester.catalog.SourceCatalog;
import io.bemi.ingester.leader.Role;
import io.bemi.ingester.replication.SetupMissingException;
import java.io.IOException;
import java.sql.SQLException;
import java.util.Map;

/**
 * What a failure of a session is: an {@link Role#OUTAGE} (a database unreachable or failing, heals
 * by itself) or a {@link Role#MISCONFIGURED} setting (wrong password, missing database, privilege
 * or setup: heals only when someone fixes it, so at start it stops the ingester with the fix).
 *
 * @param kind {@link Role#OUTAGE} or {@link Role#MISCONFIGURED}
 * @param description what failed, with the SQL state and, for a misconfiguration, the fix
 */
public record Fault(Role kind, String description) {

  /** SQL states that mean a setting is wrong, with what to do about it. */
  private static final Map<String, String> FIXES = Map.of(
      "28P01", "check the user and password of --source-url and --destination-url (BEMI_SOURCE_URL, "
          + "BEMI_DESTINATION_URL)",
      "28000", "the server refused the login: add a pg_hba.conf entry for this host, user and database (a "
          + "replication connection needs the REPLICATION attribute too) or check the role has LOGIN",
      "3D000", "the database named in --source-url or --destination-url does not exist: correct the URL or "
          + "create the database",
      "42501", "grant the privilege named above (docs/ingester.md lists what the ingester needs); nothing is "
          + "confirmed to the slot meanwhile",
      "42704", "an object `bemi-ingester setup` creates (the publication?) is missing: run setup again",
      "3F000", "the schema named above does not exist: check --destination-schema");

  public boolean misconfigured() {
    return kind == Role.MISCONFIGURED;
  }

  /** Classifies a failure by the first SQL state in its causes; anything else is an outage. */
  public static Fault of(Throwable failure) {
    if (failure instanceof SetupMissingException) {
      return new Fault(Role.MISCONFIGURED, failure.getMessage());
    }
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        String state = sql.getSQLState();
        String fix = state == null ? null : FIXES.get(state);
        if (fix != null) {
          return new Fault(Role.MISCONFIGURED, "Misconfigured (SQLSTATE " + state + "): " + firstLine(t) + "; fix: " + fix);
        }
        if ("57014".equals(state)) {
          return new Fault(Role.OUTAGE, "A statement was canceled (SQLSTATE 57014): " + firstLine(t)
              + "; check statement_timeout and locks on the destination (pg_stat_activity), nothing is confirmed "
              + "to the slot meanwhile");
        }
        return new Fault(Role.OUTAGE, "Database unavailable" + (state == null ? "" : " (SQLSTATE " + state + ")")
            + ": " + firstLine(t));
      }
    }
    return new Fault(Role.OUTAGE, failure.toString());
  }

  /** Outages heal; bad data, bad SQL and missing privileges do not. */
  public static boolean retryable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        String state = sql.getSQLState();
        return state == null || !(state.startsWith("22") || state.startsWith("23") || state.startsWith("42"));
      }
      if (t instanceof IOException || t instanceof SourceCatalog.CatalogException) {
        return true;
      }
    }
    return false;
  }

  /**
   * A privilege revoked while running (e.g. INSERT on the changes table): nothing is confirmed to
   * the slot meanwhile, so retrying until someone grants it again loses nothing.
   */
  public static boolean permissionDenied(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        return "42501".equals(sql.getSQLState());
      }
    }
    return false;
  }

  /** The first line of a failure's message (pgjdbc adds Detail and Hint lines). */
  public static String firstLine(Throwable t) {
    String message = String.valueOf(t.getMessage());
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}

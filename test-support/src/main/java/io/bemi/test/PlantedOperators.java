package io.bemi.test;

import java.sql.SQLException;
import java.util.List;

/**
 * Operators an untrusted role can plant in {@code public} (where every role may create objects
 * before PostgreSQL 15) to run its code in another role's session: {@code =} for the comparisons
 * SQL makes with pgjdbc's {@code varchar} parameters ({@code slot = ?} on text and name columns).
 * Each is an exact match, so with {@code public} on the session's search_path it wins over
 * pg_catalog's {@code text = text}. Each records the session's application name and statement,
 * then answers as the built-in would, so nothing visibly breaks.
 */
public final class PlantedOperators {

  private PlantedOperators() {}

  public static void plant(TestDatabase db) throws SQLException {
    db.execute("CREATE TABLE public.planted_ran (application text, query text)",
        "GRANT INSERT ON public.planted_ran TO PUBLIC");
    for (String left : List.of("text", "name", "varchar")) {
      db.execute("CREATE FUNCTION public.planted_" + left + "(" + left + ", varchar) RETURNS boolean"
              + " LANGUAGE plpgsql AS $$ BEGIN"
              + " INSERT INTO public.planted_ran VALUES (pg_catalog.current_setting('application_name'),"
              + " pg_catalog.current_query());"
              + " RETURN pg_catalog.texteq($1::text, $2::text); END $$",
          "CREATE OPERATOR public.= (LEFTARG = " + left + ", RIGHTARG = varchar, FUNCTION = public.planted_" + left + ")");
    }
  }

  /** The statements the planted operators ran in sessions named {@code application} (null: none). */
  public static String ranIn(TestDatabase db, String application) throws SQLException {
    return (String) db.queryValue("SELECT pg_catalog.string_agg(query, ' | ') FROM public.planted_ran"
        + " WHERE application OPERATOR(pg_catalog.=) '" + application.replace("'", "''") + "'::text");
  }

  /** Runs one probe comparison as the default search_path resolves it, proving the operators are live. */
  public static void probe(TestDatabase db) throws SQLException {
    db.execute("SET application_name = 'probe'; SELECT 1 WHERE 'x'::text = 'x'::varchar");
  }
}

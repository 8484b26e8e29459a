-- Typed history views: one row per change of one table, the row's own columns typed, plus the
-- change's time, operation and context:
--
--   SELECT create_history_view('public.users');   -- creates view users_history
--   SELECT * FROM users_history WHERE id = 42 ORDER BY bemi_committed_at;
--
-- The column list and types are read from the table when it is in this database (destination =
-- source, the default); otherwise pass them: p_columns => '[["id","bigint"],["name","text"]]'.
-- The view is bound to the column list only (jsonb_to_record), never to the table, so the table's
-- own migrations are never blocked by it; after the table gains or loses columns, call
-- create_history_view() again or refresh_history_views() (e.g. after each migration).

CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.create_history_view(p_table text, p_view_name text DEFAULT NULL,
                                                                p_columns jsonb DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $function$
DECLARE
  v_schema text := (${flyway:defaultSchema}.table_name_parts(p_table)).schema_name;
  v_table text := (${flyway:defaultSchema}.table_name_parts(p_table)).table_name;
  v_view text := coalesce(p_view_name,
                          CASE WHEN v_schema = 'public' THEN v_table ELSE v_schema || '_' || v_table END || '_history');
  v_rel regclass;
  v_definitions text;
BEGIN
  IF p_columns IS NULL THEN
    v_rel := to_regclass(format('%I.%I', v_schema, v_table));
    IF v_rel IS NULL THEN
      RAISE EXCEPTION 'bemi: table %.% is not in this database, so its columns are unknown', v_schema, v_table
        USING ERRCODE = 'undefined_table',
              HINT = 'Pass the columns: p_columns => ''[["id","bigint"],["name","text"]]''';
    END IF;
    SELECT string_agg(format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY a.attnum)
      INTO v_definitions
      FROM pg_attribute a
     WHERE a.attrelid = v_rel AND a.attnum > 0 AND NOT a.attisdropped;
  ELSE
    SELECT string_agg(format('%I %s', c.value ->> 0,
                             coalesce(format_type(to_regtype(c.value ->> 1), NULL), 'invalid type ' || (c.value ->> 1))),
                      ', ' ORDER BY c.ordinality)
      INTO v_definitions
      FROM jsonb_array_elements(p_columns) WITH ORDINALITY AS c(value, ordinality);
    IF v_definitions LIKE '%invalid type %' OR v_definitions IS NULL THEN
      RAISE EXCEPTION 'bemi: p_columns must be a JSON array of [name, type] pairs with types known here, got %', p_columns
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
  END IF;

  EXECUTE format('DROP VIEW IF EXISTS ${flyway:defaultSchema}.%I', v_view);
  EXECUTE format($view$
    CREATE VIEW ${flyway:defaultSchema}.%1$I AS
    SELECT c.id AS bemi_change_id,
           c.committed_at AS bemi_committed_at,
           c.operation AS bemi_operation,
           c.context AS bemi_context,
           c.transaction_id AS bemi_transaction_id,
           c.primary_key AS bemi_primary_key,
           r.*
      FROM ${flyway:defaultSchema}.changes c
     CROSS JOIN LATERAL jsonb_to_record(CASE WHEN c.operation = 'DELETE' THEN ${flyway:defaultSchema}.change_before(c) ELSE c.after END)
           AS r(%2$s)
     WHERE c.schema = %3$L AND c."table" = %4$L AND c.operation <> 'TRUNCATE'$view$,
    v_view, v_definitions, v_schema, v_table);
  EXECUTE format('COMMENT ON VIEW ${flyway:defaultSchema}.%I IS %L', v_view,
                 format('Typed history of %I.%I (one row per change); made by create_history_view()', v_schema, v_table));

  INSERT INTO ${flyway:defaultSchema}.history_views AS h (view_name, schema, "table", columns)
  VALUES (v_view, v_schema, v_table, p_columns)
  ON CONFLICT (view_name) DO UPDATE SET schema = excluded.schema, "table" = excluded."table",
                                        columns = excluded.columns, created_at = now();
  RETURN v_view;
END
$function$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.create_history_view(text, text, jsonb) IS
  'Creates (or re-creates) a typed history view of one table; returns the view name';

-- Re-creates every view made by create_history_view() from the tables' current columns.
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.refresh_history_views()
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $function$
DECLARE
  v record;
  v_count integer := 0;
BEGIN
  FOR v IN SELECT * FROM ${flyway:defaultSchema}.history_views ORDER BY view_name LOOP
    PERFORM ${flyway:defaultSchema}.create_history_view(format('%I.%I', v.schema, v."table"), v.view_name, v.columns);
    v_count := v_count + 1;
  END LOOP;
  RETURN v_count;
END
$function$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.refresh_history_views() IS
  'Re-creates every typed history view from its table''s current columns; returns how many';

-- Restore and roll forward: statements for a database that bring tables back to an instant, or
-- replay recorded changes onto another database with the same schema. Both are written by
-- row_steps_script() (R__2_revert.sql): one atomic DO statement, search_path pinned to
-- pg_catalog, audited with a '_bemi' message, every row checked before it is written (BM001
-- instead of overwriting, unless forced), the same refusals as a revert (BM002, BM003, BM006,
-- BM007).
--
-- Restore works on the records that changed after the instant only (plus, after a later
-- TRUNCATE, every row the table had then): for each, the row at the instant (record_as_of) is
-- compared with the row the trail holds now; the statement deletes, inserts or updates it. So its
-- cost grows with the changes since the instant, not with the table's size. Inserts and updates
-- run parents first and deletes children first by the source's foreign keys (deferrable
-- constraints are deferred). Rows of tables without a key cannot be told apart: refused (BM003).

-- One row per record the restore touches: what it does, the row at the instant (desired) and the
-- row the trail holds now (expected, what the source must still hold), redacted columns removed.
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.restore_plan(p_tables text[], p_at timestamptz)
RETURNS TABLE(schema_name text, table_name text, primary_key text, action text, desired jsonb, expected jsonb,
              redacted_columns text[])
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
  WITH tables AS (
    SELECT DISTINCT (${flyway:defaultSchema}.table_name_parts(x)).schema_name AS s,
                    (${flyway:defaultSchema}.table_name_parts(x)).table_name AS n
      FROM unnest(p_tables) x
  ), keys AS (
    -- every record changed after the instant (changes_table_time_idx)
    SELECT DISTINCT t.s, t.n, c.primary_key
      FROM tables t
      JOIN ${flyway:defaultSchema}.changes c ON c."table" = t.n AND c.committed_at > p_at AND c.schema = t.s
     WHERE c.primary_key IS NOT NULL
    UNION
    -- after a later TRUNCATE, every row the table had at the instant
    SELECT t.s, t.n, a.primary_key
      FROM tables t
     CROSS JOIN LATERAL ${flyway:defaultSchema}.table_as_of(format('%I.%I', t.s, t.n), p_at) a
     WHERE EXISTS (SELECT 1 FROM ${flyway:defaultSchema}.changes x
                    WHERE x.operation = 'TRUNCATE' AND x.schema = t.s AND x."table" = t.n AND x.committed_at > p_at)
  ), states AS (
    -- record_as_of(…, p_at) and record_as_of(…, now), inlined: one backward probe of
    -- changes_record_idx each, plus the truncate check on changes_truncate_idx
    SELECT k.s, k.n, k.primary_key,
           (SELECT CASE WHEN c.operation IN ('CREATE', 'UPDATE', 'SNAPSHOT') THEN c.after END
              FROM ${flyway:defaultSchema}.changes c
             WHERE c.schema = k.s AND c."table" = k.n AND c.primary_key = k.primary_key AND c.committed_at <= p_at
               AND NOT EXISTS (SELECT 1 FROM ${flyway:defaultSchema}.changes t
                                WHERE t.operation = 'TRUNCATE' AND t.schema = k.s AND t."table" = k.n
                                  AND (t.commit_lsn, t.change_index) > (c.commit_lsn, c.change_index)
                                  AND t.committed_at <= p_at)
             ORDER BY c.commit_lsn DESC, c.change_index DESC
             LIMIT 1) AS desired,
           (SELECT CASE WHEN c.operation IN ('CREATE', 'UPDATE', 'SNAPSHOT') THEN c.after END
              FROM ${flyway:defaultSchema}.changes c
             WHERE c.schema = k.s AND c."table" = k.n AND c.primary_key = k.primary_key
               AND NOT EXISTS (SELECT 1 FROM ${flyway:defaultSchema}.changes t
                                WHERE t.operation = 'TRUNCATE' AND t.schema = k.s AND t."table" = k.n
                                  AND (t.commit_lsn, t.change_index) > (c.commit_lsn, c.change_index))
             ORDER BY c.commit_lsn DESC, c.change_index DESC
             LIMIT 1) AS expected
      FROM keys k
  )
  SELECT s.s, s.n, s.primary_key,
         CASE WHEN s.desired IS NULL THEN 'delete' WHEN s.expected IS NULL THEN 'insert' ELSE 'update' END,
         ${flyway:defaultSchema}.without_redacted(s.desired),
         ${flyway:defaultSchema}.without_redacted(s.expected),
         ${flyway:defaultSchema}.redacted_columns(s.desired)
    FROM states s
   WHERE s.desired IS DISTINCT FROM s.expected
   ORDER BY s.s, s.n, s.primary_key
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.restore_plan(text[], timestamptz) IS
  'The records a restore of the tables to an instant touches: action, row then (desired), row now (expected)';

-- The dry run: how many rows a restore inserts, updates and deletes per table.
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.restore_counts(p_tables text[], p_at timestamptz)
RETURNS TABLE(schema_name text, table_name text, inserts bigint, updates bigint, deletes bigint)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT t.s, t.n,
         count(p.action) FILTER (WHERE p.action = 'insert'),
         count(p.action) FILTER (WHERE p.action = 'update'),
         count(p.action) FILTER (WHERE p.action = 'delete')
    FROM (SELECT DISTINCT (${flyway:defaultSchema}.table_name_parts(x)).schema_name AS s,
                          (${flyway:defaultSchema}.table_name_parts(x)).table_name AS n FROM unnest(p_tables) x) t
    LEFT JOIN ${flyway:defaultSchema}.restore_plan(p_tables, p_at) p ON p.schema_name = t.s AND p.table_name = t.n
   GROUP BY t.s, t.n
   ORDER BY t.s, t.n
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.restore_counts(text[], timestamptz) IS
  'Dry run of a restore: rows inserted, updated and deleted per table';

-- The statement for the source that brings the tables back to their state at p_at.
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.restore_tables_sql(p_tables text[], p_at timestamptz,
                                                               p_force boolean DEFAULT false, p_context jsonb DEFAULT '{}')
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp AS $function$
DECLARE
  v_steps jsonb;
  v_redacted text;
  v_keyless text;
  v_context jsonb;
BEGIN
  IF p_tables IS NULL OR cardinality(p_tables) = 0 OR p_at IS NULL THEN
    RAISE EXCEPTION 'bemi restore: give the tables and the instant to restore them to'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT string_agg(DISTINCT format('%I.%I', c.schema, c."table"), ', ') INTO v_keyless
    FROM unnest(p_tables) x
    JOIN ${flyway:defaultSchema}.changes c
      ON c."table" = (${flyway:defaultSchema}.table_name_parts(x)).table_name AND c.committed_at > p_at
     AND c.schema = (${flyway:defaultSchema}.table_name_parts(x)).schema_name
   WHERE c.primary_key IS NULL AND c.operation <> 'TRUNCATE';
  IF v_keyless IS NOT NULL THEN
    RAISE EXCEPTION 'bemi restore: % changed after % but has no key, so its rows cannot be told apart', v_keyless, p_at
      USING ERRCODE = 'BM003', HINT = 'Give the table a primary key (or a replica identity index), or restore it from a backup.';
  END IF;

  SELECT jsonb_agg(jsonb_build_object(
           'step', p.step, 'action', p.action, 'relation', format('%I.%I', p.schema_name, p.table_name),
           'primary_key', p.primary_key, 'restore', p.desired, 'expected', p.expected,
           'label', format('%s %I.%I key %s', p.action, p.schema_name, p.table_name, p.primary_key)) ORDER BY p.step),
         string_agg(format('%I.%I key %s: %s', p.schema_name, p.table_name, p.primary_key,
                           array_to_string(p.redacted_columns, ', ')), '; ' ORDER BY p.step)
           FILTER (WHERE p.action = 'insert' AND cardinality(p.redacted_columns) > 0)
    INTO v_steps, v_redacted
    FROM (SELECT r.*, row_number() OVER (ORDER BY r.schema_name, r.table_name, r.primary_key)::integer AS step
            FROM ${flyway:defaultSchema}.restore_plan(p_tables, p_at) r) p;

  IF v_redacted IS NOT NULL THEN
    RAISE EXCEPTION 'bemi restore: rows to insert have values redacted in the trail: %', v_redacted
      USING ERRCODE = 'BM006', HINT = 'The trail does not hold those values; restore those rows from a backup.';
  END IF;

  v_context := coalesce(p_context, '{}'::jsonb)
               || jsonb_build_object('restoreOf', jsonb_build_object('tables', to_jsonb(p_tables), 'at', p_at));
  IF p_force THEN
    v_context := jsonb_set(v_context, '{restoreOf,forced}', 'true');
  END IF;
  RETURN ${flyway:defaultSchema}.row_steps_script('restore', coalesce(v_steps, '[]'), p_force, v_context, true);
END
$function$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.restore_tables_sql(text[], timestamptz, boolean, jsonb) IS
  'A statement for the source that brings the tables back to their exact state at an instant';

CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.restore_table_sql(p_table text, p_at timestamptz,
                                                              p_force boolean DEFAULT false, p_context jsonb DEFAULT '{}')
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT ${flyway:defaultSchema}.restore_tables_sql(ARRAY[p_table], p_at, p_force, p_context)
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.restore_table_sql(text, timestamptz, boolean, jsonb) IS
  'A statement for the source that brings one table back to its exact state at an instant';

-- Roll forward: the statement that replays the given changes, in commit order, onto a database
-- with the same schema. Each row is checked first: an insert needs its key free, an update or
-- delete needs the row as it was before the change (BM001 otherwise, unless forced).
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.replay_changes_sql(p_change_ids uuid[], p_force boolean DEFAULT false,
                                                               p_replay_of jsonb DEFAULT NULL, p_context jsonb DEFAULT '{}')
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp AS $function$
DECLARE
  v_steps jsonb;
  v_impossible text;
  v_redacted text;
  v_context jsonb;
BEGIN
  WITH selected AS (
    SELECT c.*, CASE WHEN c.operation IN ('UPDATE', 'DELETE') THEN ${flyway:defaultSchema}.change_before(c) END AS before_row,
           row_number() OVER (ORDER BY c.commit_lsn, c.change_index)::integer AS step
      FROM ${flyway:defaultSchema}.changes c
     WHERE c.id = ANY (p_change_ids)
  )
  SELECT jsonb_agg(jsonb_build_object(
           'step', s.step,
           'action', CASE s.operation WHEN 'UPDATE' THEN 'update' WHEN 'DELETE' THEN 'delete'
                                      WHEN 'TRUNCATE' THEN 'truncate' ELSE 'insert' END,
           'relation', format('%I.%I', s.schema, s."table"), 'change_id', s.id, 'primary_key', s.primary_key,
           'restore', ${flyway:defaultSchema}.without_redacted(CASE WHEN s.operation IN ('CREATE', 'SNAPSHOT', 'UPDATE') THEN s.after END),
           'expected', ${flyway:defaultSchema}.without_redacted(s.before_row),
           'label', format('replay %s of %I.%I key %s, change %s', s.operation, s.schema, s."table", s.primary_key, s.id))
           ORDER BY s.step),
         string_agg(format('change %s (%s of %s.%s key %s)', s.id, s.operation, s.schema, s."table", s.primary_key), '; ')
           FILTER (WHERE s.operation IN ('UPDATE', 'DELETE') AND s.before_row = '{}'::jsonb),
         string_agg(format('change %s (%s of %s.%s key %s)', s.id, s.operation, s.schema, s."table", s.primary_key), '; ')
           FILTER (WHERE s.operation IN ('CREATE', 'SNAPSHOT') AND cardinality(${flyway:defaultSchema}.redacted_columns(s.after)) > 0)
    INTO v_steps, v_impossible, v_redacted
    FROM selected s;

  IF v_steps IS NULL THEN
    RAISE EXCEPTION 'bemi replay: none of the given changes is in the trail'
      USING ERRCODE = 'no_data_found', HINT = 'Check the time range, context or commit LSN.';
  END IF;
  IF v_impossible IS NOT NULL THEN
    RAISE EXCEPTION 'bemi replay: the row before these changes is unknown, so the target row cannot be found: %', v_impossible
      USING ERRCODE = 'BM003', HINT = 'Use REPLICA IDENTITY FULL on the source, or a snapshot, so the trail holds the rows.';
  END IF;
  IF v_redacted IS NOT NULL THEN
    RAISE EXCEPTION 'bemi replay: rows to insert have values redacted in the trail: %', v_redacted
      USING ERRCODE = 'BM006', HINT = 'The trail does not hold those values; replay the other changes without these.';
  END IF;

  v_context := coalesce(p_context, '{}'::jsonb)
               || jsonb_build_object('replayOf', coalesce(p_replay_of, jsonb_build_object('changeIds', to_jsonb(p_change_ids))));
  RETURN ${flyway:defaultSchema}.row_steps_script('replay', v_steps, p_force, v_context, false);
END
$function$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.replay_changes_sql(uuid[], boolean, jsonb, jsonb) IS
  'A statement that replays the given changes (commit order, conflict-checked) onto a database with the same schema';

-- Roll forward a time range [p_from, p_to), optionally of some tables only.
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.replay_sql(p_from timestamptz, p_to timestamptz, p_tables text[] DEFAULT NULL,
                                                       p_force boolean DEFAULT false, p_context jsonb DEFAULT '{}')
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT ${flyway:defaultSchema}.replay_changes_sql(
           ARRAY(SELECT c.id FROM ${flyway:defaultSchema}.changes c
                  WHERE c.committed_at >= p_from AND c.committed_at < p_to AND c.operation <> 'SNAPSHOT'
                    AND (p_tables IS NULL OR EXISTS (
                          SELECT 1 FROM unnest(p_tables) x
                           WHERE c.schema = (${flyway:defaultSchema}.table_name_parts(x)).schema_name
                             AND c."table" = (${flyway:defaultSchema}.table_name_parts(x)).table_name))),
           p_force, jsonb_build_object('from', p_from, 'to', p_to, 'tables', to_jsonb(p_tables)), p_context)
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.replay_sql(timestamptz, timestamptz, text[], boolean, jsonb) IS
  'A statement that replays the changes committed in [from, to) onto a database with the same schema';

-- The identity of a restore plan: SHA-256 (hex) over every planned row (table, key, action, row
-- then, row now). A client that previewed a restore passes it back, and refuses to execute when
-- the plan is no longer the one previewed.
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.restore_plan_digest(p_tables text[], p_at timestamptz)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT encode(sha256(convert_to(coalesce(string_agg(
           format('%I.%I|%s|%s|%s|%s', p.schema_name, p.table_name, p.primary_key, p.action, p.desired, p.expected),
           E'\n' ORDER BY p.schema_name, p.table_name, p.primary_key), ''), 'UTF8')), 'hex')
    FROM ${flyway:defaultSchema}.restore_plan(p_tables, p_at) p
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.restore_plan_digest(text[], timestamptz) IS
  'SHA-256 (hex) of a restore plan: its identity between preview and execution';

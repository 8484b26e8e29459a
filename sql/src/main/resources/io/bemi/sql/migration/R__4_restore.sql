-- Restore and roll forward: statements for a database that bring tables back to an instant, or
-- replay recorded changes onto another database with the same schema. Roll forward is written by
-- row_steps_script() (R__2_revert.sql), restore by restore_script() (set-based, table by table):
-- one atomic DO statement, search_path pinned to pg_catalog, audited with a '_bemi' message, every
-- row checked before anything is written (BM001 instead of overwriting, unless forced), the same
-- refusals as a revert (BM002, BM003, BM006, BM007, BM009), and BM010 for rows whose state at the
-- instant the trail does not hold (the trail began later for them, without a baseline).
--
-- Restore works on the records that changed after the instant only (plus, after a later
-- TRUNCATE, every row the table had then): for each, the row at the instant is compared with the
-- row the trail holds now; the statement deletes, inserts or updates it. So its cost grows with
-- the changes since the instant, not with the table's size or the trail's. A record whose primary
-- key was updated since (previous_primary_key) is moved back under its old key by one UPDATE of
-- the key rather than deleted and inserted again, so it keeps its identity. Inserts and updates
-- run parents first and deletes children first by the source's foreign keys (deferrable
-- constraints are deferred). Rows of tables without a key cannot be told apart: refused (BM003).
-- One source's changes (p_source; NULL: the one source the tables' changes come from, refused
-- with BM008 when several, see resolve_source()): a restore never writes one source's rows into
-- another's database.

-- The key the record that now holds p_primary_key had at an instant: its UPDATEs of the key since
-- are walked back (changes_record_idx); NULL when the record was inserted after the instant.
DROP FUNCTION IF EXISTS ${flyway:defaultSchema}.key_at(text, text, text, timestamptz);
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.key_at(p_schema text, p_table text, p_primary_key text, p_at timestamptz,
                                                   p_source text)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_key text := p_primary_key;
  v_lsn bigint := 9223372036854775807;
  v_index integer := 0;
  v_arrival record;
BEGIN
  LOOP
    SELECT c.operation, c.previous_primary_key, c.commit_lsn, c.change_index INTO v_arrival
      FROM ${flyway:defaultSchema}.changes c
     WHERE c.schema = p_schema AND c."table" = p_table AND c.primary_key = v_key AND c.committed_at > p_at
       AND (c.commit_lsn, c.change_index) < (v_lsn, v_index) AND c.source = p_source
       AND (c.operation = 'CREATE' OR c.previous_primary_key IS NOT NULL)
     ORDER BY c.commit_lsn DESC, c.change_index DESC
     LIMIT 1;
    IF NOT FOUND THEN
      RETURN v_key;
    ELSIF v_arrival.operation = 'CREATE' THEN
      RETURN NULL;
    END IF;
    v_key := v_arrival.previous_primary_key;
    v_lsn := v_arrival.commit_lsn;
    v_index := v_arrival.change_index;
  END LOOP;
END
$$;

-- One row per record the restore touches: what it does, the row at the instant (desired) and the
-- row the trail holds now (expected, what the source must still hold), redacted columns removed.
-- Set-based: the changes of the tables after the instant are read once (changes_table_time_idx);
-- they give every key to look at and the row each holds now (the newest change touching the key:
-- its image, NULL after a DELETE, an UPDATE that moved the row to another key or a TRUNCATE). The
-- row at the instant is one backward probe of changes_record_idx per key, starting below the
-- key's first change since; for a table truncated since, table_as_of() gives every row it had.
-- PL/pgSQL, so the query is planned for the instant given (an SQL function would plan it for any
-- instant, and read the whole trail instead of the changes since). Sequential scans are off: the
-- tables come from an array, so the planner estimates the changes since as a share of the whole
-- trail (7.5M of 100M where there were 10,000) and scanned every partition (29 s at 100M changes);
-- changes_table_time_idx reads the changes since, however many (0.7 s).
DROP FUNCTION IF EXISTS ${flyway:defaultSchema}.restore_plan(text[], timestamptz);
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.restore_plan(p_tables text[], p_at timestamptz, p_source text DEFAULT NULL)
RETURNS TABLE(schema_name text, table_name text, primary_key text, action text, desired jsonb, expected jsonb,
              redacted_columns text[])
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET enable_seqscan = off AS $function$
#variable_conflict use_column
DECLARE
  v_source constant text := ${flyway:defaultSchema}.resolve_source(p_tables, p_source);
BEGIN
  RETURN QUERY
  WITH tables AS (
    SELECT DISTINCT (${flyway:defaultSchema}.table_name_parts(x)).schema_name AS s,
                    (${flyway:defaultSchema}.table_name_parts(x)).table_name AS n
      FROM unnest(p_tables) x
  ), later AS MATERIALIZED (
    SELECT c.schema AS s, c."table" AS n, c.primary_key, c.previous_primary_key, c.operation, c.after,
           c.commit_lsn, c.change_index, c.id, c.committed_at
      FROM tables t
      JOIN ${flyway:defaultSchema}.changes c ON c."table" = t.n AND c.committed_at > p_at AND c.schema = t.s
                                        AND c.source = v_source
  ), events AS MATERIALIZED (
    -- what each change since did to a key: left its row (NULL: deleted), or moved it away
    SELECT l.s, l.n, l.primary_key AS k, l.commit_lsn, l.change_index,
           CASE WHEN l.operation IN ('CREATE', 'UPDATE', 'SNAPSHOT') THEN l.after END AS image, l.id, l.committed_at
      FROM later l WHERE l.primary_key IS NOT NULL
    UNION ALL
    SELECT l.s, l.n, l.previous_primary_key, l.commit_lsn, l.change_index, NULL, l.id, l.committed_at
      FROM later l WHERE l.previous_primary_key IS NOT NULL
  ), truncated AS (  -- the last TRUNCATE since, per table
    SELECT DISTINCT ON (l.s, l.n) l.s, l.n, l.commit_lsn, l.change_index
      FROM later l WHERE l.operation = 'TRUNCATE'
     ORDER BY l.s, l.n, l.commit_lsn DESC, l.change_index DESC
  ), keyed AS (  -- per key: its first change since, and the row it holds now
    SELECT f.s, f.n, f.k, f.commit_lsn AS first_lsn, f.change_index AS first_index, f.id AS first_id,
           f.committed_at AS first_at, tr.s IS NOT NULL AS truncated,
           CASE WHEN tr.s IS NULL OR (l.commit_lsn, l.change_index) > (tr.commit_lsn, tr.change_index) THEN l.image END
             AS expected
      FROM (SELECT DISTINCT ON (e.s, e.n, e.k) e.* FROM events e
             ORDER BY e.s, e.n, e.k, e.commit_lsn, e.change_index) f
      JOIN (SELECT DISTINCT ON (e.s, e.n, e.k) e.* FROM events e
             ORDER BY e.s, e.n, e.k, e.commit_lsn DESC, e.change_index DESC) l ON l.s = f.s AND l.n = f.n AND l.k = f.k
      LEFT JOIN truncated tr ON tr.s = f.s AND tr.n = f.n
  ), states AS MATERIALIZED (
    -- a table truncated since: every key it had then or has changed since, the row then from table_as_of
    SELECT coalesce(k.s, a.s) AS s, coalesce(k.n, a.n) AS n, coalesce(k.k, a.primary_key) AS primary_key,
           a."row" AS desired, k.expected, false AS unknown
      FROM (SELECT * FROM keyed WHERE truncated) k
      FULL JOIN (SELECT tr.s, tr.n, r.primary_key, r."row" FROM truncated tr
                  CROSS JOIN LATERAL ${flyway:defaultSchema}.table_as_of(format('%I.%I', tr.s, tr.n), p_at, v_source) r) a
        ON a.s = k.s AND a.n = k.n AND a.primary_key = k.k
    UNION ALL
    -- the others: the key's newest change before its first one since, unless a TRUNCATE or an
    -- UPDATE of the key (changes_truncate_idx, changes_previous_key_idx) came after it; with no
    -- change before, the row existed then if its first change since is an UPDATE, a DELETE or a
    -- baseline copy: as that UPDATE or DELETE found it when it holds the whole old row (REPLICA
    -- IDENTITY FULL), else unknown (the trail began later, without a baseline): refused, BM010
    SELECT k.s, k.n, k.k, CASE WHEN p.found THEN p.image WHEN o.existed THEN o.old_row END, k.expected,
           p.found IS NULL AND coalesce(o.existed, false) AND o.old_row IS NULL
      FROM keyed k
      LEFT JOIN LATERAL (
        SELECT true AS found, CASE WHEN c.operation IN ('CREATE', 'UPDATE', 'SNAPSHOT') THEN c.after END AS image
          FROM ${flyway:defaultSchema}.changes c
         WHERE c."table" = k.n AND c.primary_key = k.k AND c.schema = k.s
           AND (c.commit_lsn, c.change_index) < (k.first_lsn, k.first_index) AND c.committed_at <= p_at
           AND c.source = v_source
           AND NOT EXISTS (SELECT 1 FROM ${flyway:defaultSchema}.changes t
                            WHERE t.operation = 'TRUNCATE' AND t.schema = k.s AND t."table" = k.n
                              AND (t.commit_lsn, t.change_index) > (c.commit_lsn, c.change_index)
                              AND t.committed_at <= p_at AND t.source = v_source)
           AND NOT EXISTS (SELECT 1 FROM ${flyway:defaultSchema}.changes d
                            WHERE d.previous_primary_key = k.k AND d.schema = k.s AND d."table" = k.n
                              AND (d.commit_lsn, d.change_index) > (c.commit_lsn, c.change_index)
                              AND d.committed_at <= p_at AND d.source = v_source)
         ORDER BY c.commit_lsn DESC, c.change_index DESC
         LIMIT 1) p ON true
      LEFT JOIN LATERAL (
        SELECT CASE WHEN f.previous_primary_key = k.k THEN true       -- moved away from this key: it was here
                    WHEN f.previous_primary_key IS NOT NULL THEN false -- came to this key by a key update
                    ELSE f.operation IN ('UPDATE', 'DELETE', 'SNAPSHOT') END AS existed,
               ${flyway:defaultSchema}.whole_old_row(f) AS old_row
          FROM ${flyway:defaultSchema}.changes f
         WHERE p.found IS NULL AND f.id = k.first_id AND f.committed_at = k.first_at) o ON true
     WHERE NOT k.truncated
  ), steps AS (
    SELECT s.s, s.n, s.primary_key,
           CASE WHEN s.unknown THEN 'unknown' WHEN s.desired IS NULL THEN 'delete' WHEN s.expected IS NULL THEN 'insert'
                ELSE 'update' END AS action,
           s.desired, s.expected
      FROM states s
     WHERE s.desired IS DISTINCT FROM s.expected OR s.unknown
  ), moves AS (
    -- a row to delete whose record had another key at the instant, where a row is to be inserted:
    -- one UPDATE of the key instead (the record keeps its identity; a unique column cannot collide)
    SELECT d.s, d.n, d.primary_key AS now_key, i.primary_key AS then_key, i.desired AS then_row
      FROM steps d
      JOIN steps i ON i.s = d.s AND i.n = d.n AND i.action = 'insert'
                  AND i.primary_key = ${flyway:defaultSchema}.key_at(d.s, d.n, d.primary_key, p_at, v_source)
     WHERE d.action = 'delete'
  )
  SELECT st.s, st.n, st.primary_key, CASE WHEN m.now_key IS NOT NULL THEN 'update' ELSE st.action END,
         ${flyway:defaultSchema}.without_redacted(coalesce(m.then_row, st.desired)),
         ${flyway:defaultSchema}.without_redacted(st.expected),
         ${flyway:defaultSchema}.redacted_columns(coalesce(m.then_row, st.desired))
    FROM steps st
    LEFT JOIN moves m ON m.s = st.s AND m.n = st.n AND m.now_key = st.primary_key
   WHERE NOT EXISTS (SELECT 1 FROM moves x WHERE x.s = st.s AND x.n = st.n AND x.then_key = st.primary_key)
   ORDER BY st.s, st.n, st.primary_key;
END
$function$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.restore_plan(text[], timestamptz, text) IS
  'The records a restore of the tables to an instant touches: action, row then (desired), row now (expected)';

-- The dry run: how many rows a restore inserts, updates and deletes per table.
DROP FUNCTION IF EXISTS ${flyway:defaultSchema}.restore_counts(text[], timestamptz);
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.restore_counts(p_tables text[], p_at timestamptz, p_source text DEFAULT NULL)
RETURNS TABLE(schema_name text, table_name text, inserts bigint, updates bigint, deletes bigint)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT t.s, t.n,
         count(p.action) FILTER (WHERE p.action = 'insert'),
         count(p.action) FILTER (WHERE p.action = 'update'),
         count(p.action) FILTER (WHERE p.action = 'delete')
    FROM (SELECT DISTINCT (${flyway:defaultSchema}.table_name_parts(x)).schema_name AS s,
                          (${flyway:defaultSchema}.table_name_parts(x)).table_name AS n FROM unnest(p_tables) x) t
    LEFT JOIN ${flyway:defaultSchema}.restore_plan(p_tables, p_at, p_source) p ON p.schema_name = t.s AND p.table_name = t.n
   GROUP BY t.s, t.n
   ORDER BY t.s, t.n
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.restore_counts(text[], timestamptz, text) IS
  'Dry run of a restore: rows inserted, updated and deleted per table';

-- The statement that applies a restore plan on the source. p_tables is a JSON array of
-- {relation ('"schema"."table"'), steps: [{step, action ('insert'|'update'|'delete'), primary_key,
-- restore (the row then), expected (the row now)}]}. One DO statement, as row_steps_script()
-- writes for a revert (search_path pinned, '_bemi' message, the same checks, refusals and
-- messages), but set-based: first, per table, one statement checks and locks every row the
-- restore touches (a join on the key) and raises before anything is written; then one UPDATE per
-- table and one INSERT per table and set of columns (parents first by the source's foreign keys),
-- then one DELETE per table (children first), each over the rows as jsonb_populate_record(set)
-- builds them. Deferrable constraints are deferred. A row a write does not find where the check
-- locked it (moved by a cascading foreign key action or a trigger meanwhile) is a conflict.
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.restore_script(p_tables jsonb, p_force boolean, p_context jsonb)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp AS $function$
BEGIN
  RETURN ${flyway:defaultSchema}.do_statement('bemi_restore', format($template$
DECLARE
  v_search_path constant text := pg_catalog.current_setting('search_path');
  v_force constant boolean := %s;
  v_tables constant text := %L;
  v_kind constant text := 'restore';
  v_table record;
  v_relation text;
  v_rel oid;
  v_name text;
  v_key text[];
  v_table_columns text[];
  v_writable text[];
  v_bad record;
  v_checked record;
  v_writes jsonb := '[]';
  v_write record;
  v_columns text[];
  v_rows jsonb;
  v_locked bigint;
  v_written bigint;
  v_sql text;
  v_unparsed text;
BEGIN
  -- Built-ins from pg_catalog only, whatever the session's search_path holds (restored for writes and at the end).
  PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
  -- The statement's own context: its changes are captured with it.
  PERFORM pg_logical_emit_message(true, '_bemi', %L);
  SET CONSTRAINTS ALL DEFERRED;

  -- 1. Every table resolved and every row checked and locked before anything is written.
  FOR v_table IN
    WITH t AS (
      SELECT t.relation, t.steps, to_regclass(t.relation) AS rel
        FROM jsonb_to_recordset(v_tables::jsonb) AS t(relation text, steps jsonb)
    ), depth AS (  -- foreign-key depth among the tables: parents 0, their children 1, ...
      WITH RECURSIVE d(rel, depth) AS (
        SELECT t.rel, 0 FROM t WHERE t.rel IS NOT NULL
        UNION ALL
        SELECT k.conrelid, d.depth + 1
          FROM d JOIN pg_constraint k ON k.confrelid = d.rel AND k.contype = 'f' AND k.conrelid <> k.confrelid
         WHERE d.depth < 32 AND k.conrelid IN (SELECT t.rel FROM t))
      SELECT d.rel, max(d.depth) AS depth FROM d GROUP BY d.rel
    )
    SELECT t.relation, t.steps, coalesce(depth.depth, 0) AS depth
      FROM t LEFT JOIN depth ON depth.rel = t.rel ORDER BY t.relation
  LOOP
    v_relation := v_table.relation;
%s    IF v_key IS NULL THEN
      RAISE EXCEPTION 'bemi restore refused: table %% has no primary key or replica identity index any more', v_name
        USING ERRCODE = 'BM007', HINT = 'Nothing was changed. The table was altered since; give it its key back, or restore it by hand.';
    END IF;

    -- The columns a row writes: an insert every column of its image, an update those whose value
    -- differs from the expected row. A column the table no longer has (dropped or renamed since)
    -- cannot be written: refuse rather than apply half of the restore.
    SELECT s.step, s.action, s.primary_key, string_agg(e.key, ', ' ORDER BY e.key) AS missing INTO v_bad
      FROM jsonb_to_recordset(v_table.steps) AS s(step integer, action text, primary_key text, restore jsonb, expected jsonb)
     CROSS JOIN LATERAL jsonb_each(coalesce(s.restore, '{}')) e
     WHERE (s.action = 'insert' OR e.value IS DISTINCT FROM (s.expected -> e.key)) AND NOT (e.key = ANY (v_table_columns))
     GROUP BY s.step, s.action, s.primary_key
     ORDER BY s.step LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'bemi restore refused at step %% (%% %% key %%): table %% has no column %% any more (dropped or renamed since)',
            v_bad.step, v_bad.action, v_name, v_bad.primary_key, v_name, v_bad.missing
        USING ERRCODE = 'BM007', HINT = 'Nothing was changed. The table was altered after the change; write this step by hand.';
    END IF;

    -- Every row as this database renders it (the trail may hold e.g. a composite value as its
    -- text form, which to_jsonb renders as an object), its live row locked by key, and per row:
    -- the conflict (inserting needs the key free; anything else the row as the trail last saw it,
    -- columns the table gained or lost since not compared; column names only, never values: the
    -- live row may hold values the trail redacts) and the columns to write (generated ones are
    -- computed by the source; a forced insert onto an existing row writes every column).
    BEGIN
      EXECUTE format($check$
        WITH s AS MATERIALIZED (
          SELECT s.step, s.action, s.primary_key, s.restore, s.expected,
                 to_jsonb(jsonb_populate_record(NULL::%%1$s, s.expected)) AS rendered,
                 jsonb_populate_record(NULL::%%1$s, CASE WHEN s.action = 'insert' THEN s.restore ELSE s.expected END) AS k,
                 jsonb_populate_record(NULL::%%1$s, s.restore) IS NULL AS parsed  -- every value parsed before a write
            FROM jsonb_to_recordset($1) AS s(step integer, action text, primary_key text, restore jsonb, expected jsonb)
        ), locked AS MATERIALIZED (
          SELECT s.step, t.ctid, to_jsonb(t.*) AS live FROM s JOIN %%1$s AS t ON %%2$s FOR UPDATE OF t
        ), checked AS (
          SELECT s.step, s.action, s.primary_key, s.restore, l.ctid,
                 CASE WHEN s.action = 'insert' AND l.ctid IS NOT NULL THEN 'a row with this key exists again'
                      WHEN s.action <> 'insert' AND l.ctid IS NULL THEN 'the row no longer exists'
                      WHEN s.action <> 'insert' THEN
                        (SELECT 'the row changed since in column(s) ' || string_agg(quote_ident(e.key), ', ' ORDER BY e.key)
                           FROM jsonb_each(s.expected) e
                          WHERE s.rendered ? e.key AND l.live ? e.key AND (l.live -> e.key) IS DISTINCT FROM (s.rendered -> e.key))
                 END AS differing,
                 ARRAY(SELECT e.key FROM jsonb_each(coalesce(s.restore, '{}')) e
                        WHERE e.key = ANY ($2) AND (s.action = 'insert' OR e.value IS DISTINCT FROM (s.expected -> e.key))
                        ORDER BY e.key) AS columns
            FROM s LEFT JOIN locked l ON l.step = s.step
           WHERE s.parsed IS NOT NULL
        )
        SELECT (SELECT jsonb_build_object('step', c.step, 'action', c.action, 'key', c.primary_key, 'differing', c.differing)
                  FROM checked c WHERE c.differing IS NOT NULL ORDER BY c.step LIMIT 1) AS conflict,
               (SELECT array_agg(c.ctid::text) FROM checked c WHERE c.action = 'delete' AND c.ctid IS NOT NULL) AS deletes,
               (SELECT jsonb_agg(jsonb_build_object('ctid', c.ctid::text, 'columns', c.columns, 'restore', c.restore) ORDER BY c.step)
                  FROM checked c WHERE c.action <> 'delete' AND (c.ctid IS NOT NULL OR c.action = 'insert')
                   AND cardinality(c.columns) > 0) AS writes,
               (SELECT string_agg(c.primary_key, ', ' ORDER BY c.step) FROM checked c
                 WHERE c.action <> 'insert' AND c.ctid IS NULL) AS skipped
        $check$, v_name,
        (SELECT string_agg(format('t.%%1$I OPERATOR(pg_catalog.=) (s.k).%%1$I', k), ' AND ') FROM unnest(v_key) AS k))
        INTO v_checked USING v_table.steps, v_writable;
    EXCEPTION WHEN data_exception THEN
      RAISE EXCEPTION 'bemi restore refused: the recorded values no longer fit the columns of %% (a type changed since; %%)',
            v_name, SQLSTATE
        USING ERRCODE = 'BM007', HINT = 'Nothing was changed. The table was altered after the change; restore it by hand.';
    END;
    IF v_checked.conflict IS NOT NULL AND NOT v_force THEN
      RAISE EXCEPTION 'bemi restore conflict at step %% (%% %% key %%): %%', v_checked.conflict ->> 'step',
            v_checked.conflict ->> 'action', v_name, v_checked.conflict ->> 'key', v_checked.conflict ->> 'differing'
        USING ERRCODE = 'BM001',
              HINT = 'Nothing was changed. Restore again to pick up the later changes, or generate the statement with p_force => true to overwrite.';
    END IF;
    -- a value kept in the ingester's fallback form (json jsonb cannot hold) is a note of its text, not a value
    SELECT string_agg(DISTINCT format('%%I', c), ', ') INTO v_unparsed
      FROM jsonb_to_recordset(coalesce(v_checked.writes, '[]')) AS w(columns text[], restore jsonb)
     CROSS JOIN LATERAL unnest(w.columns) AS c
     WHERE jsonb_typeof(w.restore -> c) = 'object' AND (w.restore -> c) ? '_bemi_unparsed';
    IF v_unparsed IS NOT NULL THEN
      RAISE EXCEPTION 'bemi restore refused: column(s) %% of %% were recorded in the fallback form (a value jsonb cannot hold, or one too large for the ingester, kept as its size and hash), which cannot be written back',
            v_unparsed, v_name
        USING ERRCODE = 'BM009', HINT = 'Nothing was changed. Restore those rows by hand from the recorded text (the _bemi_unparsed object''s "text"; a value kept as its "bytes" and "sha256" only must come from elsewhere, e.g. a backup).';
    END IF;
    IF v_checked.skipped IS NOT NULL THEN
      RAISE NOTICE 'bemi restore: %% key(s) %% no longer exist, skipped', v_name, v_checked.skipped;
    END IF;
    v_writes := v_writes || jsonb_build_object('name', v_name, 'depth', v_table.depth, 'deletes', v_checked.deletes,
                                               'writes', v_checked.writes);
  END LOOP;

  -- 2. Updates and inserts, parents first; then deletes, children first.
  FOR v_write IN
    SELECT w.*, o.phase
      FROM jsonb_to_recordset(v_writes) AS w(name text, depth integer, deletes text[], writes jsonb)
     CROSS JOIN (VALUES (1), (2)) AS o(phase)
     ORDER BY o.phase, CASE WHEN o.phase = 1 THEN w.depth ELSE -w.depth END, w.name
  LOOP
    v_locked := 0;
    v_written := 0;
    IF v_write.phase = 2 AND v_write.deletes IS NOT NULL THEN
      v_sql := format('DELETE FROM %%s AS t WHERE t.ctid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.tid[])', v_write.name);
      PERFORM pg_catalog.set_config('search_path', v_search_path, true);
      EXECUTE v_sql USING v_write.deletes;
      GET DIAGNOSTICS v_written = ROW_COUNT;
      PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
      v_locked := cardinality(v_write.deletes);
    ELSIF v_write.phase = 1 AND v_write.writes IS NOT NULL THEN
      SELECT array_agg(DISTINCT c ORDER BY c), count(DISTINCT w.ctid) INTO v_columns, v_locked
        FROM jsonb_to_recordset(v_write.writes) AS w(ctid text, columns text[]) CROSS JOIN LATERAL unnest(w.columns) c
       WHERE w.ctid IS NOT NULL;
      IF v_columns IS NOT NULL THEN
        v_sql := format('UPDATE %%1$s AS t SET %%2$s FROM (SELECT w.ctid::pg_catalog.tid AS ctid, w.columns,'
                        ' pg_catalog.jsonb_populate_record(NULL::%%1$s, w.restore) AS r'
                        ' FROM pg_catalog.jsonb_to_recordset($1) AS w(ctid pg_catalog.text, columns pg_catalog.text[], restore pg_catalog.jsonb)'
                        ' WHERE w.ctid IS NOT NULL OFFSET 0) AS u WHERE t.ctid OPERATOR(pg_catalog.=) u.ctid',
                        v_write.name,
                        (SELECT string_agg(format('%%1$I = CASE WHEN u.columns OPERATOR(pg_catalog.@>) ARRAY[%%2$L]::pg_catalog.text[]'
                                                  ' THEN (u.r).%%1$I ELSE t.%%1$I END', c, c), ', ')
                           FROM unnest(v_columns) AS c));
        PERFORM pg_catalog.set_config('search_path', v_search_path, true);
        EXECUTE v_sql USING v_write.writes;
        GET DIAGNOSTICS v_written = ROW_COUNT;
        PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
      END IF;
      FOR v_columns, v_rows IN
        SELECT w.columns, jsonb_agg(w.restore) FROM jsonb_to_recordset(v_write.writes) AS w(ctid text, columns text[], restore jsonb)
         WHERE w.ctid IS NULL GROUP BY w.columns
      LOOP
        v_sql := format('INSERT INTO %%1$s AS t (%%2$s) OVERRIDING SYSTEM VALUE SELECT %%3$s'
                        ' FROM pg_catalog.jsonb_populate_recordset(NULL::%%1$s, $1) AS r',
                        v_write.name,
                        (SELECT string_agg(format('%%I', c), ', ') FROM unnest(v_columns) AS c),
                        (SELECT string_agg(format('r.%%I', c), ', ') FROM unnest(v_columns) AS c));
        PERFORM pg_catalog.set_config('search_path', v_search_path, true);
        EXECUTE v_sql USING v_rows;
        PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
      END LOOP;
    END IF;
    IF v_written < v_locked THEN
      RAISE EXCEPTION 'bemi restore conflict: %% of the rows of %% it checked were changed while it ran (a cascading foreign key action or a trigger)',
            v_locked - v_written, v_write.name
        USING ERRCODE = 'BM001', HINT = 'Nothing was changed. Restore the tables that foreign key or trigger writes together, or write this by hand.';
    END IF;
  END LOOP;
  PERFORM pg_catalog.set_config('search_path', v_search_path, true);
END
$template$, CASE WHEN p_force THEN 'true' ELSE 'false' END, p_tables::text, p_context::text,
   ${flyway:defaultSchema}.source_table_script()));
END
$function$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.restore_script(jsonb, boolean, jsonb) IS
  'The DO statement applying a restore plan on the source, set-based per table';

-- The statement for the source that brings the tables back to their state at p_at (the plan is
-- computed once).
DROP FUNCTION IF EXISTS ${flyway:defaultSchema}.restore_tables_sql(text[], timestamptz, boolean, jsonb);
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.restore_tables_sql(p_tables text[], p_at timestamptz,
                                                               p_force boolean DEFAULT false, p_context jsonb DEFAULT '{}',
                                                               p_source text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp AS $function$
DECLARE
  v_tables jsonb;
  v_redacted text;
  v_unknown text;
  v_keyless text;
  v_context jsonb;
  v_source text;
BEGIN
  IF p_tables IS NULL OR cardinality(p_tables) = 0 OR p_at IS NULL THEN
    RAISE EXCEPTION 'bemi restore: give the tables and the instant to restore them to'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  v_source := ${flyway:defaultSchema}.resolve_source(p_tables, p_source);
  SELECT string_agg(DISTINCT format('%I.%I', c.schema, c."table"), ', ') INTO v_keyless
    FROM unnest(p_tables) x
    JOIN ${flyway:defaultSchema}.changes c
      ON c."table" = (${flyway:defaultSchema}.table_name_parts(x)).table_name AND c.committed_at > p_at
     AND c.schema = (${flyway:defaultSchema}.table_name_parts(x)).schema_name
   WHERE c.primary_key IS NULL AND c.operation <> 'TRUNCATE' AND c.source = v_source;
  PERFORM ${flyway:defaultSchema}.refuse('bemi restore: ' || v_keyless || ' changed after ' || p_at
                                         || ' but has no key, so its rows cannot be told apart', 'BM003',
                                         'Give the table a primary key (or a replica identity index), or restore it from a backup.');

  WITH plan AS MATERIALIZED (
    SELECT r.*, row_number() OVER (ORDER BY r.schema_name, r.table_name, r.primary_key)::integer AS step
      FROM ${flyway:defaultSchema}.restore_plan(p_tables, p_at, v_source) r
  )
  SELECT (SELECT jsonb_agg(jsonb_build_object('relation', t.relation, 'steps', t.steps) ORDER BY t.relation)
            FROM (SELECT format('%I.%I', p.schema_name, p.table_name) AS relation,
                         jsonb_agg(jsonb_build_object('step', p.step, 'action', p.action, 'primary_key', p.primary_key,
                                                      'restore', p.desired, 'expected', p.expected) ORDER BY p.step) AS steps
                    FROM plan p GROUP BY p.schema_name, p.table_name) t),
         (SELECT string_agg(format('%I.%I key %s: %s', p.schema_name, p.table_name, p.primary_key,
                                   array_to_string(p.redacted_columns, ', ')), '; ' ORDER BY p.step)
            FROM plan p WHERE p.action = 'insert' AND cardinality(p.redacted_columns) > 0),
         (SELECT count(*) || ' row(s), ' || string_agg(format('%I.%I key %s', u.schema_name, u.table_name, u.primary_key),
                                                       '; ' ORDER BY u.step) FILTER (WHERE u.nth <= 10)
                 || CASE WHEN count(*) > 10 THEN '; …' ELSE '' END
            FROM (SELECT p.*, row_number() OVER (ORDER BY p.step) AS nth FROM plan p WHERE p.action = 'unknown') u
          HAVING count(*) > 0)
    INTO v_tables, v_redacted, v_unknown;
  PERFORM ${flyway:defaultSchema}.refuse('bemi restore: the trail does not hold what these rows were at ' || p_at || ': '
                                         || v_unknown, 'BM010',
                                         'Nothing was changed. Their first recorded change after that instant is an UPDATE or '
                                         || 'DELETE without the whole old row (REPLICA IDENTITY FULL records it) or a baseline '
                                         || 'copy (setup --snapshot) taken later, and nothing before it: the trail began after '
                                         || 'that instant for them. Restore to a later instant, or those rows from a backup.');
  PERFORM ${flyway:defaultSchema}.refuse('bemi restore: rows to insert have values redacted in the trail: ' || v_redacted, 'BM006',
                                         'The trail does not hold those values; restore those rows from a backup.');

  v_context := coalesce(p_context, '{}'::jsonb)
               || jsonb_build_object('restoreOf', jsonb_build_object('tables', to_jsonb(p_tables), 'at', p_at,
                                                                     'source', v_source));
  IF p_force THEN
    v_context := jsonb_set(v_context, '{restoreOf,forced}', 'true');
  END IF;
  RETURN ${flyway:defaultSchema}.restore_script(coalesce(v_tables, '[]'), p_force, v_context);
END
$function$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.restore_tables_sql(text[], timestamptz, boolean, jsonb, text) IS
  'A statement for the source that brings the tables back to their exact state at an instant';

DROP FUNCTION IF EXISTS ${flyway:defaultSchema}.restore_table_sql(text, timestamptz, boolean, jsonb);
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.restore_table_sql(p_table text, p_at timestamptz,
                                                              p_force boolean DEFAULT false, p_context jsonb DEFAULT '{}',
                                                              p_source text DEFAULT NULL)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT ${flyway:defaultSchema}.restore_tables_sql(ARRAY[p_table], p_at, p_force, p_context, p_source)
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.restore_table_sql(text, timestamptz, boolean, jsonb, text) IS
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
  PERFORM ${flyway:defaultSchema}.refuse('bemi replay: the row before these changes is unknown, so the target row cannot be found: '
                                         || v_impossible, 'BM003',
                                         'Use REPLICA IDENTITY FULL on the source, or a snapshot, so the trail holds the rows.');
  PERFORM ${flyway:defaultSchema}.refuse('bemi replay: rows to insert have values redacted in the trail: ' || v_redacted, 'BM006',
                                         'The trail does not hold those values; replay the other changes without these.');

  v_context := coalesce(p_context, '{}'::jsonb)
               || jsonb_build_object('replayOf', coalesce(p_replay_of, jsonb_build_object('changeIds', to_jsonb(p_change_ids))));
  RETURN ${flyway:defaultSchema}.row_steps_script('replay', v_steps, p_force, v_context);
END
$function$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.replay_changes_sql(uuid[], boolean, jsonb, jsonb) IS
  'A statement that replays the given changes (commit order, conflict-checked) onto a database with the same schema';

-- Roll forward a time range [p_from, p_to), optionally of some tables only, of one source
-- (p_source; NULL: the only one, see resolve_source()).
DROP FUNCTION IF EXISTS ${flyway:defaultSchema}.replay_sql(timestamptz, timestamptz, text[], boolean, jsonb);
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.replay_sql(p_from timestamptz, p_to timestamptz, p_tables text[] DEFAULT NULL,
                                                       p_force boolean DEFAULT false, p_context jsonb DEFAULT '{}',
                                                       p_source text DEFAULT NULL)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT ${flyway:defaultSchema}.replay_changes_sql(
           ARRAY(SELECT c.id FROM ${flyway:defaultSchema}.changes c
                  WHERE c.committed_at >= p_from AND c.committed_at < p_to AND c.operation <> 'SNAPSHOT'
                    AND c.source = (SELECT ${flyway:defaultSchema}.resolve_source(p_tables, p_source))
                    AND (p_tables IS NULL OR EXISTS (
                          SELECT 1 FROM unnest(p_tables) x
                           WHERE c.schema = (${flyway:defaultSchema}.table_name_parts(x)).schema_name
                             AND c."table" = (${flyway:defaultSchema}.table_name_parts(x)).table_name))),
           p_force, jsonb_build_object('from', p_from, 'to', p_to, 'tables', to_jsonb(p_tables)), p_context)
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.replay_sql(timestamptz, timestamptz, text[], boolean, jsonb, text) IS
  'A statement that replays the changes committed in [from, to) onto a database with the same schema';

-- The identity of a restore plan: SHA-256 (hex) over every planned row (table, key, action, row
-- then, row now). A client that previewed a restore passes it back, and refuses to execute when
-- the plan is no longer the one previewed.
DROP FUNCTION IF EXISTS ${flyway:defaultSchema}.restore_plan_digest(text[], timestamptz);
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.restore_plan_digest(p_tables text[], p_at timestamptz, p_source text DEFAULT NULL)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT encode(sha256(convert_to(coalesce(string_agg(
           format('%I.%I|%s|%s|%s|%s', p.schema_name, p.table_name, p.primary_key, p.action, p.desired, p.expected),
           E'\n' ORDER BY p.schema_name, p.table_name, p.primary_key), ''), 'UTF8')), 'hex')
    FROM ${flyway:defaultSchema}.restore_plan(p_tables, p_at, p_source) p
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.restore_plan_digest(text[], timestamptz, text) IS
  'SHA-256 (hex) of a restore plan: its identity between preview and execution';

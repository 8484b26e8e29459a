-- Revert: the SQL that undoes changes on the SOURCE database.
--
-- revert_plan() says, per step (changes in reverse commit order), what will be done and whether
-- the destination already knows of a conflict (a later change of the same record outside the
-- reverted set). revert_sql(), revert_commit_sql(), revert_transaction_sql() and
-- revert_context_sql() return one self-contained statement to run on the source:
--
--   DO $bemi_revert$ ... $bemi_revert$;
--
-- The statement is written by row_steps_script(), which restore (R__4_restore.sql) and roll
-- forward share. It is a single statement, so it is atomic even in autocommit mode: it either
-- applies every step or nothing. It
--   * first pins search_path to pg_catalog, pg_temp (restored at its end), so no function or
--     operator an untrusted role planted in public can be called by it;
--   * emits the logical message '_bemi' {"revertOf": ...} so its own changes are captured with
--     that context;
--   * for every step resolves the table and its key columns on the source (the replica identity
--     index, else the primary key; without either, the whole row image), locks the current row,
--     checks it still equals the expected image (or, inserting, that the key is free) and raises
--     SQLSTATE BM001 when not (unless forced), naming the differing COLUMNS only, never values;
--   * rebuilds values with jsonb_populate_record(NULL::"schema"."table", image) so every type is
--     parsed by the source itself.
-- Data and identifiers only ever appear in the script inside one quoted jsonb literal; every
-- identifier is quoted with format('%I') when the script runs; the dollar-quote tag is chosen so
-- it does not occur in the script. The writes themselves (INSERT, UPDATE, DELETE, TRUNCATE) are
-- written fully qualified and run under the session's own search_path, so the source's triggers
-- see the search_path they were written for.
--
-- Refusals (SQLSTATE): BM001 conflict; BM002 table missing on the source; BM003 a change that
-- cannot be reverted (TRUNCATE, unknown before image); BM004 a context of {} (it matches every
-- change); BM005 an xid that names more than one transaction (xids wrap: use the commit LSN);
-- BM006 a row to insert whose image has redacted columns ("[REDACTED]"); BM007 the source table
-- was altered so the recorded values no longer fit (a column to write is gone or renamed, or a
-- value no longer parses as the column's type); BM009 a value to write was recorded in the ingester's
-- fallback form (json jsonb cannot hold), or the current row cannot be read as jsonb to compare.
--
-- Redacted columns (the ingester's --redact-columns store "[REDACTED]"): never compared, never
-- written. An UPDATE step restores the other columns and leaves redacted ones untouched (their
-- real change is not in the trail); inserting a row back would have to invent the value, so it is
-- refused (BM006).

DROP FUNCTION IF EXISTS ${flyway:defaultSchema}.revert_plan(uuid[], boolean);
DROP FUNCTION IF EXISTS ${flyway:defaultSchema}.revert_plan(uuid[]);

DROP FUNCTION IF EXISTS ${flyway:defaultSchema}.row_steps_script(text, jsonb, boolean, jsonb, boolean);

-- A refusal: raises p_message with that SQLSTATE and hint, unless p_message is NULL (nothing to
-- refuse; callers build it with ||, so a NULL detail leaves it NULL).
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.refuse(p_message text, p_errcode text, p_hint text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF p_message IS NOT NULL THEN
    RAISE EXCEPTION '%', p_message USING ERRCODE = p_errcode, HINT = p_hint;
  END IF;
END
$$;

-- The columns of a row image that hold the redaction placeholder.
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.redacted_columns(p_image jsonb)
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT coalesce(array_agg(e.key ORDER BY e.key), '{}')
    FROM jsonb_each(coalesce(p_image, '{}')) e
   WHERE e.value = '"[REDACTED]"'::jsonb
$$;

-- A row image without its redacted columns (NULL stays NULL).
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.without_redacted(p_image jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN p_image IS NULL THEN NULL ELSE
           (SELECT coalesce(jsonb_object_agg(e.key, e.value), '{}') FROM jsonb_each(p_image) e
             WHERE e.value <> '"[REDACTED]"'::jsonb) END
$$;

CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.revert_plan(p_change_ids uuid[])
RETURNS TABLE(step integer, change_id uuid, operation text, schema_name text, table_name text, primary_key text,
              committed_at timestamptz, action text, restore jsonb, expected jsonb,
              conflict boolean, conflict_reason text, redacted_columns text[])
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
  WITH selected AS (
    SELECT c AS change, c.* FROM ${flyway:defaultSchema}.changes c WHERE c.id = ANY (p_change_ids) AND c.operation <> 'SNAPSHOT'
  ), ordered AS (
    SELECT s.*,
           row_number() OVER (ORDER BY s.commit_lsn DESC, s.change_index DESC)::integer AS step,
           CASE WHEN s.operation IN ('UPDATE', 'DELETE') THEN ${flyway:defaultSchema}.change_before(s.change) END AS restore
      FROM selected s
  ), redaction AS (
    SELECT o.*,
           ARRAY(SELECT DISTINCT r FROM unnest(${flyway:defaultSchema}.redacted_columns(o.restore)
                                               || ${flyway:defaultSchema}.redacted_columns(o.after)) r ORDER BY r) AS redacted
      FROM ordered o
  )
  SELECT o.step, o.id, o.operation, o.schema, o."table", o.primary_key, o.committed_at,
         CASE
           WHEN o.operation = 'TRUNCATE' THEN 'impossible: a TRUNCATE cannot be reverted (its rows are not in the trail)'
           WHEN o.operation IN ('UPDATE', 'DELETE') AND o.restore = '{}'::jsonb
             THEN 'impossible: the row before this change is unknown (the source table lacks REPLICA IDENTITY FULL'
                  ' and the trail has no earlier change or snapshot of the row)'
           WHEN o.operation = 'DELETE' AND cardinality(o.redacted) > 0
             THEN format('impossible: the deleted row has redacted columns (%s); inserting it again would invent their values',
                         array_to_string(o.redacted, ', '))
           WHEN o.primary_key IS NULL AND cardinality(o.redacted) > 0
             THEN format('impossible: the table has no key and the row has redacted columns (%s): rows that differ only'
                         ' there cannot be told apart, so the step could change another row', array_to_string(o.redacted, ', '))
           WHEN o.operation = 'CREATE' THEN 'delete the row'
           WHEN o.operation = 'UPDATE' AND cardinality(o.redacted) > 0
             THEN format('restore the changed columns (redacted columns %s are left as they are)', array_to_string(o.redacted, ', '))
           WHEN o.operation = 'UPDATE' THEN 'restore the changed columns'
           ELSE 'insert the row again'
         END,
         ${flyway:defaultSchema}.without_redacted(o.restore),
         ${flyway:defaultSchema}.without_redacted(CASE WHEN o.operation IN ('CREATE', 'UPDATE') THEN o.after END),
         CASE WHEN o.operation = 'TRUNCATE' THEN NULL
              WHEN o.primary_key IS NULL THEN NULL
              ELSE later.id IS NOT NULL OR truncated.commit_lsn IS NOT NULL END,
         CASE WHEN o.operation = 'TRUNCATE' THEN NULL
              WHEN o.primary_key IS NULL THEN 'table without a key: checked only when the revert runs'
              WHEN later.id IS NOT NULL THEN format('changed later by %s change %s committed at %s',
                                                    later.operation, later.id, later.committed_at)
              WHEN truncated.commit_lsn IS NOT NULL THEN 'table truncated later'
         END,
         o.redacted
    FROM redaction o
    LEFT JOIN LATERAL (
      SELECT l.id, l.operation, l.committed_at
        FROM ${flyway:defaultSchema}.changes l
       WHERE l.schema = o.schema AND l."table" = o."table" AND l.primary_key = o.primary_key
         AND l.source = o.source  -- another source's rows and LSNs are another database's
         AND (l.commit_lsn, l.change_index) > (o.commit_lsn, o.change_index)
         AND NOT EXISTS (SELECT 1 FROM selected s WHERE s.id = l.id)
       ORDER BY l.commit_lsn, l.change_index
       LIMIT 1) later ON o.primary_key IS NOT NULL
    LEFT JOIN LATERAL (
      SELECT t.commit_lsn
        FROM ${flyway:defaultSchema}.changes t
       WHERE t.operation = 'TRUNCATE' AND t.schema = o.schema AND t."table" = o."table" AND t.source = o.source
         AND (t.commit_lsn, t.change_index) > (o.commit_lsn, o.change_index)
         AND NOT EXISTS (SELECT 1 FROM selected s WHERE s.id = t.id)
       LIMIT 1) truncated ON o.primary_key IS NOT NULL
   ORDER BY o.step
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.revert_plan(uuid[]) IS
  'The steps reverting the given changes (reverse commit order) and the conflicts already known';

-- The identity of a revert plan: a digest of its change ids (order-independent). A client that
-- previewed a plan passes it back, and refuses to execute when the target now selects other changes.
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.plan_digest(p_change_ids uuid[])
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
  -- byte order ("C"), not the database's collation, so every client computes the same digest
  SELECT encode(sha256(convert_to(coalesce(string_agg(DISTINCT i, ',' ORDER BY i), ''), 'UTF8')), 'hex')
    FROM (SELECT u::text COLLATE pg_catalog."C" AS i FROM unnest(p_change_ids) u) ids
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.plan_digest(uuid[]) IS
  'SHA-256 (hex) of the sorted change ids: the identity of a revert or replay plan';

-- The part of a statement for the source (row_steps_script, restore_script) that looks up the
-- table v_relation names: v_rel (BM002 when missing), v_name (quoted), v_key (the replica identity
-- index's columns, else the primary key's; NULL without either), v_table_columns and v_writable
-- (not generated, by position). The statement declares those variables and v_kind.
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.source_table_script()
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp AS $function$
  SELECT $script$
      v_rel := to_regclass(v_relation);
      IF v_rel IS NULL THEN
        RAISE EXCEPTION 'bemi %: table % does not exist', v_kind, v_relation
          USING ERRCODE = 'BM002', HINT = 'Run the statement on the source database the changes were captured from.';
      END IF;
      SELECT format('%I.%I', n.nspname, c.relname) INTO v_name
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = v_rel;
      -- Key columns on the source: the replica identity index, else the primary key.
      SELECT array_agg(a.attname::text ORDER BY k.ord) INTO v_key
        FROM (SELECT i.indkey FROM pg_index i
               WHERE i.indrelid = v_rel AND (i.indisreplident OR i.indisprimary)
               ORDER BY i.indisreplident DESC LIMIT 1) i
       CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = v_rel AND a.attnum = k.attnum;
      SELECT array_agg(a.attname::text), array_agg(a.attname::text ORDER BY a.attnum) FILTER (WHERE a.attgenerated = '')
        INTO v_table_columns, v_writable
        FROM pg_attribute a WHERE a.attrelid = v_rel AND a.attnum > 0 AND NOT a.attisdropped;
$script$
$function$;

-- A DO statement around a PL/pgSQL body, with a dollar-quote tag (p_tag, lengthened as needed)
-- that does not occur in the body, whatever the data in it holds.
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.do_statement(p_tag text, p_body text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_tag text := p_tag;
BEGIN
  WHILE strpos(p_body, '$' || v_tag || '$') > 0 LOOP
    v_tag := v_tag || '_';
  END LOOP;
  RETURN format('DO $%s$%s$%s$;', v_tag, p_body, v_tag) || E'\n';
END
$$;

-- The statement that applies row steps on the source (see the header). p_steps is a JSON array of
-- {step, action ('insert'|'update'|'delete'|'truncate'), relation ('"schema"."table"'), change_id,
--  primary_key, restore (values to write), expected (the row as it must be now), label};
-- p_kind names the statement in messages and in the dollar-quote tag ('revert', 'replay'). Steps
-- run in step order (a restore is applied set-based by restore_script(), R__4_restore.sql).
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.row_steps_script(p_kind text, p_steps jsonb, p_force boolean,
                                                             p_context jsonb)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp AS $function$
BEGIN
  RETURN ${flyway:defaultSchema}.do_statement('bemi_' || p_kind, format($template$
DECLARE
  v_search_path constant text := pg_catalog.current_setting('search_path');
  v_kind constant text := %L;
  v_force constant boolean := %s;
  v_steps constant text := %L;
  v_step record;
  v_relation text;
  v_rel oid;
  v_name text;
  v_key text[];
  v_table_columns text[];
  v_writable text[];
  v_where text;
  v_lookup jsonb;
  v_expected jsonb;
  v_ctid tid;
  v_current jsonb;
  v_differing text;
  v_columns text[];
  v_missing text;
  v_sql text;
BEGIN
  -- Built-ins from pg_catalog only, whatever the session's search_path holds (restored at the end).
  PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
  -- The statement's own context: its changes are captured with it.
  PERFORM pg_logical_emit_message(true, '_bemi', %L);

  FOR v_step IN
    SELECT s.*
      FROM jsonb_to_recordset(v_steps::jsonb)
           AS s(step integer, action text, relation text, change_id uuid, primary_key text, restore jsonb,
                expected jsonb, label text, forced boolean)
     ORDER BY s.step
  LOOP
    IF v_step.relation IS DISTINCT FROM v_relation THEN
      v_relation := v_step.relation;
%s      IF v_key IS NOT NULL THEN
        SELECT string_agg(format('t.%%1$I OPERATOR(pg_catalog.=) (pg_catalog.jsonb_populate_record(NULL::%%2$s, $1)).%%1$I',
                                 k, v_name), ' AND ')
          INTO v_where FROM unnest(v_key) AS k;
      ELSE  -- no key: the row whose values equal the image
        v_where := 'NOT EXISTS (SELECT 1 FROM pg_catalog.jsonb_each($1) e WHERE pg_catalog.to_jsonb(t.*) OPERATOR(pg_catalog.?) e.key'
                   ' AND (pg_catalog.to_jsonb(t.*) OPERATOR(pg_catalog.->) e.key) IS DISTINCT FROM e.value)';
      END IF;
    END IF;

    IF v_step.action = 'truncate' THEN
      v_sql := format('TRUNCATE %%s', v_name);
      PERFORM pg_catalog.set_config('search_path', v_search_path, true);
      EXECUTE v_sql;
      PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
      CONTINUE;
    END IF;

    -- The columns this step writes: an insert every column of its image, an update the columns
    -- whose value differs from the expected row. A column the table no longer has (dropped or
    -- renamed since) cannot be written: refuse rather than apply half of the step.
    SELECT array_agg(e.key ORDER BY e.key) INTO v_columns
      FROM jsonb_each(coalesce(v_step.restore, '{}')) e
     WHERE v_step.action = 'insert' OR (v_step.action = 'update' AND e.value IS DISTINCT FROM (v_step.expected -> e.key));
    SELECT string_agg(c, ', ') INTO v_missing FROM unnest(v_columns) c WHERE NOT (c = ANY (v_table_columns));
    IF v_missing IS NOT NULL THEN
      RAISE EXCEPTION 'bemi %% refused at step %% (%%): table %% has no column %% any more (dropped or renamed since)',
            v_kind, v_step.step, v_step.label, v_name, v_missing
        USING ERRCODE = 'BM007', HINT = 'Nothing was changed. The table was altered after the change; write this step by hand.';
    END IF;
    -- A value the ingester kept in its fallback form ({"_bemi_unparsed": {"text": …}}: json that jsonb
    -- cannot hold; {"_bemi_unparsed": {"bytes": …, "sha256": …}}: a value of a row over --max-row-bytes)
    -- is the trail's note of the value, not the value: writing it back would corrupt the row.
    SELECT string_agg(format('%%I', c), ', ') INTO v_missing FROM unnest(v_columns) c
     WHERE jsonb_typeof(v_step.restore -> c) = 'object' AND (v_step.restore -> c) ? '_bemi_unparsed';
    IF v_missing IS NOT NULL THEN
      RAISE EXCEPTION 'bemi %% refused at step %% (%%): column(s) %% of %% were recorded in the fallback form (a value jsonb cannot hold, or one too large for the ingester, kept as its size and hash), which cannot be written back',
            v_kind, v_step.step, v_step.label, v_missing, v_name
        USING ERRCODE = 'BM009', HINT = 'Nothing was changed. Write this step by hand from the recorded text (the _bemi_unparsed object''s "text"; a value kept as its "bytes" and "sha256" only must come from elsewhere, e.g. a backup).';
    END IF;

    -- The images as this database renders the row (the trail may hold e.g. a composite value as
    -- its text form, which to_jsonb renders as an object), limited to the columns the table has.
    BEGIN
      EXECUTE format('SELECT to_jsonb(jsonb_populate_record(NULL::%%s, $1))', v_name) INTO v_expected USING v_step.expected;
      IF v_step.action = 'insert' THEN
        EXECUTE format('SELECT to_jsonb(jsonb_populate_record(NULL::%%s, $1))', v_name) INTO v_lookup USING v_step.restore;
      ELSIF v_step.action = 'update' AND v_columns IS NOT NULL THEN  -- the values to write must parse too
        EXECUTE format('SELECT to_jsonb(jsonb_populate_record(NULL::%%s, $1))', v_name) INTO v_lookup
          USING (SELECT jsonb_object_agg(c, v_step.restore -> c) FROM unnest(v_columns) c);
      END IF;
    EXCEPTION WHEN data_exception THEN
      RAISE EXCEPTION 'bemi %% refused at step %% (%%): the recorded values no longer fit the columns of %% (a type changed since; %%)',
            v_kind, v_step.step, v_step.label, v_name, SQLSTATE
        USING ERRCODE = 'BM007', HINT = 'Nothing was changed. The table was altered after the change; write this step by hand.';
    END;
    v_expected := (SELECT coalesce(jsonb_object_agg(e.key, v_expected -> e.key), '{}') FROM jsonb_each(v_step.expected) e
                    WHERE v_expected ? e.key);
    IF v_step.action = 'insert' THEN
      v_lookup := (SELECT coalesce(jsonb_object_agg(e.key, v_lookup -> e.key), '{}') FROM jsonb_each(v_step.restore) e
                    WHERE v_lookup ? e.key);
    ELSE
      v_lookup := v_expected;
    END IF;
    v_ctid := NULL;
    v_current := NULL;
    IF v_key IS NOT NULL OR v_step.action <> 'insert' THEN
      BEGIN
        EXECUTE format('SELECT t.ctid, to_jsonb(t.*) FROM %%s AS t WHERE %%s LIMIT 1 FOR UPDATE', v_name, v_where)
          INTO v_ctid, v_current USING v_lookup;
      EXCEPTION WHEN data_exception THEN  -- e.g. a json column holding a number jsonb cannot hold
        RAISE EXCEPTION 'bemi %% refused at step %% (%%): the current row of %% cannot be compared with the trail (%%: %%)',
              v_kind, v_step.step, v_step.label, v_name, SQLSTATE, SQLERRM
          USING ERRCODE = 'BM009', HINT = 'Nothing was changed. A value of the row cannot be read as jsonb; write this step by hand.';
      END;
    END IF;

    -- Conflict: inserting needs the key free; anything else needs the row as the trail last saw it
    -- (columns the table gained or lost since are not compared). Only column names are reported:
    -- the live row may hold values the trail redacts.
    v_differing := NULL;
    IF v_step.action = 'insert' AND v_current IS NOT NULL THEN
      v_differing := 'a row with this key exists again';
    ELSIF v_step.action <> 'insert' AND v_current IS NULL THEN
      v_differing := 'the row no longer exists';
    ELSIF v_step.action <> 'insert' THEN
      SELECT 'the row changed since in column(s) ' || string_agg(format('%%I', e.key), ', ' ORDER BY e.key) INTO v_differing
        FROM jsonb_each(v_expected) e
       WHERE v_current ? e.key AND v_current -> e.key IS DISTINCT FROM e.value;
    END IF;
    -- Forcing overwrites only the conflicts the plan showed (a revert step's "forced"); a row changed
    -- on the source that the trail had not seen when the plan was made is never overwritten blindly.
    IF v_differing IS NOT NULL AND v_force AND NOT coalesce(v_step.forced, true) THEN
      RAISE EXCEPTION 'bemi %% conflict at step %% (%%): %% (a conflict the plan did not show, which p_force does not cover)',
            v_kind, v_step.step, v_step.label, v_differing
        USING ERRCODE = 'BM001',
              HINT = 'Nothing was changed. The trail had not stored this change of the row yet: preview the plan again, and force what it shows.';
    ELSIF v_differing IS NOT NULL AND NOT v_force THEN
      RAISE EXCEPTION 'bemi %% conflict at step %% (%%): %%', v_kind, v_step.step, v_step.label, v_differing
        USING ERRCODE = 'BM001',
              HINT = 'Nothing was changed. Include the later changes too, or generate the statement with p_force => true to overwrite.';
    END IF;

    IF v_step.action = 'delete' THEN
      IF v_ctid IS NULL THEN
        RAISE NOTICE 'bemi %%: step %% skipped, %% key %% no longer exists', v_kind, v_step.step, v_step.relation, v_step.primary_key;
        CONTINUE;
      END IF;
      v_sql := format('DELETE FROM %%s AS t WHERE t.ctid OPERATOR(pg_catalog.=) $1', v_name);
      PERFORM pg_catalog.set_config('search_path', v_search_path, true);
      EXECUTE v_sql USING v_ctid;
      PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    ELSIF v_ctid IS NULL AND v_step.action = 'update' THEN
      RAISE NOTICE 'bemi %%: step %% skipped, %% key %% no longer exists', v_kind, v_step.step, v_step.relation, v_step.primary_key;
    ELSE
      -- Generated columns are computed by the source; a forced insert onto an existing row writes every column.
      v_columns := (SELECT array_agg(c ORDER BY o) FROM unnest(v_writable) WITH ORDINALITY AS w(c, o) WHERE c = ANY (v_columns));
      IF v_columns IS NULL THEN
        CONTINUE;
      ELSIF v_ctid IS NOT NULL THEN
        v_sql := format('UPDATE %%1$s AS t SET (%%2$s) = (SELECT %%3$s FROM pg_catalog.jsonb_populate_record(NULL::%%1$s, $1) AS r)'
                        ' WHERE t.ctid OPERATOR(pg_catalog.=) $2',
                        v_name,
                        (SELECT string_agg(format('%%I', c), ', ') FROM unnest(v_columns) AS c),
                        (SELECT string_agg(format('r.%%I', c), ', ') FROM unnest(v_columns) AS c));
        PERFORM pg_catalog.set_config('search_path', v_search_path, true);
        EXECUTE v_sql USING v_step.restore, v_ctid;
        PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
      ELSE
        v_sql := format('INSERT INTO %%1$s (%%2$s) OVERRIDING SYSTEM VALUE SELECT %%3$s FROM pg_catalog.jsonb_populate_record(NULL::%%1$s, $1) AS r',
                        v_name,
                        (SELECT string_agg(format('%%I', c), ', ') FROM unnest(v_columns) AS c),
                        (SELECT string_agg(format('r.%%I', c), ', ') FROM unnest(v_columns) AS c));
        PERFORM pg_catalog.set_config('search_path', v_search_path, true);
        EXECUTE v_sql USING v_step.restore;
        PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
      END IF;
    END IF;
  END LOOP;
  PERFORM pg_catalog.set_config('search_path', v_search_path, true);
END
$template$, p_kind, CASE WHEN p_force THEN 'true' ELSE 'false' END, p_steps::text, p_context::text,
   ${flyway:defaultSchema}.source_table_script()));
END
$function$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.row_steps_script(text, jsonb, boolean, jsonb) IS
  'The DO statement applying row steps on the source in step order (shared by revert and roll forward)';

-- The statement that reverts the given changes on the source. Conflicts the destination already
-- knows of are listed by revert_plan(); the statement itself checks every row when it runs (the
-- destination may lag behind the source) and raises SQLSTATE BM001 instead of overwriting, unless
-- p_force. p_revert_of describes what is reverted (the context's "revertOf"); p_context is merged
-- into the context (e.g. who reverts and from where).
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.revert_changes_sql(p_change_ids uuid[], p_force boolean DEFAULT false,
                                                               p_revert_of jsonb DEFAULT NULL, p_context jsonb DEFAULT '{}')
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp AS $function$
DECLARE
  v_steps jsonb;
  v_impossible text;
  v_redacted text;
  v_context jsonb;
BEGIN
  IF p_change_ids IS NULL OR cardinality(p_change_ids) = 0 THEN
    RAISE EXCEPTION 'bemi revert: no changes to revert'
      USING ERRCODE = 'no_data_found', HINT = 'Check the change id, commit LSN or context.';
  END IF;

  SELECT jsonb_agg(jsonb_build_object(
           'step', p.step,
           'action', CASE p.operation WHEN 'CREATE' THEN 'delete' WHEN 'UPDATE' THEN 'update' ELSE 'insert' END,
           'relation', format('%I.%I', p.schema_name, p.table_name),
           'change_id', p.change_id, 'primary_key', p.primary_key, 'restore', p.restore, 'expected', p.expected,
           'label', format('undo %s of %I.%I key %s, change %s', p.operation, p.schema_name, p.table_name,
                           p.primary_key, p.change_id),
           'forced', p.conflict IS TRUE) ORDER BY p.step),
         string_agg(format('step %s (%s of %s.%s key %s, change %s): %s', p.step, p.operation, p.schema_name,
                           p.table_name, p.primary_key, p.change_id, substr(p.action, 13)), '; ' ORDER BY p.step)
           FILTER (WHERE p.action LIKE 'impossible: %' AND NOT (p.operation = 'DELETE' AND cardinality(p.redacted_columns) > 0)),
         string_agg(format('step %s (DELETE of %s.%s key %s, change %s): redacted column(s) %s', p.step, p.schema_name,
                           p.table_name, p.primary_key, p.change_id, array_to_string(p.redacted_columns, ', ')), '; '
                    ORDER BY p.step)
           FILTER (WHERE p.operation = 'DELETE' AND cardinality(p.redacted_columns) > 0)
    INTO v_steps, v_impossible, v_redacted
    FROM ${flyway:defaultSchema}.revert_plan(p_change_ids) p;

  IF v_steps IS NULL THEN
    RAISE EXCEPTION 'bemi revert: none of the % given changes is in the trail (or all are snapshots)', cardinality(p_change_ids)
      USING ERRCODE = 'no_data_found', HINT = 'Check the change id, commit LSN or context.';
  END IF;
  PERFORM ${flyway:defaultSchema}.refuse('bemi revert: cannot be reverted: ' || v_impossible, 'BM003',
                                         'Revert the other changes without these; see revert_plan().');
  PERFORM ${flyway:defaultSchema}.refuse('bemi revert: cannot insert a deleted row whose values are redacted in the trail: '
                                         || v_redacted, 'BM006',
                                         'The trail does not hold those values; restore the row from a backup, or revert the other changes without these.');

  v_context := coalesce(p_context, '{}'::jsonb)
               || jsonb_build_object('revertOf', coalesce(p_revert_of, jsonb_build_object('changeIds', to_jsonb(p_change_ids))));
  IF p_force THEN
    v_context := jsonb_set(v_context, '{revertOf,forced}', 'true');
  END IF;
  RETURN ${flyway:defaultSchema}.row_steps_script('revert', v_steps, p_force, v_context);
END
$function$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.revert_changes_sql(uuid[], boolean, jsonb, jsonb) IS
  'A statement for the source that reverts the given changes (reverse commit order, conflict-checked)';

CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.revert_sql(p_change_id uuid, p_force boolean DEFAULT false, p_context jsonb DEFAULT '{}')
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT ${flyway:defaultSchema}.revert_changes_sql(ARRAY[p_change_id], p_force,
                                             jsonb_build_object('changeId', p_change_id), p_context)
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.revert_sql(uuid, boolean, jsonb) IS
  'A statement for the source that reverts one change';

-- The transactions and contexts below are one source's (p_source; NULL: the only source that stored
-- them, refused with BM008 when several: two sources' commit LSNs, xids and contexts can be equal,
-- and the statement runs on one source). revertOf names the source when p_source is given.

-- {"source": p_source} for a revertOf, or {} when no source was named.
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.source_entry(p_source text)
RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN p_source IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('source', p_source) END
$$;

-- One transaction, identified by its commit LSN (unique per source; xids wrap).
DROP FUNCTION IF EXISTS ${flyway:defaultSchema}.revert_commit_sql(pg_lsn, boolean, jsonb);
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.revert_commit_sql(p_commit_lsn pg_lsn, p_force boolean DEFAULT false,
                                                              p_context jsonb DEFAULT '{}', p_source text DEFAULT NULL)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT ${flyway:defaultSchema}.revert_changes_sql(
           ARRAY(SELECT c.id FROM ${flyway:defaultSchema}.commit_changes(p_commit_lsn, p_source) c),
           p_force, jsonb_build_object('commitLsn', p_commit_lsn::text) || ${flyway:defaultSchema}.source_entry(p_source), p_context)
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.revert_commit_sql(pg_lsn, boolean, jsonb, text) IS
  'A statement for the source that reverts every change of the transaction committed at an LSN';

-- Convenience: by xid, refused (BM005) when the xid names more than one stored transaction.
DROP FUNCTION IF EXISTS ${flyway:defaultSchema}.revert_transaction_sql(bigint, boolean, jsonb);
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.revert_transaction_sql(p_transaction_id bigint, p_force boolean DEFAULT false,
                                                                   p_context jsonb DEFAULT '{}', p_source text DEFAULT NULL)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT ${flyway:defaultSchema}.revert_changes_sql(
           ARRAY(SELECT c.id FROM ${flyway:defaultSchema}.transaction_changes(p_transaction_id, p_source => p_source) c),
           p_force, jsonb_build_object('transactionId', p_transaction_id) || ${flyway:defaultSchema}.source_entry(p_source), p_context)
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.revert_transaction_sql(bigint, boolean, jsonb, text) IS
  'A statement for the source that reverts every change of one transaction (by xid; refused when the xid is ambiguous)';

DROP FUNCTION IF EXISTS ${flyway:defaultSchema}.revert_context_sql(jsonb, boolean, jsonb);
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.revert_context_sql(p_context jsonb, p_force boolean DEFAULT false,
                                                               p_revert_context jsonb DEFAULT '{}', p_source text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp AS $function$
BEGIN
  IF p_context IS NULL OR jsonb_typeof(p_context) <> 'object' OR p_context = '{}'::jsonb THEN
    RAISE EXCEPTION 'bemi revert: context % would select every change in the trail', coalesce(p_context::text, 'NULL')
      USING ERRCODE = 'BM004',
            HINT = 'Give a context value that names what to revert, e.g. {"requestId": "r-1"}; to revert everything, pass the change ids to revert_changes_sql().';
  END IF;
  RETURN ${flyway:defaultSchema}.revert_changes_sql(
           ARRAY(SELECT c.id FROM ${flyway:defaultSchema}.context_changes(p_context, p_source) c), -- BM008 when several sources
           p_force, jsonb_build_object('context', p_context) || ${flyway:defaultSchema}.source_entry(p_source), p_revert_context);
END
$function$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.revert_context_sql(jsonb, boolean, jsonb, text) IS
  'A statement for the source that reverts every change whose context contains the given JSON (not {})';

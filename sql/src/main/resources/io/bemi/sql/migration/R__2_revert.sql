-- Revert: the SQL that undoes changes on the SOURCE database.
--
-- revert_plan() says, per step (changes in reverse commit order), what will be done and whether
-- the destination already knows of a conflict (a later change of the same record outside the
-- reverted set). revert_sql(), revert_transaction_sql() and revert_context_sql() return one
-- self-contained statement to run on the source:
--
--   DO $bemi_revert$ ... $bemi_revert$;
--
-- It is a single statement, so it is atomic even in autocommit mode. It first emits the logical
-- message '_bemi' {"revertOf": ...} so the revert's own changes are captured with that context,
-- then for every step: resolves the table and its key columns on the source (primary key, or the
-- replica identity index; without either, the whole row image), locks the current row, checks it
-- still equals the change's `after` (or, undoing a DELETE, that the key is free), raising SQLSTATE
-- BM001 when not (unless forced), and rebuilds values with
-- jsonb_populate_record(NULL::"schema"."table", image) so every type is parsed by the source
-- itself. Data only ever appears in the script as quoted literals; the dollar-quote tag is chosen
-- so it does not occur in the script.

DROP FUNCTION IF EXISTS ${flyway:defaultSchema}.revert_plan(uuid[], boolean);

CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.revert_plan(p_change_ids uuid[])
RETURNS TABLE(step integer, change_id uuid, operation text, schema_name text, table_name text, primary_key text,
              committed_at timestamptz, action text, restore jsonb, expected jsonb,
              conflict boolean, conflict_reason text)
LANGUAGE sql STABLE AS $$
  WITH selected AS (
    SELECT c AS change, c.* FROM ${flyway:defaultSchema}.changes c WHERE c.id = ANY (p_change_ids) AND c.operation <> 'SNAPSHOT'
  ), ordered AS (
    SELECT s.*,
           row_number() OVER (ORDER BY s.commit_lsn DESC, s.change_index DESC)::integer AS step,
           CASE WHEN s.operation IN ('UPDATE', 'DELETE') THEN ${flyway:defaultSchema}.change_before(s.change) END AS restore
      FROM selected s
  )
  SELECT o.step, o.id, o.operation, o.schema, o."table", o.primary_key, o.committed_at,
         CASE
           WHEN o.operation = 'TRUNCATE' THEN 'impossible: a TRUNCATE cannot be reverted (its rows are not in the trail)'
           WHEN o.operation IN ('UPDATE', 'DELETE') AND o.restore = '{}'::jsonb
             THEN 'impossible: the row before this change is unknown (the source table lacks REPLICA IDENTITY FULL'
                  ' and the trail has no earlier change or snapshot of the row)'
           WHEN o.operation = 'CREATE' THEN 'delete the row'
           WHEN o.operation = 'UPDATE' THEN 'restore the changed columns'
           ELSE 'insert the row again'
         END,
         o.restore,
         CASE WHEN o.operation IN ('CREATE', 'UPDATE') THEN o.after END,
         CASE WHEN o.operation = 'TRUNCATE' THEN NULL
              WHEN o.primary_key IS NULL THEN NULL
              ELSE later.id IS NOT NULL OR truncated.commit_lsn IS NOT NULL END,
         CASE WHEN o.operation = 'TRUNCATE' THEN NULL
              WHEN o.primary_key IS NULL THEN 'table without a key: checked only when the revert runs'
              WHEN later.id IS NOT NULL THEN format('changed later by %s change %s committed at %s',
                                                    later.operation, later.id, later.committed_at)
              WHEN truncated.commit_lsn IS NOT NULL THEN 'table truncated later'
         END
    FROM ordered o
    LEFT JOIN LATERAL (
      SELECT l.id, l.operation, l.committed_at
        FROM ${flyway:defaultSchema}.changes l
       WHERE l.schema = o.schema AND l."table" = o."table" AND l.primary_key = o.primary_key
         AND (l.commit_lsn, l.change_index) > (o.commit_lsn, o.change_index)
         AND NOT EXISTS (SELECT 1 FROM selected s WHERE s.id = l.id)
       ORDER BY l.commit_lsn, l.change_index
       LIMIT 1) later ON o.primary_key IS NOT NULL
    LEFT JOIN LATERAL (
      SELECT t.commit_lsn
        FROM ${flyway:defaultSchema}.changes t
       WHERE t.operation = 'TRUNCATE' AND t.schema = o.schema AND t."table" = o."table"
         AND (t.commit_lsn, t.change_index) > (o.commit_lsn, o.change_index)
         AND NOT EXISTS (SELECT 1 FROM selected s WHERE s.id = t.id)
       LIMIT 1) truncated ON o.primary_key IS NOT NULL
   ORDER BY o.step
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.revert_plan(uuid[]) IS
  'The steps reverting the given changes (reverse commit order) and the conflicts already known';

-- The statement that reverts the given changes on the source. Conflicts the destination already
-- knows of are listed by revert_plan(); the statement itself checks every row when it runs (the
-- destination may lag behind the source) and raises SQLSTATE BM001 instead of overwriting, unless
-- p_force. p_revert_of describes what is reverted (the context's "revertOf"); p_context is merged
-- into the context (e.g. who reverts and from where).
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.revert_changes_sql(p_change_ids uuid[], p_force boolean DEFAULT false,
                                                               p_revert_of jsonb DEFAULT NULL, p_context jsonb DEFAULT '{}')
RETURNS text
LANGUAGE plpgsql STABLE AS $function$
DECLARE
  v_steps text;
  v_impossible text;
  v_script text;
  v_tag text := 'bemi_revert';
  v_context jsonb;
BEGIN
  IF p_change_ids IS NULL OR cardinality(p_change_ids) = 0 THEN
    RAISE EXCEPTION 'bemi revert: no changes to revert'
      USING ERRCODE = 'no_data_found', HINT = 'Check the change id, transaction id or context.';
  END IF;

  SELECT string_agg(format('    (%s, %L, %L, %L, %L, %L::jsonb, %L::jsonb)',
                           p.step, p.operation, format('%I.%I', p.schema_name, p.table_name),
                           p.change_id, p.primary_key, p.restore, p.expected), E',\n' ORDER BY p.step),
         string_agg(format('step %s (%s of %s.%s key %s, change %s): %s', p.step, p.operation, p.schema_name,
                           p.table_name, p.primary_key, p.change_id, substr(p.action, 13)), '; ' ORDER BY p.step)
           FILTER (WHERE p.action LIKE 'impossible: %')
    INTO v_steps, v_impossible
    FROM ${flyway:defaultSchema}.revert_plan(p_change_ids) p;

  IF v_steps IS NULL THEN
    RAISE EXCEPTION 'bemi revert: none of the % given changes is in the trail (or all are snapshots)', cardinality(p_change_ids)
      USING ERRCODE = 'no_data_found', HINT = 'Check the change id, transaction id or context.';
  END IF;
  IF v_impossible IS NOT NULL THEN
    RAISE EXCEPTION 'bemi revert: cannot be reverted: %', v_impossible
      USING ERRCODE = 'BM003', HINT = 'Revert the other changes without these; see revert_plan().';
  END IF;

  v_context := coalesce(p_context, '{}'::jsonb)
               || jsonb_build_object('revertOf', coalesce(p_revert_of, jsonb_build_object('changeIds', to_jsonb(p_change_ids))));
  IF p_force THEN
    v_context := jsonb_set(v_context, '{revertOf,forced}', 'true');
  END IF;

  v_script := format($template$
DECLARE
  v_force constant boolean := %s;
  v_step record;
  v_rel oid;
  v_name text;
  v_key text[];
  v_where text;
  v_lookup jsonb;
  v_expected jsonb;
  v_ctid tid;
  v_current jsonb;
  v_changed boolean;
  v_columns text[];
BEGIN
  -- The revert's own context: its changes are captured as {"revertOf": ...}.
  PERFORM pg_logical_emit_message(true, '_bemi', %L);

  FOR v_step IN
    SELECT * FROM (VALUES
%s
    ) AS s(step, operation, relation, change_id, primary_key, restore, expected)
    ORDER BY s.step
  LOOP
    v_rel := to_regclass(v_step.relation);
    IF v_rel IS NULL THEN
      RAISE EXCEPTION 'bemi revert: table %% does not exist', v_step.relation
        USING ERRCODE = 'BM002', HINT = 'Run the revert on the source database the changes were captured from.';
    END IF;
    SELECT format('%%I.%%I', n.nspname, c.relname) INTO v_name
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = v_rel;

    -- Key columns on the source: the replica identity index, else the primary key.
    SELECT array_agg(a.attname::text ORDER BY k.ord) INTO v_key
      FROM (SELECT i.indkey FROM pg_index i
             WHERE i.indrelid = v_rel AND (i.indisreplident OR i.indisprimary)
             ORDER BY i.indisreplident DESC LIMIT 1) i
     CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute a ON a.attrelid = v_rel AND a.attnum = k.attnum;

    IF v_key IS NOT NULL THEN
      SELECT string_agg(format('t.%%1$I = (jsonb_populate_record(NULL::%%2$s, $1)).%%1$I', k, v_name), ' AND ')
        INTO v_where FROM unnest(v_key) AS k;
    ELSE  -- no key: the row whose values equal the image
      v_where := 'NOT EXISTS (SELECT 1 FROM jsonb_each($1) e WHERE to_jsonb(t.*) ? e.key AND to_jsonb(t.*) -> e.key IS DISTINCT FROM e.value)';
    END IF;

    -- The images as this database renders the row (the trail may hold e.g. a composite value as its
    -- text form, which to_jsonb renders as an object), limited to the columns the table still has.
    EXECUTE format('SELECT to_jsonb(jsonb_populate_record(NULL::%%s, $1))', v_name) INTO v_expected USING v_step.expected;
    v_expected := (SELECT coalesce(jsonb_object_agg(e.key, v_expected -> e.key), '{}') FROM jsonb_each(v_step.expected) e
                    WHERE v_expected ? e.key);
    EXECUTE format('SELECT to_jsonb(jsonb_populate_record(NULL::%%s, $1))', v_name) INTO v_lookup USING v_step.restore;
    v_lookup := (SELECT coalesce(jsonb_object_agg(e.key, v_lookup -> e.key), '{}') FROM jsonb_each(v_step.restore) e
                  WHERE v_lookup ? e.key);
    v_lookup := CASE WHEN v_step.operation = 'DELETE' THEN v_lookup ELSE v_expected END;
    v_ctid := NULL;
    v_current := NULL;
    IF v_key IS NOT NULL OR v_step.operation <> 'DELETE' THEN
      EXECUTE format('SELECT t.ctid, to_jsonb(t.*) FROM %%s AS t WHERE %%s LIMIT 1 FOR UPDATE', v_name, v_where)
        INTO v_ctid, v_current USING v_lookup;
    END IF;

    -- Conflict: undoing a DELETE needs the key free; anything else needs the row as the change left
    -- it (columns the table gained or lost since are not compared).
    v_changed := CASE WHEN v_step.operation = 'DELETE' THEN v_current IS NOT NULL
                      ELSE v_current IS NULL OR EXISTS (
                        SELECT 1 FROM jsonb_each(v_expected) e
                         WHERE v_current ? e.key AND v_current -> e.key IS DISTINCT FROM e.value) END;
    IF v_changed AND NOT v_force THEN
      RAISE EXCEPTION 'bemi revert conflict at step %% (undo %% of %% key %%, change %%): %%', v_step.step, v_step.operation,
            v_step.relation, v_step.primary_key, v_step.change_id,
            CASE WHEN v_step.operation = 'DELETE' THEN 'a row with this key exists again'
                 WHEN v_current IS NULL THEN 'the row no longer exists'
                 ELSE 'the row changed since: ' || left(v_current::text, 500) END
        USING ERRCODE = 'BM001',
              HINT = 'Nothing was changed. Revert the later changes too, or generate the revert with p_force => true to overwrite.';
    END IF;

    IF v_step.operation = 'CREATE' THEN
      IF v_ctid IS NULL THEN
        RAISE NOTICE 'bemi revert: step %% skipped, %% key %% no longer exists', v_step.step, v_step.relation, v_step.primary_key;
        CONTINUE;
      END IF;
      EXECUTE format('DELETE FROM %%s AS t WHERE t.ctid = $1', v_name) USING v_ctid;
    ELSIF v_ctid IS NULL AND v_step.operation = 'UPDATE' THEN
      RAISE NOTICE 'bemi revert: step %% skipped, %% key %% no longer exists', v_step.step, v_step.relation, v_step.primary_key;
    ELSE
      -- UPDATE: the columns this change changed; forced DELETE onto an existing row: every column.
      SELECT array_agg(a.attname::text ORDER BY a.attnum) INTO v_columns
        FROM pg_attribute a
       WHERE a.attrelid = v_rel AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
         AND v_step.restore ? a.attname
         AND (v_step.operation = 'DELETE' OR (v_step.restore -> a.attname) IS DISTINCT FROM (v_step.expected -> a.attname));
      IF v_columns IS NULL THEN
        CONTINUE;
      ELSIF v_ctid IS NOT NULL THEN
        EXECUTE format('UPDATE %%1$s AS t SET (%%2$s) = (SELECT %%3$s FROM jsonb_populate_record(NULL::%%1$s, $1) AS r) WHERE t.ctid = $2',
                       v_name,
                       (SELECT string_agg(format('%%I', c), ', ') FROM unnest(v_columns) AS c),
                       (SELECT string_agg(format('r.%%I', c), ', ') FROM unnest(v_columns) AS c))
          USING v_step.restore, v_ctid;
      ELSE
        EXECUTE format('INSERT INTO %%1$s (%%2$s) OVERRIDING SYSTEM VALUE SELECT %%3$s FROM jsonb_populate_record(NULL::%%1$s, $1) AS r',
                       v_name,
                       (SELECT string_agg(format('%%I', c), ', ') FROM unnest(v_columns) AS c),
                       (SELECT string_agg(format('r.%%I', c), ', ') FROM unnest(v_columns) AS c))
          USING v_step.restore;
      END IF;
    END IF;
  END LOOP;
END
$template$, CASE WHEN p_force THEN 'true' ELSE 'false' END, v_context::text, v_steps);

  -- A dollar-quote tag that does not occur in the body, whatever the data holds.
  WHILE strpos(v_script, '$' || v_tag || '$') > 0 LOOP
    v_tag := v_tag || '_';
  END LOOP;
  RETURN format('DO $%s$%s$%s$;', v_tag, v_script, v_tag) || E'\n';
END
$function$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.revert_changes_sql(uuid[], boolean, jsonb, jsonb) IS
  'A statement for the source that reverts the given changes (reverse commit order, conflict-checked)';

CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.revert_sql(p_change_id uuid, p_force boolean DEFAULT false, p_context jsonb DEFAULT '{}')
RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT ${flyway:defaultSchema}.revert_changes_sql(ARRAY[p_change_id], p_force,
                                             jsonb_build_object('changeId', p_change_id), p_context)
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.revert_sql(uuid, boolean, jsonb) IS
  'A statement for the source that reverts one change';

CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.revert_transaction_sql(p_transaction_id bigint, p_force boolean DEFAULT false,
                                                                   p_context jsonb DEFAULT '{}')
RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT ${flyway:defaultSchema}.revert_changes_sql(
           ARRAY(SELECT c.id FROM ${flyway:defaultSchema}.changes c WHERE c.transaction_id = p_transaction_id),
           p_force, jsonb_build_object('transactionId', p_transaction_id), p_context)
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.revert_transaction_sql(bigint, boolean, jsonb) IS
  'A statement for the source that reverts every change of one transaction';

CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.revert_context_sql(p_context jsonb, p_force boolean DEFAULT false,
                                                               p_revert_context jsonb DEFAULT '{}')
RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT ${flyway:defaultSchema}.revert_changes_sql(
           ARRAY(SELECT c.id FROM ${flyway:defaultSchema}.changes c WHERE c.context @> p_context),
           p_force, jsonb_build_object('context', p_context), p_revert_context)
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.revert_context_sql(jsonb, boolean, jsonb) IS
  'A statement for the source that reverts every change whose context contains the given JSON';

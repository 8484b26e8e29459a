-- Time travel over the changes table: a record's history, a record or a table as of a time, the
-- columns a change changed, and what happened together (a transaction, a context).
--
-- Contract relied on (see V1__changes.sql and docs/time-travel.md): `after` (and `before` when the
-- source table has REPLICA IDENTITY FULL) hold the row exactly as to_jsonb(row) renders it on the
-- source; commit order is (commit_lsn, change_index); a TRUNCATE change has no primary key.
--
-- Table names: 'schema.table' splits at the first dot, case preserved ('public.Users' is the table
-- "Users"); a bare 'table' means schema public; a name containing a double quote is parsed as SQL
-- identifiers ('"my.schema"."My Table"').

CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.table_name_parts(p_table text, OUT schema_name text, OUT table_name text)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE
           WHEN strpos(p_table, '"') > 0 THEN
             CASE WHEN cardinality(parse_ident(p_table)) = 1 THEN 'public' ELSE (parse_ident(p_table))[1] END
           WHEN strpos(p_table, '.') > 0 THEN left(p_table, strpos(p_table, '.') - 1)
           ELSE 'public'
         END,
         CASE
           WHEN strpos(p_table, '"') > 0 THEN (parse_ident(p_table))[cardinality(parse_ident(p_table))]
           ELSE substr(p_table, strpos(p_table, '.') + 1)
         END
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.table_name_parts(text) IS
  'Splits ''schema.table'' (or a bare table name, schema public) into schema and table';

-- Several sources may ingest into one destination (changes.source), and two of them can have the
-- same table and keys: time travel and restore read one source's changes. Refused (BM008) when
-- p_sources (the sources the changes read come from) are several.
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.refuse_several_sources(p_sources text[], p_what text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF cardinality(p_sources) > 1 THEN
    RAISE EXCEPTION 'bemi: the changes of % come from several sources: %', p_what,
                    (SELECT string_agg(quote_literal(s), ', ') FROM unnest(p_sources) s)
      USING ERRCODE = 'BM008', HINT = 'Pass the source whose state you want (p_source).';
  END IF;
END
$$;

-- The sources the changes of the tables (NULL: every table) come from, sorted; empty when nothing
-- was recorded. Read from the activity rollup (V76: a row per minute, source, table and operation,
-- not the trail) by a loose scan of activity_table_source_idx (V91): one index probe per distinct
-- (table, source), however many minutes are counted. The dashboard offers them as a choice.
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.table_sources(p_tables text[])
RETURNS text[]
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_sources text[];
BEGIN
  IF p_tables IS NULL THEN
    WITH RECURSIVE found(schema, "table", source) AS (
      (SELECT a.schema, a."table", a.source FROM ${flyway:defaultSchema}.activity a
        ORDER BY a.schema, a."table", a.source LIMIT 1)
      UNION ALL
      SELECT n.* FROM found f CROSS JOIN LATERAL (
        SELECT a.schema, a."table", a.source FROM ${flyway:defaultSchema}.activity a
         WHERE (a.schema, a."table", a.source) > (f.schema, f."table", f.source)
         ORDER BY a.schema, a."table", a.source LIMIT 1) n
    )
    SELECT array_agg(DISTINCT found.source ORDER BY found.source) INTO v_sources FROM found;
  ELSE
    WITH RECURSIVE found(schema, "table", source) AS (
      SELECT t.schema_name, t.table_name, first.source
        FROM unnest(p_tables) x
             CROSS JOIN LATERAL ${flyway:defaultSchema}.table_name_parts(x) t
             CROSS JOIN LATERAL (SELECT a.source FROM ${flyway:defaultSchema}.activity a
                                  WHERE a.schema = t.schema_name AND a."table" = t.table_name
                                  ORDER BY a.source LIMIT 1) first
      UNION ALL
      SELECT f.schema, f."table", n.source FROM found f CROSS JOIN LATERAL (
        SELECT a.source FROM ${flyway:defaultSchema}.activity a
         WHERE a.schema = f.schema AND a."table" = f."table" AND a.source > f.source
         ORDER BY a.source LIMIT 1) n
    )
    SELECT array_agg(DISTINCT found.source ORDER BY found.source) INTO v_sources FROM found;
  END IF;
  RETURN coalesce(v_sources, '{}');
END
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.table_sources(text[]) IS
  'The sources the changes of the tables (NULL: every table) come from, sorted; from the activity rollup';

-- The source time travel reads for the tables (NULL: every table): p_source when given; otherwise
-- the one source their changes come from (table_sources()); refused (BM008) when several. NULL
-- when nothing was recorded.
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.resolve_source(p_tables text[], p_source text)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_sources text[];
BEGIN
  IF p_source IS NOT NULL THEN
    RETURN p_source;
  END IF;
  v_sources := ${flyway:defaultSchema}.table_sources(p_tables);
  PERFORM ${flyway:defaultSchema}.refuse_several_sources(v_sources, coalesce(array_to_string(p_tables, ', '), 'every table'));
  RETURN v_sources[1];
END
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.resolve_source(text[], text) IS
  'The source time travel reads for the tables: the given one, or the only one; refused (BM008) when several';

-- Every change of one record, in commit order, across its key changes: an UPDATE that changes the
-- primary key is stored under the new key with previous_primary_key naming the old one
-- (V80__previous_primary_key.sql). From the given key the walk goes back through the keys the
-- record had before (the old key's changes before the move) and forward through the keys it moved
-- to (the new key's changes from the move on), so asking by the old key or by the new key gives the
-- whole life. A key that held several records over time (deleted and inserted again) shows all of
-- them, as it always did. Each step narrows the window of positions, so the walk ends.
-- Paged by keyset when p_limit is given: the changes strictly after (p_after_commit_lsn,
-- p_after_change_index), at most p_limit of them (a hot row can have tens of thousands); the bound
-- is one row comparison even without a cursor (commit LSNs are never negative), so it is an index
-- condition of changes_record_idx. p_source: only changes from that source (NULL: every source,
-- each followed across its own key changes; a page then ends after every source's change at its
-- last position, so it can hold more than p_limit when two sources' positions are equal).
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.record_history(p_table text, p_primary_key text,
                                                           p_limit integer DEFAULT NULL,
                                                           p_after_commit_lsn bigint DEFAULT NULL,
                                                           p_after_change_index integer DEFAULT NULL,
                                                           p_source text DEFAULT NULL)
RETURNS SETOF ${flyway:defaultSchema}.changes
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_schema constant text := (${flyway:defaultSchema}.table_name_parts(p_table)).schema_name;
  v_table constant text := (${flyway:defaultSchema}.table_name_parts(p_table)).table_name;
BEGIN
  -- PL/pgSQL so the recursive query's plan is cached for the session, not planned on every call.
  -- Each window is one source's (NULL: the record's window in every source) once a change of that
  -- source moved the key: two sources' keys and positions are unrelated.
  RETURN QUERY
    WITH RECURSIVE keys(source, primary_key, walk, from_lsn, from_index, to_lsn, to_index) AS (
      -- a key's changes in the window [from, to)
      SELECT p_source, p_primary_key, 'both', -1::bigint, -1, 9223372036854775807::bigint, 0
      UNION
      SELECT step.* FROM keys k CROSS JOIN LATERAL (
        -- back: a change moved the record onto this key from previous_primary_key
        SELECT c.source, c.previous_primary_key, 'back', -1::bigint, -1, c.commit_lsn, c.change_index
          FROM ${flyway:defaultSchema}.changes c
         WHERE k.walk <> 'forward' AND c.schema = v_schema AND c."table" = v_table AND c.primary_key = k.primary_key
           AND c.previous_primary_key IS NOT NULL AND (k.source IS NULL OR c.source = k.source)
           AND (c.commit_lsn, c.change_index) >= (k.from_lsn, k.from_index)
           AND (c.commit_lsn, c.change_index) < (k.to_lsn, k.to_index)
        UNION ALL
        -- forward: a change moved the record away from this key, to primary_key
        SELECT c.source, c.primary_key, 'forward', c.commit_lsn, c.change_index, 9223372036854775807::bigint, 0
          FROM ${flyway:defaultSchema}.changes c
         WHERE k.walk <> 'back' AND c.schema = v_schema AND c."table" = v_table AND c.previous_primary_key = k.primary_key
           AND (k.source IS NULL OR c.source = k.source)
           AND (c.commit_lsn, c.change_index) > (k.from_lsn, k.from_index)
           AND (c.commit_lsn, c.change_index) < (k.to_lsn, k.to_index)) step
    )
    -- a change is one source's (source, commit_lsn, change_index); a page ends after every change at
    -- its last position (WITH TIES: sources' positions can be equal), so the cursor skips none
    SELECT h.* FROM (
      SELECT DISTINCT ON (c.commit_lsn, c.change_index, c.source) c.*
        FROM keys k
        JOIN ${flyway:defaultSchema}.changes c
          ON c.schema = v_schema AND c."table" = v_table AND c.primary_key = k.primary_key
         AND (k.source IS NULL OR c.source = k.source)
         AND (c.commit_lsn, c.change_index) >= (k.from_lsn, k.from_index)
         AND (c.commit_lsn, c.change_index) < (k.to_lsn, k.to_index)
         AND (c.commit_lsn, c.change_index) > (coalesce(p_after_commit_lsn, -1), coalesce(p_after_change_index, -1))
       ORDER BY c.commit_lsn, c.change_index, c.source) h
     ORDER BY h.commit_lsn, h.change_index
     FETCH FIRST (coalesce(p_limit, 2147483647)) ROWS WITH TIES;
END
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.record_history(text, text, integer, bigint, integer, text) IS
  'Every change of one record (table, primary key text), in commit order, across its primary key changes; a page of p_limit after a (commit_lsn, change_index) cursor';

-- The commit position of the table's last TRUNCATE strictly before a position (NULL when none).
DROP FUNCTION IF EXISTS ${flyway:defaultSchema}.last_truncate_before(text, text, bigint, integer);
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.last_truncate_before(p_schema text, p_table text, p_commit_lsn bigint, p_change_index integer,
                                                                p_source text)
RETURNS TABLE(commit_lsn bigint, change_index integer)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT t.commit_lsn, t.change_index
    FROM ${flyway:defaultSchema}.changes t
   WHERE t.operation = 'TRUNCATE' AND t.schema = p_schema AND t."table" = p_table
     AND (t.commit_lsn, t.change_index) < (p_commit_lsn, p_change_index) AND t.source = p_source
   ORDER BY t.commit_lsn DESC, t.change_index DESC
   LIMIT 1
$$;

-- The row image a record had just before a position in the commit order (NULL: absent). Used to
-- complete `before` images of tables without REPLICA IDENTITY FULL. Positions are per source.
DROP FUNCTION IF EXISTS ${flyway:defaultSchema}.record_before(text, text, text, bigint, integer);
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.record_before(p_schema text, p_table text, p_primary_key text,
                                                          p_commit_lsn bigint, p_change_index integer, p_source text)
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN c.operation IN ('CREATE', 'UPDATE', 'SNAPSHOT') THEN c.after END
    FROM ${flyway:defaultSchema}.changes c
   WHERE c.schema = p_schema AND c."table" = p_table AND c.primary_key = p_primary_key
     AND (c.commit_lsn, c.change_index) < (p_commit_lsn, p_change_index) AND c.source = p_source
     AND NOT EXISTS (SELECT 1
                       FROM ${flyway:defaultSchema}.last_truncate_before(p_schema, p_table, p_commit_lsn, p_change_index, p_source) t
                      WHERE (t.commit_lsn, t.change_index) > (c.commit_lsn, c.change_index))
   ORDER BY c.commit_lsn DESC, c.change_index DESC
   LIMIT 1
$$;

-- The row an UPDATE or a DELETE found, when the change holds all of it (the table has REPLICA
-- IDENTITY FULL): its `before`, if that has every column of the UPDATE's new row (for a DELETE, of
-- the table's newest recorded row). NULL when it holds less (the key only) or is another operation.
-- For a row older than the trail: its first change is then the only record of what it was.
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.whole_old_row(p_change ${flyway:defaultSchema}.changes)
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE WHEN w.columns IS NOT NULL AND p_change.before ?& ARRAY(SELECT jsonb_object_keys(w.columns))
              THEN p_change.before END
    FROM (SELECT CASE p_change.operation
                   WHEN 'UPDATE' THEN p_change.after
                   WHEN 'DELETE' THEN (SELECT r.after FROM ${flyway:defaultSchema}.changes r
                                        WHERE r."table" = p_change."table" AND r.schema = p_change.schema
                                          AND r.source = p_change.source AND r.operation IN ('CREATE', 'UPDATE', 'SNAPSHOT')
                                        ORDER BY r.committed_at DESC LIMIT 1)
                 END AS columns) w
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.whole_old_row(${flyway:defaultSchema}.changes) IS
  'The row an UPDATE or DELETE found, when it holds all of it (REPLICA IDENTITY FULL); else NULL';

-- A record's values at an instant: the `after` of its last change committed at or before p_at;
-- NULL when it did not exist then (never recorded, deleted, or its table truncated since), or when
-- it is older than the trail and its first change after p_at does not hold its whole old row. A
-- SNAPSHOT (baseline) change counts as the row's state from the snapshot's time on. The row that
-- held the key at the instant comes first; when none did, the record is followed across its key
-- changes (record_history): by its new key before the key changed, by its old key after.
-- PL/pgSQL rather than SQL so its plan is cached for the session (a scalar SQL function's body is
-- planned again on every call before PostgreSQL 18). p_source: see resolve_source().
DROP FUNCTION IF EXISTS ${flyway:defaultSchema}.record_as_of(text, text, timestamptz);
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.record_as_of(p_table text, p_primary_key text, p_at timestamptz, p_source text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_schema constant text := (${flyway:defaultSchema}.table_name_parts(p_table)).schema_name;
  v_table constant text := (${flyway:defaultSchema}.table_name_parts(p_table)).table_name;
  v_source constant text := ${flyway:defaultSchema}.resolve_source(ARRAY[p_table], p_source);
  v_last record;
BEGIN
  SELECT c.operation, c.after, c.commit_lsn, c.change_index INTO v_last
    FROM ${flyway:defaultSchema}.changes c
   WHERE c.schema = v_schema AND c."table" = v_table AND c.primary_key = p_primary_key
     AND c.committed_at <= p_at AND c.source = v_source
     -- not moved away from the key (an UPDATE of the key) since
     AND NOT EXISTS (SELECT 1 FROM ${flyway:defaultSchema}.changes d
                      WHERE d.previous_primary_key = p_primary_key AND d.schema = v_schema AND d."table" = v_table
                        AND (d.commit_lsn, d.change_index) > (c.commit_lsn, c.change_index) AND d.committed_at <= p_at
                        AND d.source = v_source)
   ORDER BY c.commit_lsn DESC, c.change_index DESC
   LIMIT 1;
  IF NOT FOUND THEN  -- no row held the key: follow the record across its key changes
    SELECT h.operation, h.after, h.commit_lsn, h.change_index INTO v_last
      FROM ${flyway:defaultSchema}.record_history(p_table, p_primary_key, p_source => v_source) h
     WHERE h.committed_at <= p_at
     ORDER BY h.commit_lsn DESC, h.change_index DESC
     LIMIT 1;
    IF NOT FOUND THEN
      -- nothing recorded up to the instant: the record existed then (older than the trail) if its
      -- first change after it, under this key or moving it to or from this key, is an UPDATE or a
      -- DELETE; that change's whole old row says what it was (NULL when it holds only the key)
      RETURN (SELECT ${flyway:defaultSchema}.whole_old_row(f)
                FROM ${flyway:defaultSchema}.changes f
               WHERE (f.primary_key = p_primary_key OR f.previous_primary_key = p_primary_key)
                 AND f.schema = v_schema AND f."table" = v_table AND f.committed_at > p_at AND f.source = v_source
               ORDER BY f.commit_lsn, f.change_index
               LIMIT 1);
    END IF;
  END IF;
  IF v_last.operation NOT IN ('CREATE', 'UPDATE', 'SNAPSHOT')
     OR EXISTS (SELECT 1
                  FROM ${flyway:defaultSchema}.changes t
                 WHERE t.operation = 'TRUNCATE' AND t.schema = v_schema AND t."table" = v_table
                   AND (t.commit_lsn, t.change_index) > (v_last.commit_lsn, v_last.change_index)
                   AND t.committed_at <= p_at AND t.source = v_source) THEN
    RETURN NULL;
  END IF;
  RETURN v_last.after;
END
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.record_as_of(text, text, timestamptz, text) IS
  'A record''s row (to_jsonb form) as of an instant; NULL when it did not exist then, or the trail does not know it';

-- Every row of a table at an instant, in no particular order (add ORDER BY primary_key when the
-- order matters). Rows of tables without a key (primary_key NULL) cannot be told apart and are not
-- returned.
--
-- How it stays fast on large trails: the instant becomes a commit position first (the commit LSN
-- of the last transaction committed at or before it, one probe of changes_committed_at_idx), so
-- the latest change of every key is found by one backward index-only scan of changes_record_idx
-- (DISTINCT ON, no hash); only those changes' rows are then read, by their unique
-- (commit_lsn, change_index), sorted into commit order first. Commit timestamps follow commit
-- order (the WAL's), so the position bound and a committed_at bound select the same
-- transactions. Commit positions are per source (two sources' LSNs are unrelated): the position
-- is the source's.
DROP FUNCTION IF EXISTS ${flyway:defaultSchema}.commit_position_at(timestamptz);
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.commit_position_at(p_at timestamptz, p_source text DEFAULT NULL)
RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT b.commit_lsn
    FROM ${flyway:defaultSchema}.changes b
   WHERE b.committed_at <= p_at AND (p_source IS NULL OR b.source = p_source)
   ORDER BY b.committed_at DESC, b.commit_lsn DESC
   LIMIT 1
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.commit_position_at(timestamptz, text) IS
  'The commit LSN of the last transaction (of a source) committed at or before an instant (NULL: none)';

-- A table's live rows at the end of the compacted partitions (V96), for table_as_of. A function of
-- its own, called only when they are current: a query naming compacted_states would need SELECT
-- on it even where it does not read it, and a role without the grant gets every answer without it.
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.compacted_table_state(p_schema text, p_table text, p_source text)
RETURNS TABLE(primary_key text, commit_lsn bigint, change_index integer, "row" jsonb)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  SELECT s.primary_key, s.commit_lsn, s.change_index, s."row"
    FROM ${flyway:defaultSchema}.compacted_states s
   WHERE s."table" = p_table AND s.schema = p_schema AND s.source = p_source;
END
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.compacted_table_state(text, text, text) IS
  'A table''s live rows at the end of the compacted partitions of changes, with the position of each row''s change';

DROP FUNCTION IF EXISTS ${flyway:defaultSchema}.table_as_of(text, timestamptz);
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.table_as_of(p_table text, p_at timestamptz, p_source text DEFAULT NULL)
RETURNS TABLE(primary_key text, "row" jsonb)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
-- Its plans read indexes; a parallel plan only adds workers' start and a sort (+5 % on 100,000
-- rows warm), and for months in record order it prices a parallel scan of the whole month below
-- the record index (3.5 GB read for a 10M-change month).
SET max_parallel_workers_per_gather = 0
-- scoped to the call: the read in record order turns it off below
SET enable_seqscan = on AS $$
#variable_conflict use_column
DECLARE
  v_schema constant text := (${flyway:defaultSchema}.table_name_parts(p_table)).schema_name;
  v_table constant text := (${flyway:defaultSchema}.table_name_parts(p_table)).table_name;
  v_source constant text := ${flyway:defaultSchema}.resolve_source(ARRAY[p_table], p_source);
  -- the table's changes come from the source only: the latest changes stay an index-only scan
  -- (without p_source resolve_source found at most one; with it, two probes of
  -- activity_table_source_idx, each ending at its first row)
  v_one_source constant boolean := p_source IS NULL OR
    NOT EXISTS (SELECT FROM ${flyway:defaultSchema}.activity a
                 WHERE a.schema = v_schema AND a."table" = v_table AND a.source < v_source)
    AND NOT EXISTS (SELECT FROM ${flyway:defaultSchema}.activity a
                     WHERE a.schema = v_schema AND a."table" = v_table AND a.source > v_source);
  v_position constant bigint := ${flyway:defaultSchema}.commit_position_at(p_at, v_source);
  -- Months rewritten in record order (compact_partition, R__5) are read with the rows, in one
  -- forward sweep of the table's changes, when the table has few changes per key there: reading
  -- a change sequentially costs about a tenth of probing one at random (100,000 rows, 500,000
  -- changes: 1.5-1.7 s against 2.2-2.3 s from disk, 0.43 s against 0.9 s cached; at 21 changes
  -- per key already slower cached; docs/benchmarks.md, "Compaction"). A table with a few hot rows
  -- (a warehouse row changed 25,000 times) keeps the probes of its latest changes.
  -- (a role without SELECT on the compaction tables reads everything through the probes)
  v_compacted_until timestamptz;
  v_with_rows boolean := false;
  -- At an instant after the compacted months, the table's state at their end (V96, taken by
  -- `bemi-ingester compact`) replaces reading them: one row per live key (100,000 rows: 0.1 s from
  -- disk, against 1.5-2.7 s for their 500,000 changes in record order). Trusted only while taken
  -- from the current compacted run and not made stale by a change stored there since; never under
  -- row security on changes, which the states would bypass.
  v_states boolean := false;
BEGIN
  IF has_table_privilege('${flyway:defaultSchema}.compacted_state_tables', 'SELECT')
     AND has_table_privilege('${flyway:defaultSchema}.compacted_states', 'SELECT')
     AND NOT (SELECT c.relrowsecurity FROM pg_class c WHERE c.oid = '${flyway:defaultSchema}.changes'::regclass) THEN
    -- one probe of the headers first: a table without a state skips reading the partitions' catalog
    IF EXISTS (SELECT FROM ${flyway:defaultSchema}.compacted_state_tables h
                WHERE h."table" = v_table AND h.schema = v_schema AND h.source = v_source AND p_at >= h.until_at) THEN
      SELECT r.until_at INTO v_compacted_until
        FROM ${flyway:defaultSchema}.compacted_run() r
        JOIN ${flyway:defaultSchema}.compacted_state_tables h ON h.until_at = r.until_at AND h.relids = r.relids
       WHERE h."table" = v_table AND h.schema = v_schema AND h.source = v_source AND p_at >= r.until_at;
      v_states := FOUND;
    END IF;
  END IF;
  IF v_states THEN
    RAISE DEBUG 'bemi: table_as_of(%) starts from its state at % and reads the changes since', p_table, v_compacted_until;
  ELSIF has_table_privilege('${flyway:defaultSchema}.compacted_tables', 'SELECT') THEN
    IF (SELECT sum(t.changes) <= 10 * max(t.keys)
          FROM ${flyway:defaultSchema}.compacted_tables t
         WHERE t."table" = v_table AND t.schema = v_schema AND (v_one_source OR t.source = v_source)) THEN
      v_compacted_until := ${flyway:defaultSchema}.compacted_until();
      v_with_rows := v_compacted_until IS NOT NULL;
    END IF;
  END IF;
  IF v_with_rows THEN
    RAISE DEBUG 'bemi: table_as_of(%) reads the changes committed before % with their rows, in record order',
      p_table, v_compacted_until;
    -- The planner prices the backward scan of the record index with the rows above reading the
    -- whole month (its correlation statistics see only the index's first column, "table"), and
    -- picks a scan of every page of the month and a sort: 1.7 s instead of 0.43 s warm for
    -- 100,000 rows of a 10M-change month (docs/benchmarks.md, "Compaction").
    PERFORM set_config('enable_seqscan', 'off', true);
  END IF;
  RETURN QUERY
  WITH departed AS MATERIALIZED (
    -- UPDATEs that moved a row away from its key up to the instant (changes_previous_key_idx; few)
    SELECT d.previous_primary_key, d.commit_lsn, d.change_index
      FROM ${flyway:defaultSchema}.changes d
     WHERE d.previous_primary_key IS NOT NULL
       AND d.schema = v_schema AND d."table" = v_table AND d.source = v_source
       AND d.commit_lsn <= v_position
  ), latest AS NOT MATERIALIZED (
    -- each key's latest change (index-only: its position); without v_with_rows, in every month
    SELECT DISTINCT ON (c.primary_key) c.primary_key, c.commit_lsn, c.change_index
      FROM ${flyway:defaultSchema}.changes c
     WHERE c.schema = v_schema AND c."table" = v_table
       AND c.primary_key IS NOT NULL
       AND c.commit_lsn <= v_position AND (v_one_source OR c.source = v_source)
       AND (NOT (v_with_rows OR v_states) OR c.committed_at >= v_compacted_until)
     ORDER BY c.primary_key DESC, c.commit_lsn DESC, c.change_index DESC
  ), compacted AS (
    -- with v_with_rows, each key's latest change in the compacted months, with its row: the
    -- backward scan of changes_record_idx reads their heap forwards
    SELECT DISTINCT ON (c.primary_key) c.primary_key, c.commit_lsn, c.change_index, c.after, c.operation
      FROM ${flyway:defaultSchema}.changes c
     WHERE v_with_rows AND c.committed_at < v_compacted_until
       AND c.schema = v_schema AND c."table" = v_table
       AND c.primary_key IS NOT NULL
       AND c.commit_lsn <= v_position AND (v_one_source OR c.source = v_source)
     ORDER BY c.primary_key DESC, c.commit_lsn DESC, c.change_index DESC
  ), stated AS (
    -- with v_states, the live rows at the end of the compacted months (their changes' operation
    -- is one of the live ones; which does not matter below)
    SELECT s.primary_key, s.commit_lsn, s.change_index, s."row" AS after, 'UPDATE'::text AS operation
      FROM ${flyway:defaultSchema}.compacted_table_state(v_schema, v_table, v_source) s
     WHERE v_states
  ), chosen AS (
    SELECT l.primary_key, l.commit_lsn, l.change_index, NULL::jsonb AS after, NULL::text AS operation
      FROM latest l
     WHERE NOT (v_with_rows OR v_states)
    UNION ALL
    -- with v_with_rows or v_states, the later of the two per key (a key changed since the
    -- compacted months: its newer change)
    (SELECT DISTINCT ON (u.primary_key) u.*
       FROM (SELECT l.primary_key, l.commit_lsn, l.change_index, NULL::jsonb AS after, NULL::text AS operation
               FROM latest l
             UNION ALL
             SELECT k.primary_key, k.commit_lsn, k.change_index, k.after, k.operation
               FROM compacted k
             UNION ALL
             SELECT t.primary_key, t.commit_lsn, t.change_index, t.after, t.operation
               FROM stated t) u
      WHERE v_with_rows OR v_states
      ORDER BY u.primary_key DESC, u.commit_lsn DESC, u.change_index DESC)
  )
  SELECT l.primary_key, coalesce(l.after, r.after)
    -- probed in commit order, which is the trail's physical order outside compacted months: the
    -- index pages and heap pages are read once each, in ascending order (100,000 rows of a 10M
    -- trail, page cache dropped: 6.4-7.0 s in key order, 0.9-2.4 s in commit order; the same when
    -- cached; TableAsOfColdBench). Changes read with their row are not probed.
    FROM (SELECT * FROM chosen ORDER BY commit_lsn, change_index) l
   -- LIMIT 1 (the unique key allows one row anyway) keeps this a probe of changes_commit_change_key
  -- per record: without it the planner may hash the whole trail (20 s at 10M changes, 38 s at 30M).
  LEFT JOIN LATERAL (SELECT c.after, c.operation
                        FROM ${flyway:defaultSchema}.changes c
                       WHERE l.operation IS NULL
                         AND c.commit_lsn = l.commit_lsn AND c.change_index = l.change_index
                         AND c.source = v_source
                       LIMIT 1) r ON true
   WHERE coalesce(l.operation, r.operation) IN ('CREATE', 'UPDATE', 'SNAPSHOT')
     -- not moved away from the key (an UPDATE of the key) up to the instant
     AND NOT EXISTS (SELECT 1 FROM departed d
                      WHERE d.previous_primary_key = l.primary_key
                        AND (d.commit_lsn, d.change_index) > (l.commit_lsn, l.change_index))
     -- not before the table's last TRUNCATE up to the instant
     AND (l.commit_lsn, l.change_index) > (
           SELECT coalesce(max(t.commit_lsn), -1),
                  coalesce((array_agg(t.change_index ORDER BY t.commit_lsn DESC, t.change_index DESC))[1], -1)
             FROM ${flyway:defaultSchema}.changes t
            WHERE t.operation = 'TRUNCATE' AND t.schema = v_schema AND t."table" = v_table
              AND t.source = v_source AND t.commit_lsn <= v_position);
END
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.table_as_of(text, timestamptz, text) IS
  'Every keyed row of a table (to_jsonb form) as of an instant, unordered';

-- The row image before a change. `before` is complete when the source table has REPLICA IDENTITY
-- FULL; otherwise (key columns only, or nothing) it is completed from the record's previous change
-- (under its previous key when the change moved it to another key).
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.change_before(p_change ${flyway:defaultSchema}.changes)
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT CASE
           WHEN p_change.operation NOT IN ('UPDATE', 'DELETE') THEN p_change.before
           WHEN p_change.operation = 'UPDATE'
                AND p_change.before ?& ARRAY(SELECT jsonb_object_keys(p_change.after)) THEN p_change.before
           WHEN p_change.primary_key IS NULL THEN p_change.before
           ELSE coalesce(${flyway:defaultSchema}.record_before(p_change.schema, p_change."table",
                                                        coalesce(p_change.previous_primary_key, p_change.primary_key),
                                                        p_change.commit_lsn, p_change.change_index, p_change.source),
                    '{}'::jsonb)
                || p_change.before
         END
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.change_before(${flyway:defaultSchema}.changes) IS
  'The row before a change: `before`, completed from the record''s previous change when the table lacks REPLICA IDENTITY FULL';

-- The columns a change changed: old and new values (jsonb; SQL NULL when the row did not exist on
-- that side). CREATE/SNAPSHOT list every column, DELETE every column, UPDATE the changed ones among
-- those its after holds: a column an UPDATE's after leaves out is an unchanged TOAST value the
-- server did not send (table without REPLICA IDENTITY FULL), not a value set to NULL.
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.columns_changed(p_operation text, p_before jsonb, p_after jsonb)
RETURNS TABLE(column_name text, old_value jsonb, new_value jsonb)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT k.column_name,
         CASE WHEN p_operation IN ('UPDATE', 'DELETE') THEN p_before -> k.column_name END,
         CASE WHEN p_operation IN ('CREATE', 'UPDATE', 'SNAPSHOT') THEN p_after -> k.column_name END
    FROM (SELECT jsonb_object_keys(p_before) AS column_name WHERE p_operation = 'DELETE'
          UNION
          SELECT jsonb_object_keys(p_after) WHERE p_operation IN ('CREATE', 'UPDATE', 'SNAPSHOT')) k
   WHERE p_operation <> 'UPDATE' OR (p_before -> k.column_name) IS DISTINCT FROM (p_after -> k.column_name)
   ORDER BY k.column_name
$$;

CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.change_diff(p_change_id uuid)
RETURNS TABLE(column_name text, old_value jsonb, new_value jsonb)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT d.column_name, d.old_value, d.new_value
    FROM ${flyway:defaultSchema}.changes c
   CROSS JOIN LATERAL ${flyway:defaultSchema}.columns_changed(c.operation, ${flyway:defaultSchema}.change_before(c), c.after) d
   WHERE c.id = p_change_id
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.change_diff(uuid) IS
  'The columns one change changed, with old and new values';

-- One row per changed column per change, for SQL and BI users.
CREATE OR REPLACE VIEW ${flyway:defaultSchema}.change_columns AS
SELECT c.id AS change_id,
       c.committed_at,
       c.database,
       c.schema,
       c."table",
       c.primary_key,
       c.operation,
       c.transaction_id,
       c.context,
       d.column_name,
       d.old_value,
       d.new_value
  FROM ${flyway:defaultSchema}.changes c
 CROSS JOIN LATERAL ${flyway:defaultSchema}.columns_changed(c.operation, ${flyway:defaultSchema}.change_before(c), c.after) d;

COMMENT ON VIEW ${flyway:defaultSchema}.change_columns IS
  'One row per changed column per change (old and new value as jsonb)';

-- A transaction is identified by its commit LSN: unique per source, and what the dashboard and the
-- API use. An xid (transaction_id) is 32 bits and wraps, so one xid can name two stored
-- transactions. Two sources' commit LSNs and xids are unrelated numbers that can be equal: a
-- transaction is one source's (p_source; NULL: the only source stored there, refused with BM008
-- when several).

-- Every change of the transaction committed at an LSN, in commit order.
DROP FUNCTION IF EXISTS ${flyway:defaultSchema}.commit_changes(pg_lsn);
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.commit_changes(p_commit_lsn pg_lsn, p_source text DEFAULT NULL)
RETURNS SETOF ${flyway:defaultSchema}.changes
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_commit_lsn constant bigint := (p_commit_lsn - '0/0'::pg_lsn)::bigint;
BEGIN
  IF p_source IS NULL THEN
    PERFORM ${flyway:defaultSchema}.refuse_several_sources(
      ARRAY(SELECT DISTINCT c.source FROM ${flyway:defaultSchema}.changes c WHERE c.commit_lsn = v_commit_lsn ORDER BY 1),
      'the transaction committed at ' || p_commit_lsn::text);
  END IF;
  RETURN QUERY
    SELECT c.*
      FROM ${flyway:defaultSchema}.changes c
     WHERE c.commit_lsn = v_commit_lsn AND (p_source IS NULL OR c.source = p_source)
     ORDER BY c.change_index;
END
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.commit_changes(pg_lsn, text) IS
  'Every change of the transaction committed at an LSN (its identity in its source), in commit order';

-- The transactions stored for an xid (of p_source; NULL: of every source), newest first: more than
-- one after xid wraparound, or when two sources used the xid.
DROP FUNCTION IF EXISTS ${flyway:defaultSchema}.transaction_commits(bigint);
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.transaction_commits(p_transaction_id bigint, p_source text DEFAULT NULL)
RETURNS TABLE(commit_lsn pg_lsn, committed_at timestamptz, changes bigint, source text)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT ('0/0'::pg_lsn + c.commit_lsn::numeric), min(c.committed_at), count(*), c.source
    FROM ${flyway:defaultSchema}.changes c
   WHERE c.transaction_id = p_transaction_id AND (p_source IS NULL OR c.source = p_source)
   GROUP BY c.commit_lsn, c.source
   ORDER BY c.commit_lsn DESC, c.source
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.transaction_commits(bigint, text) IS
  'The transactions (commit LSN, time, change count, source) stored under one xid: more than one after xid wraparound or across sources';

-- Convenience: every change of one source transaction by xid, in commit order. Refused (BM008)
-- when several sources stored that xid and p_source names none, and (BM005) when the xid names
-- more than one stored transaction of the source, unless p_commit_lsn (a commit LSN as
-- transaction_commits lists it) picks one. It was a bigint (changes.commit_lsn) before: the
-- functions that name a transaction take its pg_lsn.
DROP FUNCTION IF EXISTS ${flyway:defaultSchema}.transaction_changes(bigint, bigint);
DROP FUNCTION IF EXISTS ${flyway:defaultSchema}.transaction_changes(bigint, bigint, text);
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.transaction_changes(p_transaction_id bigint, p_commit_lsn pg_lsn DEFAULT NULL,
                                                                p_source text DEFAULT NULL)
RETURNS SETOF ${flyway:defaultSchema}.changes
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $function$
DECLARE
  v_commits text;
  v_commit_lsn constant bigint := (p_commit_lsn - '0/0'::pg_lsn)::bigint;
BEGIN
  IF p_source IS NULL THEN
    PERFORM ${flyway:defaultSchema}.refuse_several_sources(
      ARRAY(SELECT DISTINCT t.source FROM ${flyway:defaultSchema}.transaction_commits(p_transaction_id) t
             WHERE p_commit_lsn IS NULL OR t.commit_lsn = p_commit_lsn ORDER BY 1),
      'xid ' || p_transaction_id);
  END IF;
  IF p_commit_lsn IS NULL THEN
    SELECT string_agg(t.commit_lsn::text || ' (' || t.committed_at::text || ')', ', ' ORDER BY t.commit_lsn)
      INTO v_commits
      FROM ${flyway:defaultSchema}.transaction_commits(p_transaction_id, p_source) t
    HAVING count(*) > 1;
    IF v_commits IS NOT NULL THEN
      RAISE EXCEPTION 'bemi: xid % names more than one transaction (xids wrap): committed at LSN %', p_transaction_id, v_commits
        USING ERRCODE = 'BM005', HINT = 'Name the transaction by its commit LSN: commit_changes(lsn), revert_commit_sql(lsn).';
    END IF;
  END IF;
  RETURN QUERY
    SELECT c.*
      FROM ${flyway:defaultSchema}.changes c
     WHERE c.transaction_id = p_transaction_id
       AND (v_commit_lsn IS NULL OR c.commit_lsn = v_commit_lsn)
       AND (p_source IS NULL OR c.source = p_source)
     ORDER BY c.commit_lsn, c.change_index;
END
$function$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.transaction_changes(bigint, pg_lsn, text) IS
  'Every change of one source transaction by xid, in commit order; refused when the xid names more than one';

-- Every change whose context contains p_context (jsonb containment, GIN index), in commit order,
-- across transactions. p_source: only that source's; NULL: the one source they come from, refused
-- (BM008) when several (commit order is per source).
DROP FUNCTION IF EXISTS ${flyway:defaultSchema}.context_changes(jsonb);
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.context_changes(p_context jsonb, p_source text DEFAULT NULL)
RETURNS SETOF ${flyway:defaultSchema}.changes
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_changes ${flyway:defaultSchema}.changes[];
BEGIN
  -- read once (GIN index), then checked
  SELECT array_agg(c ORDER BY c.commit_lsn, c.change_index) INTO v_changes
    FROM ${flyway:defaultSchema}.changes c
   WHERE c.context @> p_context AND (p_source IS NULL OR c.source = p_source);
  IF p_source IS NULL THEN
    PERFORM ${flyway:defaultSchema}.refuse_several_sources(ARRAY(SELECT DISTINCT x.source FROM unnest(v_changes) x ORDER BY 1),
                                       'context ' || p_context::text);
  END IF;
  RETURN QUERY SELECT * FROM unnest(v_changes);
END
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.context_changes(jsonb, text) IS
  'Every change whose context contains the given JSON, in commit order';

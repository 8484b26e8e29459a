-- Block range summaries of the partition being written.
--
-- changes_transaction_idx is a BRIN index: a lookup by xid reads only the block ranges whose
-- summary can hold the xid, but a range not summarized yet matches every lookup. autosummarize
-- asks autovacuum to summarize each range as it fills, through a queue of 256 requests that a fast
-- writer overflows (the requests beyond it are dropped); the ranges left wait for the partition's
-- next VACUUM, triggered after inserts of 20 % of its rows. Until then the newest changes, the ones
-- most often looked up, are found by scanning them all. The ingester calls this every 30 s on a
-- connection of its own (so it never delays storing). Summarizing needs ownership of the index
-- (MAINTAIN on the table from PostgreSQL 17) and takes the partition's SHARE UPDATE EXCLUSIVE
-- lock, which inserts do not wait for; run it with a short lock_timeout so a VACUUM running
-- there is neither waited for nor cancelled.
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.summarize_new_ranges()
RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_partition regclass;
  v_index regclass;
  v_summarized integer := 0;
BEGIN
  -- the partition of the newest change up to now: the one being written (a change from a source
  -- whose clock runs ahead does not move it)
  SELECT c.tableoid INTO v_partition
    FROM ${flyway:defaultSchema}.changes c
   WHERE c.committed_at <= clock_timestamp()
   ORDER BY c.committed_at DESC
   LIMIT 1;
  IF v_partition IS NULL THEN
    RETURN 0;
  END IF;
  FOR v_index IN
    SELECT i.indexrelid::regclass
      FROM pg_index i
      JOIN pg_class ic ON ic.oid = i.indexrelid
      JOIN pg_am am ON am.oid = ic.relam
     WHERE i.indrelid = v_partition AND am.amname = 'brin'
  LOOP
    v_summarized := v_summarized + brin_summarize_new_values(v_index);
  END LOOP;
  RETURN v_summarized;
END
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.summarize_new_ranges() IS
  'Summarizes the BRIN block ranges not yet summarized in the partition being written; returns how many';

-- Only the owner can summarize; others need not be able to take the partition's lock through it.
REVOKE EXECUTE ON FUNCTION ${flyway:defaultSchema}.summarize_new_ranges() FROM PUBLIC;

-- Rewrites one closed partition of changes in record order and swaps the copy in
-- (docs/architecture.md, "Storage"; V94 says why). Returns the rows copied.
--
--   1. The partition is locked in SHARE mode: readers go on, a writer storing into this month
--      (a late change, a quarantined change stored again) waits until the copy is done (then see 4;
--      the ingester's COPY names the partition, and PostgreSQL resolves the name again once the
--      lock is granted, so it lands in the copy).
--   2. Its rows are copied in the descending order of changes_record_idx, so that the backward
--      scan DISTINCT ON (primary_key) ... DESC needs reads the heap forwards, and its indexes are
--      built on the copy with the same definitions (ATTACH then adopts them instead of building
--      its own under the lock), plus a B-tree on transaction_id: the BRIN index that finds a
--      transaction's changes relies on commit order, which the copy no longer has.
--   3. A CHECK constraint equal to the partition's bound lets ATTACH skip its validating scan.
--   4. changes is locked ACCESS EXCLUSIVE for the swap (DETACH the old, ATTACH the copy, drop the
--      old, rename the copy and its indexes): milliseconds. The lock is asked with a short
--      lock_timeout and retried, so readers and the ingester queue behind it for at most that
--      long at a time. A writer through changes already waiting for this partition holds its
--      lock on changes while it waits, so the swap could never get it: the compaction is then
--      abandoned (the copy is rolled back) and the writer goes on.
--
-- Run by the owner of changes (DETACH and ATTACH need it). Needs free space for a second copy of
-- the partition and its indexes while it runs, and a sort of the partition (work_mem is raised to
-- maintenance_work_mem for it). VACUUM the partition afterwards (`bemi-ingester compact` does):
-- until then index-only scans of it read the heap too.
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.compact_partition(p_partition text, p_lock_attempts integer DEFAULT 50)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC' AS $function$
DECLARE
  v_bounds record;
  v_old regclass;
  v_bound text;                -- FOR VALUES FROM (...) TO (...)
  v_copy text := 'bemi_compacting_' || md5(p_partition);
  v_copy_oid regclass;
  v_transaction_index constant text := left(p_partition, 40) || '_transaction_order_idx';
  v_rows bigint;
  v_index record;
  v_grant record;
  v_renames text[] := '{}';
  v_definition text;
  v_attempt integer := 0;
  v_lock_timeout constant text := current_setting('lock_timeout');
BEGIN
  SELECT * INTO v_bounds FROM ${flyway:defaultSchema}.changes_partitions() WHERE partition_name = p_partition;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'bemi: % is not a partition of ${flyway:defaultSchema}.changes', p_partition
      USING HINT = 'SELECT partition_name, from_at, until_at FROM ${flyway:defaultSchema}.changes_partitions() lists them.';
  END IF;
  IF v_bounds.until_at > now() THEN
    RAISE EXCEPTION 'bemi: partition % (until %) is still being written', p_partition, v_bounds.until_at
      USING HINT = 'Compact a partition once its month has ended (and late changes have arrived).';
  END IF;
  v_old := format('${flyway:defaultSchema}.%I', p_partition)::regclass;
  -- one compaction at a time (two would copy the same month, and the later one fail at its swap)
  IF NOT pg_try_advisory_xact_lock(hashtext('${flyway:defaultSchema}.compact_partition')) THEN
    RAISE EXCEPTION 'bemi: another compaction of ${flyway:defaultSchema}.changes is running'
      USING ERRCODE = 'lock_not_available', HINT = 'Let it finish; compact again later for what it leaves.';
  END IF;
  SELECT pg_get_expr(c.relpartbound, c.oid) INTO v_bound FROM pg_class c WHERE c.oid = v_old;
  BEGIN
    PERFORM set_config('lock_timeout', '5s', true);
    EXECUTE format('LOCK TABLE %s IN SHARE MODE', v_old);
    PERFORM set_config('lock_timeout', v_lock_timeout, true);
  EXCEPTION WHEN lock_not_available THEN
    RAISE EXCEPTION 'bemi: % is being written or maintained (its lock was not granted in 5 s); compaction not started', p_partition
      USING ERRCODE = 'lock_not_available', HINT = 'Compact the partition again later.';
  END;
  PERFORM set_config('work_mem', current_setting('maintenance_work_mem'), true);

  EXECUTE format('CREATE TABLE ${flyway:defaultSchema}.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS'
                 ' INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING STATISTICS)', v_copy, v_old);
  v_copy_oid := format('${flyway:defaultSchema}.%I', v_copy)::regclass;
  -- the month's own grants too: the ingester copies straight into a month it may insert into
  FOR v_grant IN
    SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END AS grantee, a.privilege_type,
           a.is_grantable
      FROM pg_class c
     CROSS JOIN LATERAL aclexplode(c.relacl) a
      LEFT JOIN pg_roles r ON r.oid = a.grantee
     WHERE c.oid = v_old AND a.grantee <> c.relowner
  LOOP
    EXECUTE format('GRANT %s ON %s TO %s%s', v_grant.privilege_type, v_copy_oid, v_grant.grantee,
                   CASE WHEN v_grant.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
  END LOOP;
  EXECUTE format('INSERT INTO %s SELECT * FROM %s'
                 ' ORDER BY "table" DESC, primary_key DESC, schema DESC, commit_lsn DESC, change_index DESC',
                 v_copy_oid, v_old);
  GET DIAGNOSTICS v_rows = ROW_COUNT;

  FOR v_index IN
    SELECT ic.relname AS index_name, i.indexrelid, con.oid AS constraint_oid, con.conname
      FROM pg_index i
      JOIN pg_class ic ON ic.oid = i.indexrelid
      LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
     WHERE i.indrelid = v_old AND ic.relname <> v_transaction_index
     ORDER BY ic.relname
  LOOP
    IF v_index.constraint_oid IS NOT NULL THEN
      EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', v_copy_oid, 'bemi_compacting_' || v_index.indexrelid,
                     pg_get_constraintdef(v_index.constraint_oid));
      v_renames := v_renames || format('ALTER TABLE ${flyway:defaultSchema}.%I RENAME CONSTRAINT %I TO %I', p_partition,
                                       'bemi_compacting_' || v_index.indexrelid, v_index.conname);
    ELSE
      v_definition := pg_get_indexdef(v_index.indexrelid);
      IF strpos(v_definition, format(' INDEX %I ON %s ', v_index.index_name, v_old)) = 0 THEN
        RAISE EXCEPTION 'bemi: cannot read the definition of index % of %: %', v_index.index_name, v_old, v_definition;
      END IF;
      EXECUTE replace(v_definition, format(' INDEX %I ON %s ', v_index.index_name, v_old),
                      format(' INDEX %I ON %s ', 'bemi_compacting_' || v_index.indexrelid, v_copy_oid));
      v_renames := v_renames || format('ALTER INDEX ${flyway:defaultSchema}.%I RENAME TO %I',
                                       'bemi_compacting_' || v_index.indexrelid, v_index.index_name);
    END IF;
  END LOOP;
  EXECUTE format('CREATE INDEX bemi_compacting_transaction ON %s (transaction_id)', v_copy_oid);
  v_renames := v_renames || format('ALTER INDEX ${flyway:defaultSchema}.bemi_compacting_transaction RENAME TO %I',
                                   v_transaction_index);
  EXECUTE format('ANALYZE %s', v_copy_oid);
  -- a change stored into the month from now on makes the tables' states stale (V96)
  PERFORM ${flyway:defaultSchema}.watch_compacted_partition(v_copy_oid);
  EXECUTE format('ALTER TABLE %s ADD CONSTRAINT bemi_compacting_bound CHECK (%s)',
                 v_copy_oid, pg_get_partition_constraintdef(v_old));

  DELETE FROM ${flyway:defaultSchema}.compacted_partitions cp
   WHERE cp.partition_name = p_partition
      OR NOT EXISTS (SELECT FROM ${flyway:defaultSchema}.changes_partitions() p WHERE p.partition_name = cp.partition_name);
  INSERT INTO ${flyway:defaultSchema}.compacted_partitions (partition_name, relid, changes)
  VALUES (p_partition, v_copy_oid, v_rows);
  EXECUTE format($sql$
    INSERT INTO ${flyway:defaultSchema}.compacted_tables (partition_name, source, schema, "table", changes, keys)
    SELECT %L, source, schema, "table", count(*), count(DISTINCT primary_key)
      FROM %s GROUP BY source, schema, "table"$sql$, p_partition, v_copy_oid);

  LOOP
    BEGIN
      PERFORM set_config('lock_timeout', '100ms', true);
      LOCK TABLE ${flyway:defaultSchema}.changes IN ACCESS EXCLUSIVE MODE;
      EXIT;
    EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
      v_attempt := v_attempt + 1;
      IF EXISTS (SELECT FROM pg_locks l WHERE l.relation = v_old AND NOT l.granted) THEN
        RAISE EXCEPTION 'bemi: a writer is waiting to store into %; compaction abandoned so that it can go on', p_partition
          USING ERRCODE = 'lock_not_available', HINT = 'Compact the partition again later.';
      END IF;
      IF v_attempt >= p_lock_attempts THEN
        RAISE EXCEPTION 'bemi: could not lock ${flyway:defaultSchema}.changes for the swap of % in % attempts', p_partition, v_attempt
          USING ERRCODE = 'lock_not_available',
                HINT = 'Long queries on changes hold it; compact again when they are done, or allow more attempts.';
      END IF;
      PERFORM pg_sleep(least(2.0, 0.05 * v_attempt));
    END;
  END LOOP;
  PERFORM set_config('lock_timeout', v_lock_timeout, true);

  EXECUTE format('ALTER TABLE ${flyway:defaultSchema}.changes DETACH PARTITION %s', v_old);
  EXECUTE format('ALTER TABLE ${flyway:defaultSchema}.changes ATTACH PARTITION %s %s', v_copy_oid, v_bound);
  EXECUTE format('DROP TABLE %s', v_old);
  EXECUTE format('ALTER TABLE %s RENAME TO %I', v_copy_oid, p_partition);
  EXECUTE format('ALTER TABLE %s DROP CONSTRAINT bemi_compacting_bound', v_copy_oid);
  FOR i IN 1 .. cardinality(v_renames) LOOP
    EXECUTE v_renames[i];
  END LOOP;
  RETURN v_rows;
END
$function$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.compact_partition(text, integer) IS
  'Rewrites a closed partition of changes in record order (table_as_of reads it in one sweep); returns the rows copied';

-- Only the owner of changes can swap its partitions; nobody else needs to take their locks through it.
REVOKE EXECUTE ON FUNCTION ${flyway:defaultSchema}.compact_partition(text, integer) FROM PUBLIC;


-- The rows a table's state gets from its changes committed in [p_from, p_until) after its last
-- TRUNCATE among them (p_truncated_lsn/index; -1 for none): each key's latest change, when it
-- leaves the key live (not a DELETE, and no later change in the range moved the key away).
-- Read by refresh_compacted_states; planned each call with the values it is given (the range
-- prunes the partitions, the table picks the plan).
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.compacted_state_rows(
  p_source text, p_schema text, p_table text, p_from timestamptz, p_until timestamptz,
  p_truncated_lsn bigint, p_truncated_index integer)
RETURNS TABLE (primary_key text, commit_lsn bigint, change_index integer, "row" jsonb)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_custom_plan AS $function$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  SELECT w.primary_key, w.commit_lsn, w.change_index, w.after
    FROM (SELECT DISTINCT ON (c.primary_key) c.primary_key, c.commit_lsn, c.change_index, c.operation, c.after
            FROM ${flyway:defaultSchema}.changes c
           WHERE c."table" = p_table AND c.schema = p_schema AND c.primary_key IS NOT NULL
             AND c.source = p_source AND c.committed_at >= p_from AND c.committed_at < p_until
           ORDER BY c.primary_key DESC, c.commit_lsn DESC, c.change_index DESC) w
   WHERE w.operation IN ('CREATE', 'UPDATE', 'SNAPSHOT')
     AND (w.commit_lsn, w.change_index) > (p_truncated_lsn, p_truncated_index)
     AND NOT EXISTS (SELECT FROM ${flyway:defaultSchema}.changes d
                      WHERE d.previous_primary_key = w.primary_key
                        AND d.schema = p_schema AND d."table" = p_table AND d.source = p_source
                        AND d.committed_at >= p_from AND d.committed_at < p_until
                        AND (d.commit_lsn, d.change_index) > (w.commit_lsn, w.change_index));
END
$function$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.compacted_state_rows(text, text, text, timestamptz, timestamptz, bigint, integer) IS
  'The rows of a table''s state given by its changes in a range (refresh_compacted_states)';

REVOKE EXECUTE ON FUNCTION ${flyway:defaultSchema}.compacted_state_rows(text, text, text, timestamptz, timestamptz, bigint, integer) FROM PUBLIC;

-- Each table's state at the end of the compacted partitions (V96): for every table with changes
-- there, the latest change of each key up to compacted_until(), unless it is a DELETE, the key
-- moved away later (an UPDATE of the key) or the table was truncated later: what table_as_of
-- returns at that instant, with the position of each row's change. A table's state is taken
-- again only when it is not current: the compacted run changed since, or a trigger found it stale
-- (a change stored into a compacted month, V97). Returns how many tables' states it extended and
-- took (0 and 0: they were all current), and how many rows of compacted_states it inserted,
-- updated or deleted.
--
-- A state taken from an earlier run that the current run extends (the same partitions, by oid,
-- and later months compacted since: the common case, `compact` after a month has ended) is
-- extended with the changes of the newly compacted months only, as table_as_of merges a state with
-- later changes: each key's latest new change replaces its row (or removes it: a DELETE, the key
-- moved away afterwards), a key moved away by one of them loses its row, and a TRUNCATE among
-- them removes every row (all of them come before it). Any other state
-- (none yet, stale, or the run lost a partition: retention) is taken from all the table's
-- compacted changes, and compared with the rows it has: only those that differ are written.
-- DEBUG messages say which.
--
-- The run's partitions are locked SHARE while it reads them, all in one statement that does not
-- wait (retried for up to 5 s): a late change waits, and its trigger then finds these states; a
-- writer storing late changes into two compacted months cannot deadlock with it. Run by the owner
-- of changes (`bemi-ingester compact` calls it).
DROP FUNCTION IF EXISTS ${flyway:defaultSchema}.refresh_compacted_states();   -- it returned one integer before
CREATE FUNCTION ${flyway:defaultSchema}.refresh_compacted_states(OUT extended integer, OUT taken integer,
                                                                 OUT rows_written bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
SET max_parallel_workers_per_gather = 0
-- each table's changes are read through the record index, in the run's record order
SET enable_seqscan = off AS $function$
DECLARE
  v_run record;
  v_table record;
  v_rows bigint;
  v_from timestamptz;          -- the changes read for the table's state are those from it to the run's end
  v_truncated record;
  v_attempt integer := 0;
BEGIN
  extended := 0;
  taken := 0;
  rows_written := 0;
  IF NOT pg_try_advisory_xact_lock(hashtext('${flyway:defaultSchema}.compact_partition')) THEN
    RAISE EXCEPTION 'bemi: a compaction of ${flyway:defaultSchema}.changes is running'
      USING ERRCODE = 'lock_not_available', HINT = 'Let it finish; it takes the states after it.';
  END IF;
  SELECT * INTO v_run FROM ${flyway:defaultSchema}.compacted_run();
  WHILE v_run.relids IS NOT NULL LOOP
    BEGIN
      EXECUTE format('LOCK TABLE %s IN SHARE MODE NOWAIT',
                     (SELECT string_agg(r::regclass::text, ', ') FROM unnest(v_run.relids) r));
      EXIT;
    EXCEPTION WHEN lock_not_available THEN
      -- the subtransaction's rollback released the partitions it had locked
      v_attempt := v_attempt + 1;
      IF v_attempt >= 50 THEN
        RAISE EXCEPTION 'bemi: a compacted partition is being written (its lock was not granted in 5 s); states not taken'
          USING ERRCODE = 'lock_not_available', HINT = 'Run `bemi-ingester compact` again later.';
      END IF;
      PERFORM pg_sleep(0.1);
    END;
  END LOOP;
  IF NOT EXISTS (
       SELECT FROM (SELECT DISTINCT t.source, t.schema, t."table"
                      FROM ${flyway:defaultSchema}.compacted_tables t
                      JOIN ${flyway:defaultSchema}.compacted_partitions cp ON cp.partition_name = t.partition_name
                     WHERE cp.relid = ANY (v_run.relids)) t
        FULL JOIN ${flyway:defaultSchema}.compacted_state_tables h
          ON h.source = t.source AND h.schema = t.schema AND h."table" = t."table"
       WHERE h."table" IS NULL OR t."table" IS NULL
          OR h.until_at IS DISTINCT FROM v_run.until_at OR h.relids IS DISTINCT FROM v_run.relids) THEN
    RETURN;
  END IF;
  -- the states of tables with no change in the run any more (a stale table's rows stay: taking
  -- its state again compares with them)
  DELETE FROM ${flyway:defaultSchema}.compacted_state_tables h
   WHERE NOT EXISTS (SELECT FROM ${flyway:defaultSchema}.compacted_tables t
                       JOIN ${flyway:defaultSchema}.compacted_partitions cp ON cp.partition_name = t.partition_name
                      WHERE cp.relid = ANY (v_run.relids)
                        AND t.source = h.source AND t.schema = h.schema AND t."table" = h."table");
  DELETE FROM ${flyway:defaultSchema}.compacted_states s
   WHERE NOT EXISTS (SELECT FROM ${flyway:defaultSchema}.compacted_tables t
                       JOIN ${flyway:defaultSchema}.compacted_partitions cp ON cp.partition_name = t.partition_name
                      WHERE cp.relid = ANY (v_run.relids)
                        AND t.source = s.source AND t.schema = s.schema AND t."table" = s."table");
  GET DIAGNOSTICS v_rows = ROW_COUNT;
  rows_written := rows_written + v_rows;
  FOR v_table IN
    SELECT t.source, t.schema, t."table", h.until_at, h.relids,
           -- a state the run extends: its partitions are all still in the run, and every partition
           -- compacted since starts at or after its end
           h.until_at < v_run.until_at AND h.relids <@ v_run.relids
             AND NOT EXISTS (SELECT FROM ${flyway:defaultSchema}.compacted_partitions cp
                               JOIN ${flyway:defaultSchema}.changes_partitions() p ON p.partition_name = cp.partition_name
                              WHERE cp.relid = ANY (v_run.relids) AND cp.relid <> ALL (h.relids)
                                AND (p.from_at IS NULL OR p.from_at < h.until_at)) AS extendable
      FROM (SELECT DISTINCT t.source, t.schema, t."table"
              FROM ${flyway:defaultSchema}.compacted_tables t
              JOIN ${flyway:defaultSchema}.compacted_partitions cp ON cp.partition_name = t.partition_name
             WHERE cp.relid = ANY (v_run.relids)) t
      LEFT JOIN ${flyway:defaultSchema}.compacted_state_tables h
        ON h.source = t.source AND h.schema = t.schema AND h."table" = t."table"
     WHERE h.until_at IS DISTINCT FROM v_run.until_at OR h.relids IS DISTINCT FROM v_run.relids
     ORDER BY 3, 2, 1
  LOOP
    v_from := CASE WHEN coalesce(v_table.extendable, false) THEN v_table.until_at ELSE '-infinity' END;
    -- the table's last TRUNCATE among the changes read: the rows before it are gone
    SELECT coalesce(max(x.commit_lsn), -1) AS commit_lsn,
           coalesce((array_agg(x.change_index ORDER BY x.commit_lsn DESC, x.change_index DESC))[1], -1) AS change_index
      INTO v_truncated
      FROM ${flyway:defaultSchema}.changes x
     WHERE x.operation = 'TRUNCATE' AND x.schema = v_table.schema AND x."table" = v_table."table"
       AND x.source = v_table.source AND x.committed_at >= v_from AND x.committed_at < v_run.until_at;
    IF v_from > '-infinity' THEN
      RAISE DEBUG 'bemi: the state of %.% (source %) extended from % to %', v_table.schema, v_table."table",
        quote_literal(v_table.source), v_from, v_run.until_at;
      IF v_truncated.commit_lsn >= 0 THEN
        DELETE FROM ${flyway:defaultSchema}.compacted_states s
         WHERE s."table" = v_table."table" AND s.schema = v_table.schema AND s.source = v_table.source;
        GET DIAGNOSTICS v_rows = ROW_COUNT;
        rows_written := rows_written + v_rows;
      END IF;
      -- rows whose key a change read moved away
      DELETE FROM ${flyway:defaultSchema}.compacted_states s
       USING ${flyway:defaultSchema}.changes d
       WHERE s."table" = v_table."table" AND s.schema = v_table.schema AND s.source = v_table.source
         AND d.previous_primary_key = s.primary_key
         AND d.schema = v_table.schema AND d."table" = v_table."table" AND d.source = v_table.source
         AND d.committed_at >= v_from AND d.committed_at < v_run.until_at;
      GET DIAGNOSTICS v_rows = ROW_COUNT;
      rows_written := rows_written + v_rows;
      -- rows whose key a change read changed: its latest change decides below (index-only)
      DELETE FROM ${flyway:defaultSchema}.compacted_states s
       USING (SELECT DISTINCT c.primary_key
                FROM ${flyway:defaultSchema}.changes c
               WHERE c."table" = v_table."table" AND c.schema = v_table.schema AND c.primary_key IS NOT NULL
                 AND c.source = v_table.source AND c.committed_at >= v_from AND c.committed_at < v_run.until_at) k
       WHERE s."table" = v_table."table" AND s.schema = v_table.schema AND s.source = v_table.source
         AND s.primary_key = k.primary_key;
      GET DIAGNOSTICS v_rows = ROW_COUNT;
      rows_written := rows_written + v_rows;
      extended := extended + 1;
    ELSE
      RAISE DEBUG 'bemi: the state of %.% (source %) taken from its changes before %', v_table.schema, v_table."table",
        quote_literal(v_table.source), v_run.until_at;
      taken := taken + 1;
    END IF;
    IF v_from = '-infinity' AND EXISTS (SELECT FROM ${flyway:defaultSchema}.compacted_states s
                                         WHERE s."table" = v_table."table" AND s.schema = v_table.schema
                                           AND s.source = v_table.source) THEN
      -- a state taken before (stale, or its run lost a month) is compared with what the changes give:
      -- only the rows that differ are written (deleting and inserting them all cost 2-3x taking it
      -- the first time)
      WITH n AS MATERIALIZED (
             SELECT * FROM ${flyway:defaultSchema}.compacted_state_rows(v_table.source, v_table.schema, v_table."table",
                             v_from, v_run.until_at, v_truncated.commit_lsn, v_truncated.change_index)),
           gone AS (
             DELETE FROM ${flyway:defaultSchema}.compacted_states s
              WHERE s."table" = v_table."table" AND s.schema = v_table.schema AND s.source = v_table.source
                AND NOT EXISTS (SELECT FROM n WHERE n.primary_key = s.primary_key)
             RETURNING 1),
           put AS (
             INSERT INTO ${flyway:defaultSchema}.compacted_states AS s
                    (source, schema, "table", primary_key, commit_lsn, change_index, "row")
             SELECT v_table.source, v_table.schema, v_table."table", n.primary_key, n.commit_lsn, n.change_index, n."row"
               FROM n
              WHERE NOT EXISTS (SELECT FROM ${flyway:defaultSchema}.compacted_states o
                                 WHERE o."table" = v_table."table" AND o.schema = v_table.schema
                                   AND o.source = v_table.source AND o.primary_key = n.primary_key
                                   AND o.commit_lsn = n.commit_lsn AND o.change_index = n.change_index
                                   AND o."row"::text = n."row"::text)
                 ON CONFLICT ("table", schema, source, primary_key) DO UPDATE
                SET commit_lsn = excluded.commit_lsn, change_index = excluded.change_index, "row" = excluded."row"
             RETURNING 1)
      SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM put) INTO v_rows;
    ELSE
      -- the first time, or the extension: each changed key's row (its old one is gone, see above)
      INSERT INTO ${flyway:defaultSchema}.compacted_states (source, schema, "table", primary_key, commit_lsn, change_index, "row")
      SELECT v_table.source, v_table.schema, v_table."table", n.primary_key, n.commit_lsn, n.change_index, n."row"
        FROM ${flyway:defaultSchema}.compacted_state_rows(v_table.source, v_table.schema, v_table."table", v_from,
                                                          v_run.until_at, v_truncated.commit_lsn, v_truncated.change_index) n;
      GET DIAGNOSTICS v_rows = ROW_COUNT;
    END IF;
    rows_written := rows_written + v_rows;
    SELECT count(*) INTO v_rows FROM ${flyway:defaultSchema}.compacted_states s
     WHERE s."table" = v_table."table" AND s.schema = v_table.schema AND s.source = v_table.source;
    INSERT INTO ${flyway:defaultSchema}.compacted_state_tables AS h (source, schema, "table", until_at, relids, rows)
    VALUES (v_table.source, v_table.schema, v_table."table", v_run.until_at, v_run.relids, v_rows)
        ON CONFLICT ("table", schema, source)
        DO UPDATE SET until_at = excluded.until_at, relids = excluded.relids, rows = excluded.rows, taken_at = now();
  END LOOP;
END
$function$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.refresh_compacted_states() IS
  'Takes or extends each table''s state at the end of the compacted partitions of changes when it is not current; returns the tables extended and taken and the rows inserted, updated or deleted';

REVOKE EXECUTE ON FUNCTION ${flyway:defaultSchema}.refresh_compacted_states() FROM PUBLIC;

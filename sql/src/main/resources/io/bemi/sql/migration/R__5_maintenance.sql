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


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

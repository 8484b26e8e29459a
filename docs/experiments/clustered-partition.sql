-- Experiment (2026-12-04, docs/benchmarks.md "Tried: a closed partition rewritten in record
-- order"): the kept 10M trail of TimeTravelBench (all of it in partition changes_history), its
-- partition rewritten in the order of changes_record_idx, descending, and a table as of an
-- instant read straight from the record index with the rows (no probes). Not part of Bemi: run by
-- hand with psql against a copy of that trail (CLUSTER takes an ACCESS EXCLUSIVE lock on the
-- partition for its whole run: 2 min 14 s here, index builds included).
\timing on

-- 1. Rewrite: an index in the opposite order of changes_record_idx, so that a backward scan of
-- changes_record_idx (DISTINCT ON ... ORDER BY ... DESC) reads the heap forwards.
SET maintenance_work_mem = '1GB';
CREATE INDEX tmp_desc ON bemi.changes_history ("table" DESC, primary_key DESC, schema DESC, commit_lsn DESC,
                                               change_index DESC);
CLUSTER bemi.changes_history USING tmp_desc;
DROP INDEX bemi.tmp_desc;
ANALYZE bemi.changes_history;

-- 2. public.accounts (100,000 rows, 500,000 changes) at the trail's end, read straight from the
-- record index with each change's row: the 500,000 changes of the table are now ~25,000
-- consecutive pages. (Key moves and TRUNCATE, which table_as_of also applies, are left out: the
-- trail has neither.)
EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, COSTS OFF)
SELECT count(*), sum(length(after::text)) FROM (
  SELECT DISTINCT ON (c.primary_key) c.primary_key, c.operation, c.after
    FROM bemi.changes c
   WHERE c.schema = 'public' AND c."table" = 'accounts' AND c.primary_key IS NOT NULL
     AND c.commit_lsn <= 199999900
   ORDER BY c.primary_key DESC, c.commit_lsn DESC, c.change_index DESC) x
 WHERE operation IN ('CREATE', 'UPDATE', 'SNAPSHOT');

-- 3. For comparison, table_as_of as it is (index-only scan, then one probe of
-- changes_commit_change_key per row, in commit order, which is no longer the heap's order).
SELECT count(*), sum(length("row"::text)) FROM bemi.table_as_of('public.accounts', 'infinity');

-- Experiment (2026-12-04, docs/benchmarks.md "Tried: a stored table state"): table_as_of answered
-- from a stored state of the table at an earlier commit position plus the changes since, on the
-- kept 10M trail of TimeTravelBench (table public.accounts, 100,000 rows, 500,000 changes; source
-- ''). Not part of Bemi: run by hand with psql against that trail, e.g.
--   psql -X -v p=195999600 -v t="'2024-01-01 05:26:39.96+00'" -f docs/experiments/table-state.sql
-- p, t: the state's commit position and commit time (the accounts change 10,000 from the end:
--   SELECT commit_lsn, committed_at FROM bemi.changes WHERE "table" = 'accounts'
--    ORDER BY committed_at DESC OFFSET 10000 LIMIT 1;
-- 50,000 from the end: 179999600, '2024-01-01 04:59:59.96+00').
\timing on

-- 1. The state: rows in chunks of 1,000 (primary keys and rows as arrays, TOASTed and compressed).
CREATE TABLE bemi.table_states_experiment (
  source text, schema text, "table" text, commit_lsn bigint, committed_at timestamptz, chunk int,
  keys text[], rows jsonb[], PRIMARY KEY (source, schema, "table", commit_lsn, chunk));
INSERT INTO bemi.table_states_experiment
SELECT '', 'public', 'accounts', :p, :t, (rn - 1) / 1000, array_agg(primary_key ORDER BY rn), array_agg("row" ORDER BY rn)
  FROM (SELECT s.primary_key, s."row", row_number() OVER (ORDER BY s.primary_key) rn
          FROM bemi.table_as_of('public.accounts', :t, '') s) x
 GROUP BY (rn - 1) / 1000;
SELECT pg_size_pretty(pg_total_relation_size('bemi.table_states_experiment')) AS state_size;

-- 2. The table at the trail's end: the state, less the keys changed or moved away since, plus
-- the latest change of each key since (the rules of table_as_of; a TRUNCATE since would mean
-- starting from it instead, not handled here).
CREATE TEMP TABLE from_state AS
WITH delta AS MATERIALIZED (
  SELECT c.primary_key, c.previous_primary_key, c.commit_lsn, c.change_index, c.operation, c.after
    FROM bemi.changes c
   WHERE c."table" = 'accounts' AND c.committed_at >= :t AND c.committed_at <= '2024-01-01 05:33:19.99+00'
     AND c.commit_lsn > :p AND c.commit_lsn <= 199999900 AND c.schema = 'public' AND c.source = ''
), latest AS MATERIALIZED (
  SELECT DISTINCT ON (d.primary_key) d.* FROM delta d WHERE d.primary_key IS NOT NULL
   ORDER BY d.primary_key, d.commit_lsn DESC, d.change_index DESC
), state AS MATERIALIZED (
  SELECT k.primary_key, k."row"
    FROM bemi.table_states_experiment t, LATERAL unnest(t.keys, t.rows) AS k(primary_key, "row")
   WHERE t.source = '' AND t.schema = 'public' AND t."table" = 'accounts' AND t.commit_lsn = :p
)
SELECT s.primary_key, s."row" FROM state s
 WHERE NOT EXISTS (SELECT FROM latest l WHERE l.primary_key = s.primary_key)
   AND NOT EXISTS (SELECT FROM delta d WHERE d.previous_primary_key = s.primary_key)
UNION ALL
SELECT l.primary_key, l.after FROM latest l
 WHERE l.operation IN ('CREATE', 'UPDATE', 'SNAPSHOT')
   AND NOT EXISTS (SELECT FROM delta d WHERE d.previous_primary_key = l.primary_key
                     AND (d.commit_lsn, d.change_index) > (l.commit_lsn, l.change_index));

-- 3. The same as table_as_of answers it: no row differs.
CREATE TEMP TABLE reference AS
SELECT primary_key, "row" FROM bemi.table_as_of('public.accounts', '2024-01-01 05:33:19.99+00', '');
SELECT (SELECT count(*) FROM from_state) AS from_state, (SELECT count(*) FROM reference) AS reference,
       (SELECT count(*) FROM (SELECT * FROM from_state EXCEPT SELECT * FROM reference) a) AS only_from_state,
       (SELECT count(*) FROM (SELECT * FROM reference EXCEPT SELECT * FROM from_state) b) AS only_reference;

DROP TABLE bemi.table_states_experiment;

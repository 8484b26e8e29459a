-- The tables `setup` tracks: plain and partitioned tables, with their partitions, in the chosen
-- schemas (all non-system schemas when none are chosen) or the chosen tables, never in the
-- destination schema. Parameters: 1 destination schema, 2 schemas (text[], empty = all),
-- 3 tables (text[] of schema.table, empty = all in the schemas).
-- Columns: schema, table, is_partition (partitions get REPLICA IDENTITY FULL but are published
-- through their root).
WITH chosen AS (
  SELECT c.oid
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p')
     AND NOT c.relispartition
     AND n.nspname NOT IN ('pg_catalog', 'information_schema')
     AND n.nspname NOT LIKE 'pg\_%'
     AND n.nspname <> ?
     AND (cardinality(?::text[]) = 0 OR n.nspname = ANY (?::text[]))
     AND (cardinality(?::text[]) = 0 OR format('%s.%s', n.nspname, c.relname) = ANY (?::text[]))
), with_partitions AS (
  SELECT t.relid AS oid
    FROM chosen, LATERAL pg_partition_tree(chosen.oid) t
  UNION
  SELECT oid FROM chosen
)
SELECT n.nspname AS schema, c.relname AS "table", c.relispartition AS is_partition
  FROM with_partitions w
  JOIN pg_class c ON c.oid = w.oid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p')
 ORDER BY c.relispartition, n.nspname, c.relname

-- The tables `setup` may track: plain and partitioned tables, with their partitions, in the chosen
-- schemas (all non-system schemas when none are chosen), never in the destination schema. The
-- ingester then keeps those whose root matches --tables and no --exclude-tables pattern.
-- Parameters: 1 destination schema, 2 schemas (text[], empty = all).
-- Columns: schema, table, is_partition (partitions get REPLICA IDENTITY FULL but are published
-- through their root), root_schema, root_table (the table itself, or the root of its partition tree),
-- unlogged (PostgreSQL writes no WAL for it: its changes cannot be captured, and a publication
-- refuses it), replica_identity_full (setup need not ALTER it, which takes an ACCESS EXCLUSIVE
-- lock), owner, owned (the session has its owner's privileges, as ALTER TABLE and adding it to a
-- publication require; a superuser has), schema_usable (USAGE on its schema, which both need too).
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
), with_partitions AS (
  SELECT t.relid AS oid, chosen.oid AS root
    FROM chosen, LATERAL pg_partition_tree(chosen.oid) t
  UNION
  SELECT oid, oid FROM chosen
)
SELECT n.nspname AS schema, c.relname AS "table", c.relispartition AS is_partition,
       rn.nspname AS root_schema, r.relname AS root_table, c.relpersistence = 'u' AS unlogged,
       c.relreplident = 'f' AS replica_identity_full, pg_get_userbyid(c.relowner)::text AS owner,
       pg_has_role(c.relowner, 'USAGE') AS owned, has_schema_privilege(n.oid, 'USAGE') AS schema_usable
  FROM with_partitions w
  JOIN pg_class c ON c.oid = w.oid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_class r ON r.oid = w.root
  JOIN pg_namespace rn ON rn.oid = r.relnamespace
 WHERE c.relkind IN ('r', 'p')
 ORDER BY c.relispartition, n.nspname, c.relname

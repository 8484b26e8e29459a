-- Closed partitions of changes rewritten in record order (compact_partition, R__5; docs/architecture.md,
-- "Storage"). The ingester appends changes in commit order, so one table's changes are spread over
-- the whole month: a table as of an instant reads one heap page per row of the answer (100,000
-- rows: 2.4 s from disk on the test machine). Once a month is closed, compact_partition copies it
-- in the order of changes_record_idx, descending, and swaps the copy in: each table's changes,
-- and each record's, then lie on consecutive pages, and table_as_of reads them in one forward
-- sweep (1.3 s from disk for the same table). The layout changes nothing a query returns.
--
-- Which partitions are compacted, and how many changes and keys each table has in them:
-- table_as_of reads a table's compacted months with the rows only when that costs little more
-- than its answer (few changes per key); a table with a few hot rows keeps today's probes.

CREATE TABLE ${flyway:defaultSchema}.compacted_partitions (
  partition_name text        PRIMARY KEY,
  relid          oid         NOT NULL,                -- the rewritten table: a partition replaced since (another oid) is not compacted
  compacted_at   timestamptz NOT NULL DEFAULT now(),
  changes        bigint      NOT NULL
);

COMMENT ON TABLE ${flyway:defaultSchema}.compacted_partitions IS
  'Partitions of changes rewritten in record order by compact_partition';

CREATE TABLE ${flyway:defaultSchema}.compacted_tables (
  partition_name text   NOT NULL REFERENCES ${flyway:defaultSchema}.compacted_partitions ON DELETE CASCADE,
  source         text   NOT NULL,
  schema         text   NOT NULL,
  "table"        text   NOT NULL,
  changes        bigint NOT NULL,                     -- the table's changes in the partition
  keys           bigint NOT NULL,                     -- distinct primary keys among them
  PRIMARY KEY ("table", schema, source, partition_name)
);

COMMENT ON TABLE ${flyway:defaultSchema}.compacted_tables IS
  'Changes and distinct keys of each table in each compacted partition (table_as_of chooses how to read with them)';

-- Whoever may read changes may read these (table_as_of runs as its caller); a role without the
-- grant still gets every answer, read as before compaction.
DO $do$
DECLARE
  v_grantee text;
BEGIN
  FOR v_grantee IN
    SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
      FROM pg_catalog.pg_class c
     CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a
      LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
     WHERE c.oid = '${flyway:defaultSchema}.changes'::regclass AND a.privilege_type = 'SELECT'
       AND a.grantee <> c.relowner
  LOOP
    EXECUTE pg_catalog.format('GRANT SELECT ON ${flyway:defaultSchema}.compacted_partitions,'
                              ' ${flyway:defaultSchema}.compacted_tables TO %s', v_grantee);
  END LOOP;
END
$do$;

-- The end of the compacted partitions that come first: every change committed before it lies in a
-- partition rewritten in record order (NULL: none is). Compaction goes oldest first, so this is
-- where the record-order months end; a partition replaced since its compaction ends the run.
CREATE FUNCTION ${flyway:defaultSchema}.compacted_until()
RETURNS timestamptz
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT has_table_privilege('${flyway:defaultSchema}.compacted_partitions', 'SELECT') THEN
    RETURN NULL;
  END IF;
  RETURN (
    SELECT max(x.until_at) FILTER (WHERE x.compacted_so_far)
      FROM (SELECT p.until_at,
                   bool_and(cp.relid IS NOT NULL) OVER (ORDER BY p.from_at NULLS FIRST) AS compacted_so_far
              FROM ${flyway:defaultSchema}.changes_partitions() p
              LEFT JOIN ${flyway:defaultSchema}.compacted_partitions cp
                ON cp.partition_name = p.partition_name
               AND cp.relid = to_regclass(format('%I.%I', '${flyway:defaultSchema}', p.partition_name))) x);
END
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.compacted_until() IS
  'The end of the leading run of partitions of changes rewritten in record order (NULL: none)';

-- The partitions that ended at or before p_closed_before and are not compacted yet, oldest first:
-- what compact_partition (R__5) has left to do, one partition per call (`bemi-ingester compact`).
CREATE FUNCTION ${flyway:defaultSchema}.partitions_to_compact(p_closed_before timestamptz)
RETURNS SETOF text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT p.partition_name
    FROM ${flyway:defaultSchema}.changes_partitions() p
   WHERE p.until_at <= p_closed_before
     AND NOT EXISTS (SELECT FROM ${flyway:defaultSchema}.compacted_partitions cp
                      WHERE cp.partition_name = p.partition_name
                        AND cp.relid = to_regclass(format('%I.%I', '${flyway:defaultSchema}', p.partition_name)))
   ORDER BY p.from_at NULLS FIRST
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.partitions_to_compact(timestamptz) IS
  'Partitions of changes closed by an instant and not yet rewritten in record order, oldest first';

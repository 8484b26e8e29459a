-- Each table's state at the end of the compacted months (refresh_compacted_states, R__5;
-- docs/architecture.md, "Storage"). Even in record order a table as of an instant reads every
-- change of the table in the compacted months (100,000 rows with 500,000 changes: 150 MB, 1.5-2.7 s
-- from disk on the test machine). The state those months end with holds one row per live key
-- (21 MB for the same table: 0.1 s from disk), so table_as_of at an instant after them reads it
-- plus the probes of the months since.
--
-- The states are taken by `bemi-ingester compact` after it compacts, and trusted only while
-- * the compacted run is the one they were taken from (the same end and the same partitions, by
--   oid: a partition compacted, replaced or detached since changes it), and
-- * no change was stored into, changed in or removed from a compacted partition since: a trigger
--   on each compacted partition then forgets every state (a late change, retention's kept states).
-- Otherwise table_as_of reads the months as before.

CREATE TABLE ${flyway:defaultSchema}.compacted_state_tables (
  source     text        NOT NULL,
  schema     text        NOT NULL,
  "table"    text        NOT NULL,
  until_at   timestamptz NOT NULL,                  -- the state of the changes committed before it
  relids     oid[]       NOT NULL,                  -- the compacted partitions it was taken from
  rows       bigint      NOT NULL,
  taken_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY ("table", schema, source)
);

COMMENT ON TABLE ${flyway:defaultSchema}.compacted_state_tables IS
  'Tables whose state at the end of the compacted partitions is in compacted_states, and which partitions it was taken from';

CREATE TABLE ${flyway:defaultSchema}.compacted_states (
  source       text    NOT NULL,
  schema       text    NOT NULL,
  "table"      text    NOT NULL,
  primary_key  text    NOT NULL,
  commit_lsn   bigint  NOT NULL,                    -- the change the row comes from (a later change of the key wins)
  change_index integer NOT NULL,
  "row"        jsonb   NOT NULL,
  PRIMARY KEY ("table", schema, source, primary_key)
);

COMMENT ON TABLE ${flyway:defaultSchema}.compacted_states IS
  'Each live row of each table at the end of the compacted partitions of changes (table_as_of starts from it)';

-- Whoever may read changes may read these (table_as_of runs as its caller; a role without the grant
-- gets the same answers, read from the changes).
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
    EXECUTE pg_catalog.format('GRANT SELECT ON ${flyway:defaultSchema}.compacted_state_tables,'
                              ' ${flyway:defaultSchema}.compacted_states TO %s', v_grantee);
  END LOOP;
END
$do$;

-- The leading run of compacted partitions: where it ends (V94's compacted_until) and which
-- partitions, by oid, sorted (NULLs: none is compacted, or the caller may not read which).
CREATE FUNCTION ${flyway:defaultSchema}.compacted_run(OUT until_at timestamptz, OUT relids oid[])
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NOT has_table_privilege('${flyway:defaultSchema}.compacted_partitions', 'SELECT') THEN
    RETURN;
  END IF;
  SELECT max(x.until_at) FILTER (WHERE x.compacted_so_far),
         array_agg(x.relid ORDER BY x.relid) FILTER (WHERE x.compacted_so_far)
    INTO until_at, relids
    FROM (SELECT p.until_at, cp.relid,
                 bool_and(cp.relid IS NOT NULL) OVER (ORDER BY p.from_at NULLS FIRST) AS compacted_so_far
            FROM ${flyway:defaultSchema}.changes_partitions() p
            LEFT JOIN ${flyway:defaultSchema}.compacted_partitions cp
              ON cp.partition_name = p.partition_name
             AND cp.relid = to_regclass(format('%I.%I', '${flyway:defaultSchema}', p.partition_name))) x;
END
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.compacted_run() IS
  'The end of the leading run of compacted partitions of changes and their oids (NULLs: none)';

CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.compacted_until()
RETURNS timestamptz
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT until_at FROM ${flyway:defaultSchema}.compacted_run()
$$;

-- Fired by any row stored into, changed in or removed from a compacted partition (and a TRUNCATE):
-- the states no longer match the changes, so none is trusted until the next refresh. Definer's
-- rights: the ingester may insert a late change without any privilege on the states.
CREATE FUNCTION ${flyway:defaultSchema}.compacted_states_stale()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF EXISTS (SELECT FROM ${flyway:defaultSchema}.compacted_state_tables) THEN
    DELETE FROM ${flyway:defaultSchema}.compacted_state_tables;
  END IF;
  RETURN NULL;
END
$$;

REVOKE EXECUTE ON FUNCTION ${flyway:defaultSchema}.compacted_states_stale() FROM PUBLIC;

-- Puts those triggers on a compacted partition (compact_partition, R__5, on its copy). An UPDATE
-- of a column no state depends on (the context backfill's) does not fire.
CREATE FUNCTION ${flyway:defaultSchema}.watch_compacted_partition(p_partition regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  EXECUTE format('CREATE TRIGGER compacted_states_stale AFTER INSERT OR DELETE OR UPDATE OF source, schema, "table",'
                 ' primary_key, previous_primary_key, operation, "after", committed_at, commit_lsn, change_index'
                 ' ON %s FOR EACH ROW EXECUTE FUNCTION ${flyway:defaultSchema}.compacted_states_stale()', p_partition);
  EXECUTE format('CREATE TRIGGER compacted_states_truncated AFTER TRUNCATE ON %s'
                 ' FOR EACH STATEMENT EXECUTE FUNCTION ${flyway:defaultSchema}.compacted_states_stale()', p_partition);
END
$$;

REVOKE EXECUTE ON FUNCTION ${flyway:defaultSchema}.watch_compacted_partition(regclass) FROM PUBLIC;

-- The partitions compacted before this migration get the triggers compact_partition now creates.
DO $do$
DECLARE
  v_partition regclass;
BEGIN
  FOR v_partition IN
    SELECT cp.relid::regclass FROM ${flyway:defaultSchema}.compacted_partitions cp
     WHERE cp.relid = to_regclass(pg_catalog.format('%I.%I', '${flyway:defaultSchema}', cp.partition_name))
  LOOP
    PERFORM ${flyway:defaultSchema}.watch_compacted_partition(v_partition);
  END LOOP;
END
$do$;

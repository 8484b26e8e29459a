-- Who may call the trail's two SECURITY DEFINER functions (docs/architecture.md, "Threat model").
-- PostgreSQL lets PUBLIC execute every new function, and a SECURITY DEFINER function runs with its
-- owner's rights (the migrating role, owner of changes), so both were open to every role with
-- USAGE on this schema, e.g. the dashboard's read-only role:
--
--   ensure_partitions(p_until)  creates one partition of changes per month up to p_until as the
--                               owner: a reader could add thousands (catalog bloat, slower planning
--                               of every query on changes), or hold the advisory lock and the locks
--                               of what it created in an open transaction, stalling every writer
--                               that needs a new month.
--   count_activity()            the trigger function of changes_count_activity: it cannot be
--                               called directly, but any role may attach it to a table it owns
--                               (every role may create a TEMPORARY table) and so upsert whatever
--                               it likes into activity as the owner: forge the dashboard's counts,
--                               or push a count to the bigint limit so that the ingester's next
--                               insert of that table and minute fails on the overflow.
--
-- After this migration only writers may extend the partitions: every role that may insert into
-- changes now (the ingester's or consumer's role; PUBLIC if PUBLIC may) gets EXECUTE on
-- ensure_partitions, and roles granted INSERT later need the GRANT that docs/ingester.md lists.
-- Nobody needs EXECUTE on count_activity: a trigger's function runs without that check whoever
-- fires it, so writers keep having their changes counted.
--
-- Why a grant rather than a check inside ensure_partitions: inside a SECURITY DEFINER function
-- current_user is the owner, and session_user is the login role, not the role the caller acts as
-- (SET ROLE, or a login role that reaches its grants through a NOINHERIT membership), so a check
-- there would refuse some legitimate writers and admit some readers. EXECUTE is checked against the
-- calling role itself.

REVOKE EXECUTE ON FUNCTION ${flyway:defaultSchema}.ensure_partitions(timestamptz) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ${flyway:defaultSchema}.count_activity() FROM PUBLIC;

DO $do$
DECLARE
  v_grantee text;
BEGIN
  FOR v_grantee IN
    SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(r.rolname) END
      FROM pg_catalog.pg_class c
     CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a
      LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
     WHERE c.oid = '${flyway:defaultSchema}.changes'::regclass AND a.privilege_type = 'INSERT'
  LOOP
    EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION ${flyway:defaultSchema}.ensure_partitions(timestamptz) TO %s',
                              v_grantee);
  END LOOP;
END
$do$;

-- A writer's mistake is bounded too: partitions are created at most a year ahead of the
-- destination's clock, whatever p_until asks (a NOTICE says so); the new end is returned. A change
-- committed later than that (a source clock years ahead, a forged Kafka event) has no partition:
-- the ingester and `consume` quarantine it rather than try the insert (docs/ingester.md, "A commit
-- time beyond the partitions"), so it neither stops the stream nor is lost. Without the cap such a change made
-- the writer create every month up to it inside its batch: 1,200 partitions for a clock a century
-- ahead (22 s on the test machine), 12 more for every further year.
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.ensure_partitions(p_until timestamptz)
RETURNS timestamptz
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC' AS $function$
DECLARE
  v_horizon constant timestamptz := now() + interval '1 year';
  v_until constant timestamptz := least(p_until, v_horizon);
  v_end timestamptz := ${flyway:defaultSchema}.partitioned_until();
BEGIN
  IF p_until > v_horizon THEN
    RAISE NOTICE 'bemi: partitions of changes are created up to a year ahead (%), not up to %', v_horizon, p_until
      USING HINT = 'Is the clock that gave that time right? A partition further ahead can be created by the owner of changes.';
  END IF;
  IF v_end > v_until THEN
    RETURN v_end;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('${flyway:defaultSchema}.ensure_partitions'));
  v_end := ${flyway:defaultSchema}.partitioned_until();
  WHILE v_end <= v_until LOOP
    EXECUTE format('CREATE TABLE ${flyway:defaultSchema}.%I PARTITION OF ${flyway:defaultSchema}.changes'
                   ' FOR VALUES FROM (%L) TO (%L)',
                   'changes_' || to_char(v_end, 'YYYY_MM'), v_end, v_end + interval '1 month');
    v_end := v_end + interval '1 month';
  END LOOP;
  RETURN v_end;
END
$function$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.ensure_partitions(timestamptz) IS
  'Creates the monthly partitions of changes up to (and including) p_until, at most a year ahead; returns the end of the last one';

-- Who may call the trail's two SECURITY DEFINER functions (docs/architecture.md, "Threat model").
-- PostgreSQL lets PUBLIC execute every new function, and a SECURITY DEFINER function runs with its
-- owner's rights (the migrating role, owner of changes), so both were open to every role with
-- USAGE on this schema, e.g. the dashboard's read-only role:
--
--   ensure_partitions(p_until)  creates one partition of changes per month up to p_until as the
--                               owner: a reader could add thousands (catalog bloat, slower planning
--                               of every query on changes, or a lock table too small for the next
--                               insert), or hold changes' lock and the advisory lock in an open
--                               transaction and so stall every writer.
--   count_activity()            the trigger function of changes_count_activity: it cannot be
--                               called directly, but any role may attach it to a table it owns
--                               (every role may create a TEMPORARY table) and so upsert whatever
--                               it likes into activity as the owner: forge the dashboard's counts,
--                               or make a count overflow so that the ingester's next insert of
--                               that table and minute fails.
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

-- The other sessions holding locks on tables a setup statement waited for (setup names them when
-- it gives up). Parameters: 1 the tables (text[], qualified as setup quotes them), 2 whether the
-- statement wanted an ACCESS EXCLUSIVE lock (ALTER TABLE … REPLICA IDENTITY: every lock conflicts)
-- or a SHARE UPDATE EXCLUSIVE one (adding a table to a publication: only the stronger modes and
-- itself conflict, not the application's reads and writes). A role that is not the holder's, nor
-- a member of pg_read_all_stats, sees no state or transaction start: those parts are left out.
SELECT 'pid ' || a.pid || ' (user ' || coalesce(a.usename::text, '?')
         || coalesce(', application ' || quote_literal(nullif(a.application_name, '')), '')
         || coalesce(', ' || a.state, '')
         || coalesce(', transaction open '
                     || round(extract(epoch FROM clock_timestamp() - a.xact_start))::bigint || ' s', '')
         || ')' AS holder,
       l.mode,
       l.relation::regclass::text AS "table"
  FROM pg_locks l
  JOIN pg_stat_activity a ON a.pid = l.pid
 WHERE l.granted
   AND l.locktype = 'relation'
   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND l.relation = ANY (SELECT to_regclass(n) FROM unnest(?::text[]) n)
   AND l.pid <> pg_backend_pid()
   AND (? OR l.mode IN ('ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock',
                        'AccessExclusiveLock'))
 ORDER BY a.xact_start NULLS LAST, a.pid, l.relation

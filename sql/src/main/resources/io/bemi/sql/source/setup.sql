-- Prepares a source database for the Bemi ingester (`bemi-ingester setup`; `--print-sql` prints
-- this script rendered). Every statement is idempotent. Statements are separated by blank lines
-- and must run one by one in autocommit mode: a logical slot cannot be created in a transaction
-- that has written. Placeholders (dollar-brace names in the statements): <publication> (identifier), <publication_literal>,
-- <slot_literal>, <tables> (comma-separated qualified tables: plain and partitioned tables,
-- not partitions) and <replica_identity> (one ALTER TABLE per table and partition).

-- Old rows in the WAL in full, so updates and deletes carry the whole "before" row and unchanged
-- TOASTed values can be filled in from it.
${replica_identity}

-- The tables the ingester reads. Never FOR ALL TABLES: the destination schema stays out, so the
-- ingester's own writes are not captured when the destination is the source database.
-- publish_via_partition_root: changes of partitions are reported as their partitioned table.
DO $bemi$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = ${publication_literal}) THEN
    CREATE PUBLICATION ${publication} FOR TABLE ${tables} WITH (publish_via_partition_root = true);
  ELSE
    ALTER PUBLICATION ${publication} SET TABLE ${tables};
    ALTER PUBLICATION ${publication} SET (publish_via_partition_root = true);
  END IF;
END
$bemi$;

-- The logical replication slot the ingester streams from (plugin pgoutput).
SELECT pg_create_logical_replication_slot(${slot_literal}, 'pgoutput')
 WHERE NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = ${slot_literal});

-- Prepares a source database for the Bemi ingester (`bemi-ingester setup`; `--print-sql` prints
-- this script rendered). Statements are separated by blank lines and run one by one in
-- autocommit mode (a logical slot cannot be created in a transaction that has written). The
-- script is split into statements BEFORE names are put in, so a name may hold anything
-- PostgreSQL allows (blank lines, dollar quotes, semicolons): names only ever appear as quoted
-- identifiers or string literals, never inside a dollar-quoted body. Placeholders (dollar-brace
-- names in the statements): <publication> (identifier), <slot_literal>, <tables> (comma-separated
-- qualified tables: plain and partitioned tables, not partitions) and <replica_identity> (one
-- ALTER TABLE per table and partition that lacks REPLICA IDENTITY FULL) and <choice_literal> (what
-- the tables were chosen by, as JSON). Of the two publication statements, setup renders the one
-- that applies: CREATE when the publication does not exist yet, ALTER … SET TABLE when it does.

-- Old rows in the WAL in full, so updates and deletes carry the whole "before" row and unchanged
-- TOASTed values can be filled in from it.
${replica_identity}

-- [when the publication does not exist] The tables the ingester reads. Never FOR ALL TABLES: the
-- destination schema stays out, so the ingester's own writes are not captured when the
-- destination is the source database. publish_via_partition_root: changes of partitions are
-- reported as their partitioned table.
CREATE PUBLICATION ${publication} FOR TABLE ${tables} WITH (publish_via_partition_root = true);

-- [when the publication exists]
ALTER PUBLICATION ${publication} SET TABLE ${tables};

-- [when the publication exists]
ALTER PUBLICATION ${publication} SET (publish_via_partition_root = true);

-- [when the choice is recorded] What setup was asked to track (--schemas, --tables,
-- --exclude-tables), so that `status` and `run` can name tables created since that it would track.
COMMENT ON PUBLICATION ${publication} IS ${choice_literal};

-- The logical replication slot the ingester streams from (plugin pgoutput).
SELECT pg_catalog.pg_create_logical_replication_slot(${slot_literal}, 'pgoutput')
 WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_replication_slots WHERE slot_name = ${slot_literal});

-- Removes what `bemi-ingester setup` and `run` created on the source (`bemi-ingester teardown
-- --yes`). REPLICA IDENTITY is left as it is (it may have been FULL before setup). Statements are
-- separated by blank lines. Placeholders (dollar-brace names in the statements): <publication>, <slot_literal>, <origin_literal>.

-- Fails while an ingester is streaming from the slot: stop it first.
SELECT pg_catalog.pg_drop_replication_slot(slot_name) FROM pg_catalog.pg_replication_slots WHERE slot_name = ${slot_literal};

DROP PUBLICATION IF EXISTS ${publication};

-- The replication origin `run --origin none` uses on PostgreSQL 16+ when the destination is the source.
SELECT pg_catalog.pg_replication_origin_drop(roname) FROM pg_catalog.pg_replication_origin WHERE roname = ${origin_literal};

-- Issue #16, the drain: a change is looked up by id through a block range (BRIN) index instead of
-- the primary key's B-tree, which every stored change had to enter (docs/benchmarks.md, "Where the
-- drain's time goes"). Ids are time-ordered (UUIDv7, issued as rows are stored), so the heap of a
-- partition is in id order and a block range summary finds an id in one range per partition.
--
-- changes keeps its identity in changes_commit_change_key (source, commit LSN, change order,
-- commit time): the unique key every replay is checked against. Ids stay unique by construction
-- (48 bits of milliseconds and 74 random bits; the ingester's ids also increase), no longer by an
-- index.
--
-- Other writers (baseline snapshots, direct INSERTs) take the column default, which becomes a
-- UUIDv7 too: random version-4 ids would widen every block range they land in to the whole id
-- space and make each lookup read those ranges. Ids stored before keep their values.

ALTER TABLE ${flyway:defaultSchema}.changes DROP CONSTRAINT changes_pkey;

-- 32 pages per range: a lookup rechecks about 32 pages of one range per partition (under 1 ms).
CREATE INDEX changes_id_idx ON ${flyway:defaultSchema}.changes USING brin (id)
  WITH (pages_per_range = 32, autosummarize = on);

-- A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits (those of a
-- gen_random_uuid() with its version nibble changed from 4 to 7).
CREATE FUNCTION ${flyway:defaultSchema}.uuid_v7()
RETURNS uuid
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
           PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
           FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.uuid_v7() IS
  'A time-ordered UUID (version 7): the default id of changes, so ids follow the order rows are stored in';

ALTER TABLE ${flyway:defaultSchema}.changes ALTER COLUMN id SET DEFAULT ${flyway:defaultSchema}.uuid_v7();

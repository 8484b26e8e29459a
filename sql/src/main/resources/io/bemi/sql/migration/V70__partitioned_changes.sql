-- Issue #16: bemi.changes becomes a table partitioned by month of committed_at, with a source
-- column so several sources can share one destination. Readers see the same relation and columns.
--
-- Layout (docs/architecture.md, "Storage"):
--   changes_history       FOR VALUES FROM (MINVALUE) TO (first month): changes older than the first
--                         monthly partition, and the states retention keeps when it drops a month
--   changes_YYYY_MM       one per UTC month, created ahead by ensure_partitions() (the ingester
--                         calls it before a change would reach the last partition's end)
--
-- A partitioned table's unique keys must contain the partition key. One commit has one commit
-- time, so UNIQUE (commit_lsn, change_index, source, committed_at) forbids exactly what
-- UNIQUE (commit_lsn, change_index) forbade, per source: a replayed transaction is never stored
-- twice, and two sources may use the same LSNs.
--
-- Upgrade: the existing rows are copied into the partitions (the old table is read once) and the
-- indexes are built afterwards. Objects bound to the old table's row type (the time-travel
-- functions and views, typed history views) are dropped with it. The repeatable migrations are
-- marked outdated, so Migrations.migrate runs them again right after this one: they re-create
-- those objects (R__3 ends by refreshing the history views).

ALTER TABLE ${flyway:defaultSchema}.changes ADD COLUMN IF NOT EXISTS source text NOT NULL DEFAULT '';
ALTER TABLE ${flyway:defaultSchema}.changes RENAME TO changes_before_v70;
ALTER TABLE ${flyway:defaultSchema}.changes_before_v70
  DROP CONSTRAINT changes_pkey,
  DROP CONSTRAINT changes_commit_change_key,
  DROP CONSTRAINT changes_operation_check;
DROP INDEX ${flyway:defaultSchema}.changes_record_idx, ${flyway:defaultSchema}.changes_table_time_idx,
  ${flyway:defaultSchema}.changes_committed_at_idx, ${flyway:defaultSchema}.changes_context_idx,
  ${flyway:defaultSchema}.changes_transaction_idx, ${flyway:defaultSchema}.changes_truncate_idx;

CREATE TABLE ${flyway:defaultSchema}.changes (
  id             uuid        NOT NULL DEFAULT gen_random_uuid(), -- the ingester writes time-ordered UUIDv7 ids; the default serves other writers
  primary_key    text,                                  -- single key: its text; composite: JSON array text; no key: NULL
  before         jsonb       NOT NULL DEFAULT '{}',     -- {} for CREATE and SNAPSHOT
  after          jsonb       NOT NULL DEFAULT '{}',     -- {} for DELETE and TRUNCATE
  context        jsonb       NOT NULL DEFAULT '{}',     -- application context from _bemi messages
  database       text        NOT NULL,
  schema         text        NOT NULL,
  "table"        text        NOT NULL,
  operation      text        NOT NULL,
  committed_at   timestamptz NOT NULL,                  -- source commit time; the partition key
  queued_at      timestamptz NOT NULL,                  -- when the ingester received the transaction's Begin
  created_at     timestamptz NOT NULL DEFAULT now(),    -- when the row was stored
  transaction_id bigint      NOT NULL,                  -- source xid
  position       bigint      NOT NULL,                  -- LSN of the change record in the WAL
  commit_lsn     bigint      NOT NULL,                  -- LSN of the transaction's commit: identifies the transaction within its source
  change_index   integer     NOT NULL,                  -- 0-based order of the change within its transaction
  source         text        NOT NULL DEFAULT '',       -- which source server and database ('' : stored before sources were named)
  CONSTRAINT changes_operation_check CHECK (operation IN ('CREATE', 'UPDATE', 'DELETE', 'TRUNCATE', 'SNAPSHOT'))
) PARTITION BY RANGE (committed_at);

COMMENT ON TABLE ${flyway:defaultSchema}.changes IS 'Bemi audit trail: every captured row change with its application context';

-- The partitions of changes with their bounds (from_at NULL: the history partition, from MINVALUE).
CREATE FUNCTION ${flyway:defaultSchema}.changes_partitions()
RETURNS TABLE (partition_name text, from_at timestamptz, until_at timestamptz)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC' AS $$
  SELECT c.relname::text,
         (regexp_match(b.bound, 'FROM \(''([^'']+)''\)'))[1]::timestamptz,
         (regexp_match(b.bound, 'TO \(''([^'']+)''\)'))[1]::timestamptz
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
   CROSS JOIN LATERAL (SELECT pg_get_expr(c.relpartbound, c.oid) AS bound) b
   WHERE i.inhparent = '${flyway:defaultSchema}.changes'::regclass
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.changes_partitions() IS
  'The partitions of changes and their bounds; from_at is NULL for changes_history (from MINVALUE)';

-- The last partition's end: changes committed from then on have no partition yet.
CREATE FUNCTION ${flyway:defaultSchema}.partitioned_until()
RETURNS timestamptz
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp AS $$
  SELECT max(until_at) FROM ${flyway:defaultSchema}.changes_partitions()
$$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.partitioned_until() IS
  'The end of the last partition of changes: a change committed at or after it has no partition yet';

-- Creates the monthly partitions (UTC months) so that every instant before p_until has one;
-- returns the new end. Safe to call concurrently and often: it creates nothing when covered.
-- SECURITY DEFINER: an ingester role that may only write changes (not own it) can extend it.
CREATE FUNCTION ${flyway:defaultSchema}.ensure_partitions(p_until timestamptz)
RETURNS timestamptz
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC' AS $function$
DECLARE
  v_end timestamptz := ${flyway:defaultSchema}.partitioned_until();
BEGIN
  IF v_end > p_until THEN
    RETURN v_end;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('${flyway:defaultSchema}.ensure_partitions'));
  v_end := ${flyway:defaultSchema}.partitioned_until();
  WHILE v_end <= p_until LOOP
    EXECUTE format('CREATE TABLE ${flyway:defaultSchema}.%I PARTITION OF ${flyway:defaultSchema}.changes'
                   ' FOR VALUES FROM (%L) TO (%L)',
                   'changes_' || to_char(v_end, 'YYYY_MM'), v_end, v_end + interval '1 month');
    v_end := v_end + interval '1 month';
  END LOOP;
  RETURN v_end;
END
$function$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.ensure_partitions(timestamptz) IS
  'Creates the monthly partitions of changes up to (and including) p_until; returns the end of the last one';

-- Retention: drops the oldest monthly partition that ends at or before p_cutoff and returns its
-- name (NULL: none). What time travel needs from it moves into changes_history first: each
-- record's last change in the month and each table's last TRUNCATE (they replace the record's or
-- table's older kept state). Changes of tables without a primary key go with the month. The month
-- is locked against writers while its states are read (the ingester writes recent months), and
-- changes is locked exclusively from the detach to the end: writers wait about as long as it
-- takes to move the states and scan changes_history once (ATTACH checks its bound).
CREATE FUNCTION ${flyway:defaultSchema}.expire_oldest_partition(p_cutoff timestamptz)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC' AS $function$
DECLARE
  v_month record;
BEGIN
  SELECT * INTO v_month FROM ${flyway:defaultSchema}.changes_partitions()
   WHERE from_at IS NOT NULL AND until_at <= p_cutoff ORDER BY from_at LIMIT 1;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  EXECUTE format('LOCK TABLE ${flyway:defaultSchema}.%I IN SHARE MODE', v_month.partition_name);
  EXECUTE format($sql$
    CREATE TEMPORARY TABLE bemi_kept_states ON COMMIT DROP AS
    SELECT DISTINCT ON (source, schema, "table", primary_key) *
      FROM ${flyway:defaultSchema}.%I
     WHERE primary_key IS NOT NULL OR operation = 'TRUNCATE'
     ORDER BY source, schema, "table", primary_key, commit_lsn DESC, change_index DESC$sql$, v_month.partition_name);
  EXECUTE format('ALTER TABLE ${flyway:defaultSchema}.changes DETACH PARTITION ${flyway:defaultSchema}.%I',
                 v_month.partition_name);
  ALTER TABLE ${flyway:defaultSchema}.changes DETACH PARTITION ${flyway:defaultSchema}.changes_history;
  DELETE FROM ${flyway:defaultSchema}.changes_history h USING bemi_kept_states k
   WHERE k.primary_key IS NOT NULL AND h.schema = k.schema AND h."table" = k."table"
     AND h.primary_key = k.primary_key AND h.source = k.source;
  DELETE FROM ${flyway:defaultSchema}.changes_history h USING bemi_kept_states k
   WHERE k.operation = 'TRUNCATE' AND h.operation = 'TRUNCATE' AND h.schema = k.schema AND h."table" = k."table"
     AND h.source = k.source;
  INSERT INTO ${flyway:defaultSchema}.changes_history SELECT * FROM bemi_kept_states;
  DROP TABLE bemi_kept_states;
  EXECUTE format('DROP TABLE ${flyway:defaultSchema}.%I', v_month.partition_name);
  EXECUTE format('ALTER TABLE ${flyway:defaultSchema}.changes ATTACH PARTITION ${flyway:defaultSchema}.changes_history'
                 ' FOR VALUES FROM (MINVALUE) TO (%L)', v_month.until_at);
  RETURN v_month.partition_name;
END
$function$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.expire_oldest_partition(timestamptz) IS
  'Retention: drops the oldest month ending by p_cutoff, keeping each record''s last state in changes_history; returns its name or NULL';

-- The history partition ends where the monthly ones start: at the month of the oldest stored
-- change, at most three years back (older changes stay in the history partition), or this month.
DO $do$
DECLARE
  v_first timestamptz;
BEGIN
  SET LOCAL TimeZone = 'UTC';
  SELECT date_trunc('month', greatest(least(min(committed_at), now()), now() - interval '3 years'))
    INTO v_first
    FROM ${flyway:defaultSchema}.changes_before_v70;
  EXECUTE format('CREATE TABLE ${flyway:defaultSchema}.changes_history PARTITION OF ${flyway:defaultSchema}.changes'
                 ' FOR VALUES FROM (MINVALUE) TO (%L)', coalesce(v_first, date_trunc('month', now())));
  PERFORM ${flyway:defaultSchema}.ensure_partitions(now() + interval '2 months');
END
$do$;

INSERT INTO ${flyway:defaultSchema}.changes SELECT * FROM ${flyway:defaultSchema}.changes_before_v70;
DROP TABLE ${flyway:defaultSchema}.changes_before_v70 CASCADE;
UPDATE ${flyway:defaultSchema}.flyway_schema_history SET checksum = NULL WHERE version IS NULL;

-- Indexes, each decided by measurement (docs/benchmarks.md, "Storage layout").
-- Ids are looked up one at a time (change_diff, revert, restore); UUIDv7 appends.
ALTER TABLE ${flyway:defaultSchema}.changes ADD CONSTRAINT changes_pkey PRIMARY KEY (id, committed_at);
-- A replayed transaction (same source, commit LSN, order; hence same commit time) is never stored twice.
-- commit_lsn leads: a commit's changes are looked up by commit LSN alone (commit_changes(), the dashboard).
ALTER TABLE ${flyway:defaultSchema}.changes
  ADD CONSTRAINT changes_commit_change_key UNIQUE (commit_lsn, change_index, source, committed_at);
-- A record's history, in commit order. "table" and primary_key lead, schema follows: Bemi's
-- documented record query names only the table and the key (WHERE "table" = … AND primary_key = …)
-- and is served by the same index as the functions, which name all three (an index leading with
-- schema made that query walk the whole index: 0.6–1.6 s at 1M–5M changes).
CREATE INDEX changes_record_idx ON ${flyway:defaultSchema}.changes ("table", primary_key, schema, commit_lsn, change_index);
-- A table over time, and as-of queries over a table.
CREATE INDEX changes_table_time_idx ON ${flyway:defaultSchema}.changes ("table", committed_at);
-- Time ranges across tables (newest first pages).
CREATE INDEX changes_committed_at_idx ON ${flyway:defaultSchema}.changes (committed_at, commit_lsn, change_index);
-- Context containment: context @> '{"userId": 42}'.
CREATE INDEX changes_context_idx ON ${flyway:defaultSchema}.changes USING gin (context jsonb_path_ops);
-- All changes of one transaction: xids grow with commit order, so a block range summary suffices
-- (12x smaller than the B-tree it replaces). autosummarize: a range the ingester has filled is
-- summarized by autovacuum at once; an unsummarized range matches every lookup.
CREATE INDEX changes_transaction_idx ON ${flyway:defaultSchema}.changes USING brin (transaction_id)
  WITH (autosummarize = on);
-- A record as of a time must know when its table was last truncated (one row per TRUNCATE).
CREATE INDEX changes_truncate_idx ON ${flyway:defaultSchema}.changes (schema, "table", commit_lsn, change_index)
  WHERE operation = 'TRUNCATE';

-- Changes counted per minute, source, table and operation as they are stored, so activity over a
-- window (the dashboard's Activity page and API) reads at most one row per minute × table ×
-- operation instead of rescanning the window's changes.
--
-- Kept by a statement-level AFTER INSERT trigger with a transition table: it fires once per
-- INSERT or COPY statement (the ingester's batches), also on a partitioned changes table (the
-- trigger sits on the root), counts only rows really inserted (not those skipped by ON CONFLICT
-- DO NOTHING), and commits or rolls back with them, so the counts are exactly once like the
-- changes. Buckets are minutes of committed_at from 2000-01-01 UTC (date_bin, independent of the
-- session time zone), so any window bucket of whole minutes is a sum of them. Counts are of
-- changes stored: rows later deleted (retention) keep their counts.

CREATE TABLE ${flyway:defaultSchema}.activity (
  bucket     timestamptz NOT NULL,   -- date_bin('1 minute', committed_at, 2000-01-01 UTC)
  source     text        NOT NULL,
  schema     text        NOT NULL,
  "table"    text        NOT NULL,
  operation  text        NOT NULL,
  changes    bigint      NOT NULL,
  CONSTRAINT activity_pkey PRIMARY KEY (bucket, source, schema, "table", operation)
);

COMMENT ON TABLE ${flyway:defaultSchema}.activity IS
  'Changes stored per minute of commit time, source, table and operation (kept by a trigger on changes)';

-- Rows are upserted in key order so two concurrent writers cannot deadlock on each other's buckets.
-- SECURITY DEFINER (the migrating role owns activity): a role that may only INSERT into changes,
-- as the ingester's can be, stores changes without a grant on activity. A trigger function cannot
-- be called directly, and its search_path is pinned.
CREATE FUNCTION ${flyway:defaultSchema}.count_activity()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  INSERT INTO ${flyway:defaultSchema}.activity AS a (bucket, source, schema, "table", operation, changes)
  SELECT date_bin('1 minute', s.committed_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), s.source, s.schema, s."table",
         s.operation, count(*)
    FROM stored s
   GROUP BY 1, 2, 3, 4, 5
   ORDER BY 1, 2, 3, 4, 5
      ON CONFLICT (bucket, source, schema, "table", operation) DO UPDATE SET changes = a.changes + excluded.changes;
  RETURN NULL;
END
$$;

CREATE TRIGGER changes_count_activity
  AFTER INSERT ON ${flyway:defaultSchema}.changes
  REFERENCING NEW TABLE AS stored
  FOR EACH STATEMENT EXECUTE FUNCTION ${flyway:defaultSchema}.count_activity();

-- Existing trails: count what is stored (one pass, in the same transaction as the trigger's
-- creation, so no change is counted twice or missed).
INSERT INTO ${flyway:defaultSchema}.activity (bucket, source, schema, "table", operation, changes)
SELECT date_bin('1 minute', c.committed_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), c.source, c.schema, c."table",
       c.operation, count(*)
  FROM ${flyway:defaultSchema}.changes c
 GROUP BY 1, 2, 3, 4, 5;

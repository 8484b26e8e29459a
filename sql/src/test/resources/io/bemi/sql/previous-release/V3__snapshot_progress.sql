-- Baseline snapshot progress (`bemi-ingester setup --snapshot`), one row per slot, source database
-- and table. A table is copied in destination transactions of a few thousand rows, each of which
-- also updates rows_done here, so after a crash the stored SNAPSHOT rows of a table and its
-- progress row agree. A table whose status is 'done' is skipped when the snapshot is run again; a
-- table still 'running' is copied again after its partial SNAPSHOT rows (commit_lsn =
-- snapshot_lsn - 1) are deleted.
CREATE TABLE ${flyway:defaultSchema}.snapshot_progress (
  slot            text        NOT NULL,
  source_database text        NOT NULL,
  schema          text        NOT NULL,
  "table"         text        NOT NULL,
  snapshot_lsn    bigint      NOT NULL,   -- consistent point of the exported snapshot the table is copied in
  status          text        NOT NULL,   -- running | done
  rows_done       bigint      NOT NULL DEFAULT 0,
  rows_estimated  bigint      NOT NULL DEFAULT 0,   -- pg_class.reltuples when the copy began
  started_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz,
  CONSTRAINT snapshot_progress_pkey PRIMARY KEY (slot, source_database, schema, "table"),
  CONSTRAINT snapshot_progress_status_check CHECK (status IN ('running', 'done'))
);

COMMENT ON TABLE ${flyway:defaultSchema}.snapshot_progress IS 'Bemi ingester: baseline snapshot progress per table';

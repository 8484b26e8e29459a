-- The changes table: one row per captured row change, Bemi-compatible columns first.
-- ${flyway:defaultSchema} is the destination schema (default "bemi").

CREATE TABLE ${flyway:defaultSchema}.changes (
  id             uuid        NOT NULL DEFAULT gen_random_uuid(), -- the ingester writes time-ordered UUIDv7 ids (appends to changes_pkey); the default serves other writers
  primary_key    text,                                  -- single key: its text; composite: JSON array text; no key: NULL
  before         jsonb       NOT NULL DEFAULT '{}',     -- {} for CREATE and SNAPSHOT
  after          jsonb       NOT NULL DEFAULT '{}',     -- {} for DELETE and TRUNCATE
  context        jsonb       NOT NULL DEFAULT '{}',     -- application context from _bemi messages
  database       text        NOT NULL,
  schema         text        NOT NULL,
  "table"        text        NOT NULL,
  operation      text        NOT NULL,
  committed_at   timestamptz NOT NULL,                  -- source commit time
  queued_at      timestamptz NOT NULL,                  -- when the ingester received the transaction's Begin
  created_at     timestamptz NOT NULL DEFAULT now(),    -- when the row was stored
  transaction_id bigint      NOT NULL,                  -- source xid
  position       bigint      NOT NULL,                  -- LSN of the change record in the WAL
  commit_lsn     bigint      NOT NULL,                  -- LSN of the transaction's commit: identifies the transaction
  change_index   integer     NOT NULL,                  -- 0-based order of the change within its transaction
  CONSTRAINT changes_pkey PRIMARY KEY (id),
  CONSTRAINT changes_operation_check CHECK (operation IN ('CREATE', 'UPDATE', 'DELETE', 'TRUNCATE', 'SNAPSHOT')),
  -- A replayed transaction (same commit LSN, same order) can never be stored twice.
  CONSTRAINT changes_commit_change_key UNIQUE (commit_lsn, change_index)
);

COMMENT ON TABLE ${flyway:defaultSchema}.changes IS 'Bemi audit trail: every captured row change with its application context';

-- A record's history, in commit order.
CREATE INDEX changes_record_idx ON ${flyway:defaultSchema}.changes (schema, "table", primary_key, commit_lsn, change_index);
-- A table over time, and as-of queries over a table.
CREATE INDEX changes_table_time_idx ON ${flyway:defaultSchema}.changes ("table", committed_at);
-- Time ranges across tables (newest first pages).
CREATE INDEX changes_committed_at_idx ON ${flyway:defaultSchema}.changes (committed_at, commit_lsn, change_index);
-- Context containment: context @> '{"userId": 42}'.
CREATE INDEX changes_context_idx ON ${flyway:defaultSchema}.changes USING gin (context jsonb_path_ops);
-- All changes of one transaction.
CREATE INDEX changes_transaction_idx ON ${flyway:defaultSchema}.changes (transaction_id);

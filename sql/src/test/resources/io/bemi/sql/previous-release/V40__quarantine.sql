-- Changes the destination refused although the ingester validated them (the last line of defence
-- behind the fallback forms of docs/ingester.md): the stream goes on, the change is kept here as
-- text with the error, and `status`, /health/ready and bemi_ingester_quarantined_total report it.
-- Written in the same destination transaction as the batch and its checkpoint (exactly once).
CREATE TABLE ${flyway:defaultSchema}.quarantine (
  id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source_database text        NOT NULL,
  commit_lsn      bigint      NOT NULL,   -- the change's source transaction, as in changes
  change_index    integer     NOT NULL,
  position        bigint      NOT NULL,   -- the change's own LSN
  transaction_id  bigint      NOT NULL,
  committed_at    timestamptz NOT NULL,
  schema          text        NOT NULL,
  "table"         text        NOT NULL,
  operation       text        NOT NULL,
  primary_key     text,
  before          text,                   -- the JSON texts the ingester tried to store
  after           text,
  context         text,
  error           text        NOT NULL,   -- the destination's error message
  sql_state       text,
  quarantined_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT quarantine_change_key UNIQUE (source_database, commit_lsn, change_index)
);

COMMENT ON TABLE ${flyway:defaultSchema}.quarantine IS 'Bemi ingester: changes the destination refused, kept as text';

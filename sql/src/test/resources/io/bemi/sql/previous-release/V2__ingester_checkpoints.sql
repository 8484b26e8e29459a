-- Where the ingester has stored up to, per replication slot and source database. Written in the
-- same destination transaction as the changes it covers, so after a crash the ingester resumes
-- exactly after the last stored source transaction.
CREATE TABLE ${flyway:defaultSchema}.ingester_checkpoints (
  slot            text        NOT NULL,
  source_database text        NOT NULL,
  commit_lsn      bigint      NOT NULL,   -- commit LSN of the last stored source transaction
  end_lsn         bigint      NOT NULL,   -- its end LSN: the slot's flush position after it
  committed_at    timestamptz NOT NULL,   -- its commit time on the source (lag in seconds)
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT ingester_checkpoints_pkey PRIMARY KEY (slot, source_database)
);

COMMENT ON TABLE ${flyway:defaultSchema}.ingester_checkpoints IS 'Bemi ingester: last stored source commit per slot';

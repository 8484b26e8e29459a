-- High availability (issue #20): standby ingesters and source failover.

-- One row per slot and source database: which ingester process leads (streams and stores). A
-- process leads while its lease has not expired; it renews it every third of the lease time. The
-- epoch grows by one on every takeover and is the fencing token: each batch re-reads this row
-- (FOR SHARE, in the batch's own transaction) with the epoch it acquired and is refused when the
-- epoch moved on or the lease expired, so a leader that paused past its lease cannot store.
CREATE TABLE ${flyway:defaultSchema}.ingester_leases (
  slot            text        NOT NULL,
  source_database text        NOT NULL,
  epoch           bigint      NOT NULL,   -- fencing token: +1 on every takeover
  holder          text        NOT NULL,   -- host:pid:nonce of the leading process
  holder_pid      integer,                -- destination backend of the leader's lease connection (dead: take over now)
  store_pid       integer,                -- destination backend of the leader's store connection
  leader_since    timestamptz NOT NULL,
  renewed_at      timestamptz NOT NULL,
  expires_at      timestamptz NOT NULL,   -- destination clock: standbys take over after this
  CONSTRAINT ingester_leases_pkey PRIMARY KEY (slot, source_database)
);

COMMENT ON TABLE ${flyway:defaultSchema}.ingester_leases IS 'Bemi ingester: the leading process per slot (lease with a fencing epoch)';

-- Which server the checkpoint was read from: a changed timeline (promotion) or system identifier
-- (another cluster) tells the ingester the source failed over. NULL for checkpoints stored before.
ALTER TABLE ${flyway:defaultSchema}.ingester_checkpoints
  ADD COLUMN system_identifier text,
  ADD COLUMN timeline integer;

-- Stretches of the source's history the trail does not hold: the slot was lost (a failover
-- without failover slots on PostgreSQL 14-16, a dropped slot) after the last stored commit.
-- Open (end_lsn NULL) until the ingester streams again from a new slot.
CREATE TABLE ${flyway:defaultSchema}.gaps (
  id                bigint      GENERATED ALWAYS AS IDENTITY,
  slot              text        NOT NULL,
  source_database   text        NOT NULL,
  start_lsn         bigint      NOT NULL,   -- commit LSN of the last stored transaction: nothing after it is known
  start_at          timestamptz NOT NULL,   -- its commit time
  end_lsn           bigint,                 -- where the new slot starts (first change that can be stored again)
  end_at            timestamptz,            -- when the ingester found the new slot
  system_identifier text,                   -- of the source the gap was found on
  timeline          integer,
  reason            text        NOT NULL,
  detected_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT gaps_pkey PRIMARY KEY (id)
);

CREATE INDEX gaps_time_idx ON ${flyway:defaultSchema}.gaps (start_at, end_at);

COMMENT ON TABLE ${flyway:defaultSchema}.gaps IS 'Bemi ingester: stretches of source history missing from the trail (slot lost in a failover)';

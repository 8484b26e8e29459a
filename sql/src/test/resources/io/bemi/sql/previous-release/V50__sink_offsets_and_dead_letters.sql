-- Sinks beyond the database (docs/sinks.md).

-- consume (Kafka -> trail): the next offset to read per consumer group and partition, written in
-- the same destination transaction as the changes read before it, so a consumer that dies
-- resumes exactly after what is stored (and UNIQUE (commit_lsn, change_index) makes replays harmless).
CREATE TABLE ${flyway:defaultSchema}.consumer_offsets (
  group_id    text        NOT NULL,
  topic       text        NOT NULL,
  partition   integer     NOT NULL,
  next_offset bigint      NOT NULL,   -- the offset of the first record not yet stored
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT consumer_offsets_pkey PRIMARY KEY (group_id, topic, partition)
);

COMMENT ON TABLE ${flyway:defaultSchema}.consumer_offsets IS 'Bemi consume: Kafka offsets stored with the changes';

-- The webhook sink: a request the receiver refused for good (a 4xx other than 408/429) is kept
-- here, exactly as it was sent, instead of being dropped; the slot then moves on.
CREATE TABLE ${flyway:defaultSchema}.webhook_dead_letters (
  id              bigint      GENERATED ALWAYS AS IDENTITY,
  endpoint        text        NOT NULL,   -- the webhook URL (without user info)
  idempotency_key text        NOT NULL,   -- the Idempotency-Key header of the request
  commit_lsn      bigint      NOT NULL,   -- commit LSN of the last source transaction in the body
  status          integer     NOT NULL,   -- the HTTP status the receiver answered
  response        text,                   -- the start of the response body
  body            text        NOT NULL,   -- the request body as sent (and signed)
  created_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT webhook_dead_letters_pkey PRIMARY KEY (id)
);

CREATE INDEX webhook_dead_letters_created_at_idx ON ${flyway:defaultSchema}.webhook_dead_letters (created_at);

COMMENT ON TABLE ${flyway:defaultSchema}.webhook_dead_letters IS 'Bemi webhook sink: requests refused with a non-retryable 4xx';

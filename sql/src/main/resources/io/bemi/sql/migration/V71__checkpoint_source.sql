-- Issue #16: the name the ingester stores its changes under (changes.source), beside its checkpoint,
-- so `status` and operators see which sources feed one destination. NULL: stored before V71.
ALTER TABLE ${flyway:defaultSchema}.ingester_checkpoints ADD COLUMN IF NOT EXISTS source text;

-- The quarantine keeps what bemi.changes keeps: which source a refused change came from (several
-- sources may share one destination, and two servers can have a database of the same name and the
-- same LSNs) and the key an UPDATE moved the row away from (V80), so a quarantined change can be
-- told apart and stored by hand later without losing the record's identity.
ALTER TABLE ${flyway:defaultSchema}.quarantine
  ADD COLUMN source               text NOT NULL DEFAULT '',
  ADD COLUMN previous_primary_key text;

COMMENT ON COLUMN ${flyway:defaultSchema}.quarantine.source IS
  'The source the change came from, as in changes.source ('''' : quarantined before sources were named)';
COMMENT ON COLUMN ${flyway:defaultSchema}.quarantine.previous_primary_key IS
  'As in changes.previous_primary_key: the key an UPDATE moved the row away from';

ALTER TABLE ${flyway:defaultSchema}.quarantine
  DROP CONSTRAINT quarantine_change_key,
  ADD CONSTRAINT quarantine_change_key UNIQUE (source, source_database, commit_lsn, change_index);

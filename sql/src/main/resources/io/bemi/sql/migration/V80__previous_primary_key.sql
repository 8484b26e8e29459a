-- A record keeps one identity when its primary key is updated (issue #18). An UPDATE that changes
-- the key is stored under the new key, as before, and also names the key it left:
-- previous_primary_key holds the old key in the same text form as primary_key (single key: its
-- text; composite: JSON array text). NULL for every other change, so existing trails need no
-- backfill (an older trail's key changes stay unlinked).
ALTER TABLE ${flyway:defaultSchema}.changes ADD COLUMN previous_primary_key text;

COMMENT ON COLUMN ${flyway:defaultSchema}.changes.previous_primary_key IS
  'The key an UPDATE moved the row away from (same text form as primary_key); NULL unless the key changed';

-- Walking a record across its key changes, and knowing when a key was left: small, one row per
-- key change.
CREATE INDEX changes_previous_key_idx ON ${flyway:defaultSchema}.changes (schema, "table", previous_primary_key, commit_lsn, change_index)
  WHERE previous_primary_key IS NOT NULL;

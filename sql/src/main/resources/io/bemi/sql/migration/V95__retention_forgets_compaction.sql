-- Retention (expire_oldest_partition) and compaction (V94, R__5) meet in two places:
-- * the month it drops may have been compacted: its row in compacted_partitions named a table that
--   no longer exists;
-- * it deletes the history partition's older states of the kept records and appends their states
--   at the cutoff, so a compacted history partition is no longer in record order, and its counts in
--   compacted_tables no longer hold. It kept its oid, so partitions_to_compact never listed it again.
-- Both rows now go in the same transaction: the history partition counts as not compacted (its
-- reads take the probes, which need no order) until `bemi-ingester compact` rewrites it again.
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.expire_oldest_partition(p_cutoff timestamptz)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC' AS $function$
DECLARE
  v_month record;
BEGIN
  SELECT * INTO v_month FROM ${flyway:defaultSchema}.changes_partitions()
   WHERE from_at IS NOT NULL AND until_at <= p_cutoff ORDER BY from_at LIMIT 1;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  EXECUTE format('LOCK TABLE ${flyway:defaultSchema}.%I IN SHARE MODE', v_month.partition_name);
  EXECUTE format($sql$
    CREATE TEMPORARY TABLE bemi_kept_states ON COMMIT DROP AS
    SELECT DISTINCT ON (source, schema, "table", primary_key) *
      FROM ${flyway:defaultSchema}.%I
     WHERE primary_key IS NOT NULL OR operation = 'TRUNCATE'
     ORDER BY source, schema, "table", primary_key, commit_lsn DESC, change_index DESC$sql$, v_month.partition_name);
  EXECUTE format('ALTER TABLE ${flyway:defaultSchema}.changes DETACH PARTITION ${flyway:defaultSchema}.%I',
                 v_month.partition_name);
  ALTER TABLE ${flyway:defaultSchema}.changes DETACH PARTITION ${flyway:defaultSchema}.changes_history;
  DELETE FROM ${flyway:defaultSchema}.changes_history h USING bemi_kept_states k
   WHERE k.primary_key IS NOT NULL AND h.schema = k.schema AND h."table" = k."table"
     AND h.primary_key = k.primary_key AND h.source = k.source;
  DELETE FROM ${flyway:defaultSchema}.changes_history h USING bemi_kept_states k
   WHERE k.operation = 'TRUNCATE' AND h.operation = 'TRUNCATE' AND h.schema = k.schema AND h."table" = k."table"
     AND h.source = k.source;
  INSERT INTO ${flyway:defaultSchema}.changes_history SELECT * FROM bemi_kept_states;
  DROP TABLE bemi_kept_states;
  EXECUTE format('DROP TABLE ${flyway:defaultSchema}.%I', v_month.partition_name);
  DELETE FROM ${flyway:defaultSchema}.compacted_partitions
   WHERE partition_name IN (v_month.partition_name, 'changes_history');   -- compacted_tables follow (ON DELETE CASCADE)
  EXECUTE format('ALTER TABLE ${flyway:defaultSchema}.changes ATTACH PARTITION ${flyway:defaultSchema}.changes_history'
                 ' FOR VALUES FROM (MINVALUE) TO (%L)', v_month.until_at);
  RETURN v_month.partition_name;
END
$function$;

COMMENT ON FUNCTION ${flyway:defaultSchema}.expire_oldest_partition(timestamptz) IS
  'Retention: drops the oldest month ending by p_cutoff, keeping each record''s last state in changes_history; returns its name or NULL';

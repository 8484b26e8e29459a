-- lz4 instead of pglz for the values that grow with the source's rows (before, after, context), on
-- servers built with lz4 (PostgreSQL 14+ --with-lz4, as Debian's, Ubuntu's and the PGDG packages
-- are). Measured on PostgreSQL 15 (docs/benchmarks.md, "Wide rows: lz4"): a COPY of 20,000 rows
-- of two 5 KB jsonb values took half the time for values pglz cannot shrink (3.0 -> 1.5 s) and a
-- third less for compressible documents (2.4 -> 1.6 s, 21 % more disk), and reads were no slower.
-- Values already stored keep their compression; new ones use lz4. New partitions inherit the
-- setting from changes; existing ones are set here, as ALTER TABLE does not pass it down to them.
-- On a server without lz4 nothing changes.
DO $$
DECLARE
  v_partition regclass;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
    RAISE NOTICE 'bemi: this server is built without lz4; the trail''s wide values stay compressed with pglz';
    RETURN;
  END IF;
  FOR v_partition IN SELECT relid FROM pg_catalog.pg_partition_tree('${flyway:defaultSchema}.changes') LOOP
    EXECUTE pg_catalog.format('ALTER TABLE %s ALTER COLUMN before SET COMPRESSION lz4,'
                              ' ALTER COLUMN after SET COMPRESSION lz4, ALTER COLUMN context SET COMPRESSION lz4',
                              v_partition);
  END LOOP;
END
$$;

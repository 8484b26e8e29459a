-- TEST ONLY: a trigger that writes bemi.changes rows exactly as the ingester's contract says
-- (before/after = to_jsonb of the row, primary_key = key text or compact JSON array text), so the
-- time-travel and revert functions can be tested on real writes of real types without the ingester.
--
-- Commit order is simulated by (commit_lsn = xid, change_index = order within the transaction);
-- committed_at = the transaction's start time, which is commit order for sequential test writes.
-- Context: SET LOCAL bemi.test_context = '{"userId": 1}'. REPLICA IDENTITY DEFAULT (before images
-- holding only the key, or nothing for an UPDATE that keeps the key) is simulated with SET bemi.test_identity = 'default'.

CREATE SEQUENCE IF NOT EXISTS public.bemi_test_position;

CREATE OR REPLACE FUNCTION bemi_test_capture() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $capture$
DECLARE
  v_key text[];
  v_old jsonb := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) END;
  v_new jsonb := CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) END;
  v_image jsonb;
  v_before jsonb;
  v_primary_key text;
  v_previous_key text;
BEGIN
  SELECT array_agg(a.attname::text ORDER BY k.ord) INTO v_key
    FROM pg_index i
   CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
   WHERE i.indrelid = TG_RELID AND i.indisprimary;
  v_image := coalesce(v_new, v_old);
  v_primary_key := CASE
    WHEN TG_OP = 'TRUNCATE' OR v_key IS NULL THEN NULL
    WHEN cardinality(v_key) = 1 THEN v_image ->> v_key[1]
    ELSE '[' || (SELECT string_agg((v_image -> k)::text, ',' ORDER BY o) FROM unnest(v_key) WITH ORDINALITY AS u(k, o)) || ']'
  END;
  -- an UPDATE of the key: the key it left (the ingester's previous_primary_key)
  IF TG_OP = 'UPDATE' AND v_key IS NOT NULL THEN
    v_previous_key := CASE
      WHEN cardinality(v_key) = 1 THEN v_old ->> v_key[1]
      ELSE '[' || (SELECT string_agg((v_old -> k)::text, ',' ORDER BY o) FROM unnest(v_key) WITH ORDINALITY AS u(k, o)) || ']'
    END;
    v_previous_key := nullif(v_previous_key, v_primary_key);
  END IF;
  v_before := CASE
    WHEN v_old IS NULL THEN '{}'::jsonb
    WHEN current_setting('bemi.test_identity', true) = 'default' AND TG_OP = 'UPDATE' AND v_previous_key IS NULL THEN '{}'::jsonb
    WHEN current_setting('bemi.test_identity', true) = 'default' AND v_key IS NOT NULL
      THEN (SELECT jsonb_object_agg(k, v_old -> k) FROM unnest(v_key) AS k)
    ELSE v_old
  END;
  INSERT INTO bemi.changes (primary_key, previous_primary_key, before, after, context, database, schema, "table", operation, committed_at,
                            queued_at, transaction_id, position, commit_lsn, change_index)
  VALUES (v_primary_key, v_previous_key, v_before, coalesce(v_new, '{}'::jsonb),
          coalesce(nullif(current_setting('bemi.test_context', true), '')::jsonb, '{}'::jsonb),
          current_database(), TG_TABLE_SCHEMA, TG_TABLE_NAME,
          CASE TG_OP WHEN 'INSERT' THEN 'CREATE' ELSE TG_OP END,
          now(), now(), txid_current(), nextval('public.bemi_test_position'), txid_current(),
          (SELECT count(*) FROM bemi.changes c WHERE c.commit_lsn = txid_current()));
  RETURN NULL;
END
$capture$;

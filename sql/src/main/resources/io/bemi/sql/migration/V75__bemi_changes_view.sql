-- Bemi's documented queries read `changes` unqualified (`SELECT … FROM changes WHERE …`): Bemi
-- keeps its table in the database's default schema. Ours lives in the destination schema, so this
-- migration makes `changes` reachable where those queries look for it: a view public.changes over
-- the trail with Bemi's columns only and without SNAPSHOT rows (baseline copies, not changes: a
-- Bemi query without an operation filter must not see them). A view rather than a search_path
-- setting: it needs nothing from the user, holds for every role and connection pool, and hides
-- SNAPSHOT rows, which a search_path cannot. Made once, only when public exists, has no relation
-- named `changes` (the application's own table wins) and this role may create in it; otherwise a
-- NOTICE says what to run (docs/time-travel.md, Bemi compatibility). Readers need
-- GRANT SELECT ON public.changes; DROP VIEW public.changes removes it for good.

-- Which source database (server) a change came from, when several ingest into one destination.
-- The same statement as the storage migration's, so whichever runs first adds it.
ALTER TABLE ${flyway:defaultSchema}.changes ADD COLUMN IF NOT EXISTS source text NOT NULL DEFAULT '';

DO $do$
DECLARE
  v_view constant text := 'CREATE VIEW public.changes AS'
    || ' SELECT id, primary_key, before, after, context, database, schema, "table", operation,'
    || ' committed_at, queued_at, created_at, transaction_id, position'
    || ' FROM ${flyway:defaultSchema}.changes WHERE operation <> ''SNAPSHOT''';
BEGIN
  IF to_regnamespace('public') IS NULL OR to_regclass('public.changes') IS NOT NULL
     OR NOT has_schema_privilege('public', 'CREATE') THEN
    RAISE NOTICE 'bemi: Bemi''s queries read "changes" unqualified; public.changes could not be made here (taken, missing or not writable). Make it where your queries look: %', v_view;
  ELSE
    EXECUTE v_view;
    COMMENT ON VIEW public.changes IS 'Bemi''s changes table as its documented queries read it: the trail without SNAPSHOT rows';
  END IF;
END
$do$;

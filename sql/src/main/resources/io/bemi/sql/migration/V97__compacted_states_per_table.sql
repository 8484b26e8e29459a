-- A change stored into, changed in or removed from a compacted month makes only its own table's
-- state stale (V96 forgot every table's). A late change is a few rows of one table; the next
-- refresh (R__5) then takes that table's state again and keeps the others. A TRUNCATE of a
-- compacted partition still forgets them all.
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.compacted_states_stale()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN
    DELETE FROM ${flyway:defaultSchema}.compacted_state_tables;
    RETURN NULL;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    DELETE FROM ${flyway:defaultSchema}.compacted_state_tables h
     WHERE h."table" = NEW."table" AND h.schema = NEW.schema AND h.source = NEW.source;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM ${flyway:defaultSchema}.compacted_state_tables h
     WHERE h."table" = OLD."table" AND h.schema = OLD.schema AND h.source = OLD.source;
  END IF;
  RETURN NULL;
END
$$;

-- record_history gained paging and source parameters (R__1_time_travel.sql, all defaulted, so
-- record_history(table, key) still returns every change); the two-argument function it replaces
-- would make such calls ambiguous.
DROP FUNCTION IF EXISTS ${flyway:defaultSchema}.record_history(text, text);

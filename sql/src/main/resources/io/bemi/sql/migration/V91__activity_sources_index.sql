-- Which sources a table's changes come from, without reading the trail or the whole rollup:
-- resolve_source() (R__1) walks this index with one probe per distinct (table, source), so
-- time travel stays a few index probes however many minutes the activity rollup (V76) holds.
CREATE INDEX activity_table_source_idx ON ${flyway:defaultSchema}.activity (schema, "table", source);

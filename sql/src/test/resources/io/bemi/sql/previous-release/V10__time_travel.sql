-- Support for the time-travel and revert functions (the functions themselves are repeatable
-- migrations, R__*.sql, so they are replaced whenever they change).

-- A record as of a time must know when its table was last truncated: a TRUNCATE change has no
-- primary key, so it cannot be found through the record index. Small: one row per TRUNCATE.
CREATE INDEX changes_truncate_idx ON ${flyway:defaultSchema}.changes (schema, "table", commit_lsn, change_index)
  WHERE operation = 'TRUNCATE';

-- The typed history views created by create_history_view(), so refresh_history_views() can
-- re-create them after their tables gained (or lost) columns.
CREATE TABLE ${flyway:defaultSchema}.history_views (
  view_name   text        NOT NULL,                    -- in the destination schema
  schema      text        NOT NULL,                    -- the source table's schema
  "table"     text        NOT NULL,                    -- the source table's name
  columns     jsonb,                                   -- [[name, type], ...] given by the caller; NULL: read from the catalog
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT history_views_pkey PRIMARY KEY (view_name)
);

COMMENT ON TABLE ${flyway:defaultSchema}.history_views IS 'Typed history views made by create_history_view(); refresh_history_views() re-creates them';

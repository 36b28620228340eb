-- Creates the table that records applied migrations.
-- Returns: nothing.
-- Params: none.
CREATE TABLE IF NOT EXISTS {{schema}}.{{prefix}}migrations (
  version    integer     PRIMARY KEY,
  name       text        NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT statement_timestamp()
)

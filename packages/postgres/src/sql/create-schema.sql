-- Creates Settle's schema.
-- Returns: nothing.
-- Params: none.
CREATE SCHEMA IF NOT EXISTS {{schema}}

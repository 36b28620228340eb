-- Creates the table that records applied migrations.
-- Returns: nothing.
-- Params: none.
CREATE TABLE IF NOT EXISTS {{prefix}}migrations (
  version    INT          NOT NULL PRIMARY KEY,
  name       VARCHAR(255) NOT NULL,
  applied_at DATETIME(3)  NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4

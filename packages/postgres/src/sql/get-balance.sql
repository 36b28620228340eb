-- A user's built-in account balance.
-- Returns: the account row (balance), or no row when the user was never credited.
-- Params: $1 user id.
SELECT balance FROM {{schema}}.{{prefix}}accounts WHERE user_id = $1

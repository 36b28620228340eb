-- A user's built-in account balance.
-- Returns: the account row (balance), or no row when the user was never credited.
-- Params: ? user id.
SELECT balance FROM {{prefix}}accounts WHERE user_id = ?

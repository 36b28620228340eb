-- Credits the built-in accounts with the sum of each user's entries, users upserted in ascending
-- id order, so concurrent batches lock shared accounts in one order and cannot deadlock each
-- other. VALUES() works on MySQL 8 (deprecated there, still supported) and MariaDB alike.
-- Returns: nothing.
-- Params: ? updated_at, ? entry ids (a non-empty list).
INSERT INTO {{prefix}}accounts (user_id, balance, updated_at)
SELECT e.user_id, sum(e.amount), ?
FROM {{prefix}}payout_entries e
WHERE e.id IN (?)
GROUP BY e.user_id
ORDER BY e.user_id
ON DUPLICATE KEY UPDATE balance = balance + VALUES(balance), updated_at = VALUES(updated_at)

-- Settle schema version 2 for MySQL 8.0+ and MariaDB 10.6+: the in-app inbox, where the Notifier's
-- in-app channel leaves messages that the host lists and marks read. Types as in version 1: ids
-- utf8mb4_bin, instants DATETIME(3) holding UTC; a message is unread while read_at is NULL.

CREATE TABLE IF NOT EXISTS {{prefix}}inbox (
  -- Assigned ascending: listInbox() pages newest first by id.
  id              BIGINT      NOT NULL AUTO_INCREMENT,
  notification_id VARCHAR(255) NOT NULL,
  user_id         VARCHAR(255) NOT NULL,
  kind            VARCHAR(255) NOT NULL,
  challenge_id    VARCHAR(255),
  title           TEXT        NOT NULL,
  body            TEXT        NOT NULL,
  created_at      DATETIME(3) NOT NULL,
  read_at         DATETIME(3),
  -- user_id of unread messages only, NULL once read: indexed, it stands in for a partial index, so
  -- listInbox({ unreadOnly }) and markInboxRead() walk just a user's unread messages however many
  -- read ones pile up.
  unread_user_id  VARCHAR(255) AS (CASE WHEN read_at IS NULL THEN user_id END) VIRTUAL,
  PRIMARY KEY (id),
  -- Unique: a notification delivered again never shows twice.
  UNIQUE KEY {{prefix}}inbox_notification_key (notification_id),
  -- listInbox(): a user's messages by id.
  KEY {{prefix}}inbox_user_idx (user_id, id),
  KEY {{prefix}}inbox_unread_idx (unread_user_id, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

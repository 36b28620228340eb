-- Settle schema version 4: the in-app inbox, where the Notifier's in-app channel leaves messages
-- that the host lists and marks read.

CREATE TABLE {{schema}}.{{prefix}}inbox (
  -- Assigned ascending: listInbox() pages newest first by id.
  id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- Unique: a notification delivered again never shows twice.
  notification_id text COLLATE "C" NOT NULL UNIQUE,
  user_id         text COLLATE "C" NOT NULL,
  kind            text COLLATE "C" NOT NULL,
  challenge_id    text COLLATE "C",
  title           text        NOT NULL,
  body            text        NOT NULL,
  created_at      timestamptz NOT NULL,
  read_at         timestamptz
);

-- listInbox() and markInboxRead(): a user's messages by id.
CREATE INDEX {{prefix}}inbox_user_idx ON {{schema}}.{{prefix}}inbox (user_id, id);
-- listInbox({ unreadOnly }) and markInboxRead(…, 'all'): only a user's unread messages, however
-- many read ones pile up.
CREATE INDEX {{prefix}}inbox_unread_idx ON {{schema}}.{{prefix}}inbox (user_id, id) WHERE read_at IS NULL;

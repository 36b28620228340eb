-- Settle schema version 1 for MySQL 8.0+ and MariaDB 10.6+: challenges and participants, payout
-- jobs, entries, ledger and accounts, the notification outbox, and the events table that
-- subscribe() polls. {{prefix}} is replaced by the validated table prefix; tables live in the
-- connection's current database.
-- Every statement is idempotent (IF NOT EXISTS, indexes declared inline): MySQL commits DDL one
-- statement at a time, so a migration interrupted half-way is finished by the next migrate().
-- Ids compare with utf8mb4_bin (code-point order, as every Settle store sorts them); money is
-- BIGINT minor units; instants are DATETIME(3) holding UTC, written and read as UTC text by the
-- store, so neither the server's nor the session's time zone ever applies. JSON is kept verbatim
-- as LONGTEXT (MySQL's JSON type would reorder keys and MariaDB's is LONGTEXT anyway).

CREATE TABLE IF NOT EXISTS {{prefix}}challenges (
  id          VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  title       TEXT        NOT NULL,
  deadline    DATETIME(3) NOT NULL,
  status      VARCHAR(16) CHARACTER SET ascii NOT NULL,
  metadata    LONGTEXT    NOT NULL,
  created_at  DATETIME(3) NOT NULL,
  updated_at  DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  -- nextDeadline() and findDueChallenges(): active challenges, earliest deadline first.
  KEY {{prefix}}challenges_status_deadline_idx (status, deadline, id),
  CONSTRAINT {{prefix}}challenges_status_check
    CHECK (status IN ('pending', 'active', 'pending_admin', 'completed', 'cancelled'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS {{prefix}}participants (
  challenge_id VARCHAR(255) NOT NULL,
  user_id      VARCHAR(255) NOT NULL,
  side         TEXT        NOT NULL,
  stake        BIGINT      NOT NULL,
  joined_at    DATETIME(3) NOT NULL,
  PRIMARY KEY (challenge_id, user_id),
  CONSTRAINT {{prefix}}participants_challenge_fk
    FOREIGN KEY (challenge_id) REFERENCES {{prefix}}challenges (id),
  CONSTRAINT {{prefix}}participants_stake_check CHECK (stake > 0)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS {{prefix}}payout_jobs (
  id                VARCHAR(255) NOT NULL,
  -- Creation order: FIFO within a priority even when two jobs share a created_at.
  seq               BIGINT      NOT NULL AUTO_INCREMENT,
  challenge_id      VARCHAR(255),
  status            VARCHAR(32) CHARACTER SET ascii NOT NULL,
  priority          INT         NOT NULL,
  total_entries     INT         NOT NULL,
  completed_entries INT         NOT NULL DEFAULT 0,
  failed_entries    INT         NOT NULL DEFAULT 0,
  cancelled_entries INT         NOT NULL DEFAULT 0,
  total_amount      BIGINT      NOT NULL,
  paid_amount       BIGINT      NOT NULL DEFAULT 0,
  error             TEXT,
  metadata          LONGTEXT    NOT NULL,
  created_at        DATETIME(3) NOT NULL,
  started_at        DATETIME(3),
  completed_at      DATETIME(3),
  updated_at        DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY {{prefix}}payout_jobs_seq_key (seq),
  -- The claim's job order: highest priority, then oldest, among jobs that can run.
  KEY {{prefix}}payout_jobs_claim_idx (status, priority, created_at, seq),
  -- listPayoutJobs(): newest first, overall or per challenge.
  KEY {{prefix}}payout_jobs_created_idx (created_at, seq),
  KEY {{prefix}}payout_jobs_challenge_idx (challenge_id, created_at, seq),
  -- prunePayoutJobs(): finished jobs by completion time.
  KEY {{prefix}}payout_jobs_finished_idx (completed_at, seq),
  CONSTRAINT {{prefix}}payout_jobs_status_check CHECK (status IN
    ('queued', 'running', 'paused', 'completed', 'completed_with_failures', 'failed', 'cancelled'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS {{prefix}}payout_entries (
  -- Assigned ascending in the order a job lists its entries; also the ledger's unique key.
  id           BIGINT      NOT NULL AUTO_INCREMENT,
  job_id       VARCHAR(255) NOT NULL,
  user_id      VARCHAR(255) NOT NULL,
  amount       BIGINT      NOT NULL,
  status       VARCHAR(16) CHARACTER SET ascii NOT NULL,
  attempts     INT         NOT NULL DEFAULT 0,
  available_at DATETIME(3) NOT NULL,
  locked_until DATETIME(3),
  error        TEXT,
  completed_at DATETIME(3),
  -- job_id of pending and processing entries only, NULL otherwise: indexed, it stands in for a
  -- partial index, so a lease walks just a job's open entries in id order and stops at its LIMIT
  -- (a filesort over two statuses would lock every matching entry before the LIMIT applies).
  open_job_id  VARCHAR(255) AS (CASE WHEN status IN ('pending', 'processing') THEN job_id END) VIRTUAL,
  PRIMARY KEY (id),
  UNIQUE KEY {{prefix}}payout_entries_job_user_key (job_id, user_id),
  KEY {{prefix}}payout_entries_open_idx (open_job_id, id),
  -- Claims, leases, retries and listings: a job's entries of one status in id order. MySQL has no
  -- partial indexes, so paid entries stay in this index until their job is pruned.
  KEY {{prefix}}payout_entries_job_status_idx (job_id, status, id),
  KEY {{prefix}}payout_entries_status_idx (status, available_at),
  CONSTRAINT {{prefix}}payout_entries_job_fk
    FOREIGN KEY (job_id) REFERENCES {{prefix}}payout_jobs (id) ON DELETE CASCADE,
  CONSTRAINT {{prefix}}payout_entries_amount_check CHECK (amount > 0),
  CONSTRAINT {{prefix}}payout_entries_status_check
    CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'cancelled'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS {{prefix}}ledger (
  -- Unique: the database itself refuses a second credit for the same payout entry.
  entry_id   BIGINT      NOT NULL,
  job_id     VARCHAR(255) NOT NULL,
  user_id    VARCHAR(255) NOT NULL,
  amount     BIGINT      NOT NULL,
  created_at DATETIME(3) NOT NULL,
  PRIMARY KEY (entry_id),
  KEY {{prefix}}ledger_job_idx (job_id, entry_id),
  KEY {{prefix}}ledger_user_idx (user_id, entry_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS {{prefix}}accounts (
  user_id    VARCHAR(255) NOT NULL,
  balance    BIGINT      NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (user_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE IF NOT EXISTS {{prefix}}notifications (
  id           BIGINT      NOT NULL AUTO_INCREMENT,
  `key`        VARCHAR(512) NOT NULL,
  challenge_id VARCHAR(255),
  recipient    VARCHAR(255) NOT NULL,
  kind         VARCHAR(255) NOT NULL,
  payload      LONGTEXT    NOT NULL,
  due_at       DATETIME(3) NOT NULL,
  status       VARCHAR(16) CHARACTER SET ascii NOT NULL,
  attempts     INT         NOT NULL DEFAULT 0,
  available_at DATETIME(3) NOT NULL,
  locked_until DATETIME(3),
  error        TEXT,
  skip_reason  TEXT,
  finished_at  DATETIME(3),
  created_at   DATETIME(3) NOT NULL,
  -- due_at of unfinished rows only, NULL otherwise: indexed, it stands in for a partial index, so
  -- claimDueNotifications() walks just the open rows in due order and stops at its LIMIT (a
  -- filesort would lock every matching row before the LIMIT applies).
  open_due_at  DATETIME(3) AS (CASE WHEN status IN ('pending', 'processing') THEN due_at END) VIRTUAL,
  PRIMARY KEY (id),
  UNIQUE KEY {{prefix}}notifications_key_key (`key`),
  KEY {{prefix}}notifications_open_due_idx (open_due_at, id),
  -- lastNotificationSent() and listNotifications() by challenge or by recipient.
  KEY {{prefix}}notifications_challenge_idx (challenge_id, recipient, id),
  KEY {{prefix}}notifications_recipient_idx (recipient, id),
  CONSTRAINT {{prefix}}notifications_status_check
    CHECK (status IN ('pending', 'processing', 'sent', 'skipped', 'failed'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The outbox subscribe() polls (MySQL has no LISTEN/NOTIFY): one row per published event, written
-- in the publishing transaction, so it becomes visible on commit only. Rows older than the store's
-- eventRetention are pruned.
CREATE TABLE IF NOT EXISTS {{prefix}}events (
  id         BIGINT      NOT NULL AUTO_INCREMENT,
  name       VARCHAR(255) NOT NULL,
  payload    LONGTEXT    NOT NULL,
  created_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  KEY {{prefix}}events_created_idx (created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

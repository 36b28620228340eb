-- Settle schema version 1: challenges and participants, payout jobs, entries, ledger and accounts,
-- the notification outbox, and the overflow table for events too large for NOTIFY.
-- {{schema}} and {{prefix}} are replaced by the validated schema and table prefix.
-- Ids compare with COLLATE "C" (code-unit order, as every Settle store sorts them); money is BIGINT
-- minor units; instants are timestamptz.

CREATE TABLE {{schema}}.{{prefix}}challenges (
  id          text COLLATE "C" PRIMARY KEY,
  title       text        NOT NULL,
  deadline    timestamptz NOT NULL,
  status      text        NOT NULL CHECK (status IN ('pending', 'active', 'pending_admin', 'completed', 'cancelled')),
  metadata    jsonb       NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL
);

-- nextDeadline() and findDueChallenges() read only active challenges, earliest deadline first.
CREATE INDEX {{prefix}}challenges_active_deadline_idx
  ON {{schema}}.{{prefix}}challenges (deadline, id) WHERE status = 'active';

CREATE TABLE {{schema}}.{{prefix}}participants (
  challenge_id text COLLATE "C" NOT NULL REFERENCES {{schema}}.{{prefix}}challenges (id),
  user_id      text COLLATE "C" NOT NULL,
  side         text        NOT NULL,
  stake        bigint      NOT NULL CHECK (stake > 0),
  joined_at    timestamptz NOT NULL,
  PRIMARY KEY (challenge_id, user_id)
);

CREATE TABLE {{schema}}.{{prefix}}payout_jobs (
  id                text COLLATE "C" PRIMARY KEY,
  -- Creation order: FIFO within a priority even when two jobs share a created_at.
  seq               bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
  challenge_id      text COLLATE "C",
  status            text        NOT NULL CHECK (status IN
                      ('queued', 'running', 'paused', 'completed', 'completed_with_failures', 'failed', 'cancelled')),
  priority          integer     NOT NULL,
  total_entries     integer     NOT NULL,
  completed_entries integer     NOT NULL DEFAULT 0,
  failed_entries    integer     NOT NULL DEFAULT 0,
  cancelled_entries integer     NOT NULL DEFAULT 0,
  total_amount      bigint      NOT NULL,
  paid_amount       bigint      NOT NULL DEFAULT 0,
  error             text,
  metadata          jsonb       NOT NULL,
  created_at        timestamptz NOT NULL,
  started_at        timestamptz,
  completed_at      timestamptz,
  updated_at        timestamptz NOT NULL
);

-- The claim's job order: highest priority, then oldest, among jobs that can run.
CREATE INDEX {{prefix}}payout_jobs_claim_idx
  ON {{schema}}.{{prefix}}payout_jobs (priority DESC, created_at, seq) WHERE status IN ('queued', 'running');
-- listPayoutJobs(): newest first, overall or per challenge.
CREATE INDEX {{prefix}}payout_jobs_created_idx ON {{schema}}.{{prefix}}payout_jobs (created_at DESC, seq DESC);
CREATE INDEX {{prefix}}payout_jobs_challenge_idx
  ON {{schema}}.{{prefix}}payout_jobs (challenge_id, created_at DESC, seq DESC);
-- prunePayoutJobs(): finished jobs by completion time.
CREATE INDEX {{prefix}}payout_jobs_finished_idx ON {{schema}}.{{prefix}}payout_jobs (completed_at, seq)
  WHERE status IN ('completed', 'completed_with_failures', 'failed', 'cancelled');

CREATE TABLE {{schema}}.{{prefix}}payout_entries (
  -- Assigned ascending in the order a job lists its entries; also the ledger's unique key.
  id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id       text COLLATE "C" NOT NULL REFERENCES {{schema}}.{{prefix}}payout_jobs (id) ON DELETE CASCADE,
  user_id      text COLLATE "C" NOT NULL,
  amount       bigint      NOT NULL CHECK (amount > 0),
  status       text        NOT NULL CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'cancelled')),
  attempts     integer     NOT NULL DEFAULT 0,
  available_at timestamptz NOT NULL,
  locked_until timestamptz,
  error        text,
  completed_at timestamptz,
  UNIQUE (job_id, user_id)
);

-- listPayoutEntries() and completions: a job's entries in id order.
CREATE INDEX {{prefix}}payout_entries_job_idx ON {{schema}}.{{prefix}}payout_entries (job_id, id);
-- Claims, leases, retries and payoutStats() touch only unfinished entries: this index stays small
-- while a job's paid entries pile up, and serves `job_id = $1 AND status = 'pending' ORDER BY id`.
CREATE INDEX {{prefix}}payout_entries_open_idx ON {{schema}}.{{prefix}}payout_entries (job_id, status, id)
  WHERE status IN ('pending', 'processing', 'failed');

CREATE TABLE {{schema}}.{{prefix}}ledger (
  -- Unique: the database itself refuses a second credit for the same payout entry.
  entry_id   bigint      PRIMARY KEY,
  job_id     text COLLATE "C" NOT NULL,
  user_id    text COLLATE "C" NOT NULL,
  amount     bigint      NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE INDEX {{prefix}}ledger_job_idx ON {{schema}}.{{prefix}}ledger (job_id, entry_id);
CREATE INDEX {{prefix}}ledger_user_idx ON {{schema}}.{{prefix}}ledger (user_id, entry_id);

CREATE TABLE {{schema}}.{{prefix}}accounts (
  user_id    text COLLATE "C" PRIMARY KEY,
  balance    bigint      NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE {{schema}}.{{prefix}}notifications (
  id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key          text COLLATE "C" NOT NULL UNIQUE,
  challenge_id text COLLATE "C",
  recipient    text COLLATE "C" NOT NULL,
  kind         text COLLATE "C" NOT NULL,
  payload      jsonb       NOT NULL,
  due_at       timestamptz NOT NULL,
  status       text        NOT NULL CHECK (status IN ('pending', 'processing', 'sent', 'skipped', 'failed')),
  attempts     integer     NOT NULL DEFAULT 0,
  available_at timestamptz NOT NULL,
  locked_until timestamptz,
  error        text,
  skip_reason  text,
  finished_at  timestamptz,
  created_at   timestamptz NOT NULL
);

-- claimDueNotifications(): the outbox's unfinished rows, earliest due first.
CREATE INDEX {{prefix}}notifications_due_idx ON {{schema}}.{{prefix}}notifications (due_at, id)
  WHERE status IN ('pending', 'processing');
-- lastNotificationSent() and listNotifications() by challenge or by recipient.
CREATE INDEX {{prefix}}notifications_challenge_idx
  ON {{schema}}.{{prefix}}notifications (challenge_id, recipient, id);
CREATE INDEX {{prefix}}notifications_recipient_idx ON {{schema}}.{{prefix}}notifications (recipient, id);
-- retryFailedNotifications(): the dead letters.
CREATE INDEX {{prefix}}notifications_failed_idx ON {{schema}}.{{prefix}}notifications (challenge_id)
  WHERE status = 'failed';

-- Events whose JSON exceeds NOTIFY's 8000-byte payload limit: the notification carries this row's
-- id and subscribers read the payload here. Rows are removed an hour after they were written.
CREATE TABLE {{schema}}.{{prefix}}events (
  id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  payload    text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT statement_timestamp()
);

CREATE INDEX {{prefix}}events_created_idx ON {{schema}}.{{prefix}}events (created_at);

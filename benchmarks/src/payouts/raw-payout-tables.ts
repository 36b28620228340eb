import type { PostgresBenchDatabase } from '../postgres-bench-database';

/** Qualified names of one set of hand-written payout tables. */
export interface RawPayoutTables {
  readonly jobs: string;
  readonly entries: string;
  readonly ledger: string;
  readonly accounts: string;
}

/**
 * Creates the hand-written side's tables, named `<prefix>payout_jobs` and so on: the same columns,
 * constraints, indexes and fill factor as Settle's schema (migrations 0001 to 0005, without the claim floor the
 * hand-written loop does not use), so that both sides pay for the same index maintenance and the
 * comparison measures only how the rows are written. Like Settle's since migration 0003, the entries
 * have no foreign key to their job; `foreignKey: true` adds the one migration 0001 had, a
 * diagnostic of what that check costs.
 */
export async function createRawPayoutTables(
  db: PostgresBenchDatabase,
  prefix: string,
  { foreignKey = false }: { foreignKey?: boolean } = {},
): Promise<RawPayoutTables> {
  const tables: RawPayoutTables = {
    jobs: db.table(`${prefix}payout_jobs`),
    entries: db.table(`${prefix}payout_entries`),
    ledger: db.table(`${prefix}ledger`),
    accounts: db.table(`${prefix}accounts`),
  };
  await db.pool.query(`
    CREATE TABLE ${tables.jobs} (
      id                text COLLATE "C" PRIMARY KEY,
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
    CREATE INDEX ON ${tables.jobs} (priority DESC, created_at, seq) WHERE status IN ('queued', 'running');
    CREATE INDEX ON ${tables.jobs} (created_at DESC, seq DESC);
    CREATE INDEX ON ${tables.jobs} (challenge_id, created_at DESC, seq DESC);
    CREATE INDEX ON ${tables.jobs} (completed_at, seq)
      WHERE status IN ('completed', 'completed_with_failures', 'failed', 'cancelled');

    CREATE TABLE ${tables.entries} (
      id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      job_id       text COLLATE "C" NOT NULL ${foreignKey ? `REFERENCES ${tables.jobs} (id) ON DELETE CASCADE` : ''},
      user_id      text COLLATE "C" NOT NULL,
      amount       bigint      NOT NULL CHECK (amount > 0),
      status       text        NOT NULL CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'cancelled')),
      attempts     integer     NOT NULL DEFAULT 0,
      available_at timestamptz NOT NULL,
      locked_until timestamptz,
      error        text,
      completed_at timestamptz,
      UNIQUE (job_id, user_id)
    ) WITH (fillfactor = 50);
    CREATE INDEX ON ${tables.entries} (job_id, id);

    CREATE TABLE ${tables.ledger} (
      entry_id   bigint      PRIMARY KEY,
      job_id     text COLLATE "C" NOT NULL,
      user_id    text COLLATE "C" NOT NULL,
      amount     bigint      NOT NULL,
      created_at timestamptz NOT NULL
    );
    CREATE INDEX ON ${tables.ledger} (job_id, entry_id);
    CREATE INDEX ON ${tables.ledger} (user_id, entry_id);

    CREATE TABLE ${tables.accounts} (
      user_id    text COLLATE "C" PRIMARY KEY,
      balance    bigint      NOT NULL,
      updated_at timestamptz NOT NULL
    );
  `);
  return tables;
}

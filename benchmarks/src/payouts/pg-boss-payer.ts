import { randomUUID } from 'node:crypto';
import type { PgPoolClientLike, PgPoolLike } from '@settle/postgres';
import PgBoss from 'pg-boss';
import type { PostgresBenchDatabase } from '../postgres-bench-database';
import { StatementProfile } from '../statement-profile';
import { type SyntheticEntry, syntheticEntries } from '../synthetic-entries';

/** The pg-boss queue every payment goes to. */
const QUEUE = 'payouts';
/** Jobs per `insert` call while loading (untimed). */
const INSERT_CHUNK = 5_000;

/** A payment as a pg-boss job carries it. */
interface PaymentData {
  readonly payoutId: string;
  readonly userId: string;
  /** Minor units as a string: JSON has no bigint. */
  readonly amount: string;
}

/**
 * pg-boss 10 doing the same work, in the fairest shape we could find: one pg-boss job per payment
 * (pg-boss's own row then tracks each entry's state, as Settle's entry rows do), fetched 500 at a
 * time, and paid in ONE transaction per batch on one connection: `fetch` (FOR UPDATE SKIP LOCKED,
 * state → active), one credit statement (ledger rows keyed by the pg-boss job id, accounts upserted
 * per user in id order, the payout's counters last), `complete`, COMMIT. pg-boss's `db` option runs
 * fetch and complete on that transaction's connection, so a crash rolls the whole batch back: the
 * same exactly-once guarantee as Settle's ledger mode. Background maintenance and scheduling are
 * off, so nothing but this loop touches the queue.
 */
export class PgBossPayer {
  /**
   * Where the batches' time goes, statement by statement. Recorded during the timed batches
   * themselves: the wrapper costs microseconds against batches of tens of milliseconds.
   */
  readonly profile = new StatementProfile(classifyPgBossStatement);
  /** The benchmark's pool, with every statement of the batches timed. */
  private readonly batchPool: PgPoolLike;
  /** An error pg-boss emitted in the background; the next batch throws it. */
  private backgroundError: Error | null = null;

  private constructor(
    private readonly db: PostgresBenchDatabase,
    private readonly boss: PgBoss,
    private readonly tables: { readonly payouts: string; readonly ledger: string; readonly accounts: string },
    private readonly batchSize: number,
  ) {
    this.batchPool = this.profile.wrap(db.pool);
  }

  /** Installs pg-boss (in the benchmark's schema, over its pool), its queue, and the credit tables. */
  static async create(db: PostgresBenchDatabase, batchSize: number): Promise<PgBossPayer> {
    const boss = new PgBoss({
      db: { executeSql: (text, values) => db.pool.query(text, values) },
      schema: db.schema,
      supervise: false,
      schedule: false,
      migrate: true,
    });
    const tables = {
      payouts: db.table('boss_payouts'),
      ledger: db.table('boss_ledger'),
      accounts: db.table('boss_accounts'),
    };
    const payer = new PgBossPayer(db, boss, tables, batchSize);
    boss.on('error', (error) => {
      payer.backgroundError ??= error;
    });
    await boss.start();
    await boss.createQueue(QUEUE);
    // The same shapes (and indexes) as Settle's payout_jobs counters, ledger and accounts.
    await db.pool.query(`
      CREATE TABLE ${tables.payouts} (
        id                text COLLATE "C" PRIMARY KEY,
        status            text        NOT NULL,
        total_entries     integer     NOT NULL,
        completed_entries integer     NOT NULL DEFAULT 0,
        total_amount      bigint      NOT NULL,
        paid_amount       bigint      NOT NULL DEFAULT 0,
        created_at        timestamptz NOT NULL,
        started_at        timestamptz,
        completed_at      timestamptz,
        updated_at        timestamptz NOT NULL
      );
      CREATE TABLE ${tables.ledger} (
        boss_job_id uuid        PRIMARY KEY,
        payout_id   text COLLATE "C" NOT NULL,
        user_id     text COLLATE "C" NOT NULL,
        amount      bigint      NOT NULL,
        created_at  timestamptz NOT NULL
      );
      CREATE INDEX ON ${tables.ledger} (payout_id, boss_job_id);
      CREATE INDEX ON ${tables.ledger} (user_id, boss_job_id);
      CREATE TABLE ${tables.accounts} (
        user_id    text COLLATE "C" PRIMARY KEY,
        balance    bigint      NOT NULL,
        updated_at timestamptz NOT NULL
      );
    `);
    return payer;
  }

  /** Qualified names of the tables this contender writes, for VACUUM and checks. */
  get writtenTables(): string[] {
    return [this.db.table('job'), this.tables.payouts, this.tables.ledger, this.tables.accounts];
  }

  /** Sends one pg-boss job per entry (in chunks, never all at once) and records the payout. Untimed. */
  async load(count: number, total: bigint): Promise<string> {
    const payoutId = randomUUID();
    await this.db.pool.query(
      `INSERT INTO ${this.tables.payouts} (id, status, total_entries, total_amount, created_at, updated_at)
       VALUES ($1, 'queued', $2, $3, now(), now())`,
      [payoutId, count, total.toString()],
    );
    for (let start = 0; start < count; start += INSERT_CHUNK) {
      const chunk = syntheticEntries(start, Math.min(start + INSERT_CHUNK, count));
      await this.boss.insert(chunk.map((entry) => ({ name: QUEUE, data: paymentData(payoutId, entry) })));
    }
    return payoutId;
  }

  /** Pays batches until the queue is empty; `onBatch` hears each batch's size and duration. */
  async payAll(onBatch: (paid: number, ms: number) => void): Promise<number> {
    let total = 0;
    for (;;) {
      if (this.backgroundError) throw this.backgroundError;
      const started = performance.now();
      const paid = await this.payBatch();
      if (paid === 0) return total;
      total += paid;
      onBatch(paid, performance.now() - started);
    }
  }

  /**
   * For the end-of-round check: the payout's completed count, the sum of its ledger, and how many
   * pg-boss jobs of the queue are not `completed` (0 when every fetched job was completed in its batch).
   */
  async paid(payoutId: string): Promise<{ entries: number; amount: bigint; unfinishedJobs: number }> {
    const { rows } = await this.db.pool.query<{ entries: number; amount: string; unfinished: number }>(
      `SELECT p.completed_entries AS entries,
              (SELECT coalesce(sum(amount), 0) FROM ${this.tables.ledger} l WHERE l.payout_id = p.id) AS amount,
              (SELECT count(*)::int FROM ${this.db.table('job')} j WHERE j.name = $2 AND j.state <> 'completed') AS unfinished
       FROM ${this.tables.payouts} p WHERE p.id = $1`,
      [payoutId, QUEUE],
    );
    return {
      entries: rows[0]?.entries ?? 0,
      amount: BigInt(rows[0]?.amount ?? 0),
      unfinishedJobs: rows[0]?.unfinished ?? -1,
    };
  }

  /** Stops pg-boss; the pool stays open (it is the benchmark's). */
  async stop(): Promise<void> {
    await this.boss.stop({ graceful: false, close: false, wait: true });
  }

  private async payBatch(): Promise<number> {
    const client = await this.batchPool.connect();
    const onConnection: PgBoss.Db = { executeSql: (text, values) => client.query(text, values) };
    try {
      await client.query('BEGIN');
      const jobs = await this.boss.fetch<PaymentData>(QUEUE, { batchSize: this.batchSize, db: onConnection });
      if (jobs.length === 0) {
        await client.query('COMMIT');
        return 0;
      }
      await this.credit(client, jobs);
      await completeOn(
        this.boss,
        jobs.map((job) => job.id),
        onConnection,
      );
      await client.query('COMMIT');
      return jobs.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** The credit: ledger rows, accounts aggregated per user in id order, then the payout's counters. */
  private async credit(client: PgPoolClientLike, jobs: readonly PgBoss.Job<PaymentData>[]): Promise<void> {
    // A batch may span payouts in general; here every job of a batch belongs to one payout.
    const payoutId = jobs[0]!.data.payoutId;
    await client.query(
      `WITH input AS (
         SELECT * FROM unnest($2::uuid[], $3::text[], $4::bigint[]) AS i (boss_job_id, user_id, amount)
       ), ledger AS (
         INSERT INTO ${this.tables.ledger} (boss_job_id, payout_id, user_id, amount, created_at)
         SELECT input.boss_job_id, $1, input.user_id, input.amount, now() FROM input
         RETURNING 1
       ), credited AS (
         INSERT INTO ${this.tables.accounts} AS a (user_id, balance, updated_at)
         SELECT input.user_id, sum(input.amount), now() FROM input GROUP BY input.user_id ORDER BY input.user_id
         ON CONFLICT (user_id) DO UPDATE SET balance = a.balance + excluded.balance, updated_at = excluded.updated_at
         RETURNING 1
       ), batch AS (
         SELECT count(*)::int AS paid, coalesce(sum(input.amount), 0)::bigint AS amount,
                (SELECT count(*) FROM ledger) + (SELECT count(*) FROM credited) AS written
         FROM input
       )
       UPDATE ${this.tables.payouts} p
       SET completed_entries = p.completed_entries + batch.paid,
           paid_amount = p.paid_amount + batch.amount,
           status = CASE WHEN p.completed_entries + batch.paid >= p.total_entries THEN 'completed' ELSE 'running' END,
           started_at = coalesce(p.started_at, now()),
           completed_at = CASE WHEN p.completed_entries + batch.paid >= p.total_entries THEN now() END,
           updated_at = now()
       FROM batch
       WHERE p.id = $1 AND batch.written >= 0`,
      [payoutId, jobs.map((job) => job.id), jobs.map((job) => job.data.userId), jobs.map((job) => job.data.amount)],
    );
  }
}

/**
 * `boss.complete(name, ids, null, { db })`. pg-boss 10.4's types offer `complete(name, ids, options)`,
 * but the implementation reads a third argument as the jobs' output data, so `{ db }` there would
 * silently complete on the pool, outside the batch's transaction (where the jobs are still locked
 * and not yet `active` to anyone else, so nothing would be completed at all).
 */
function completeOn(boss: PgBoss, ids: string[], db: PgBoss.Db): Promise<unknown> {
  const complete = boss.complete as unknown as (
    name: string,
    ids: string[],
    data: null,
    options: PgBoss.ConnectionOptions,
  ) => Promise<unknown>;
  return complete(QUEUE, ids, null, { db });
}

/** Names pg-boss's statements (and ours) on the batch path by a phrase of their SQL. */
function classifyPgBossStatement(sql: string): string {
  const text = sql.trimStart();
  if (text.startsWith('BEGIN')) return 'BEGIN';
  if (text.startsWith('COMMIT')) return 'COMMIT';
  if (text.includes('FOR UPDATE SKIP LOCKED')) return 'pg-boss fetch (lock 500 jobs, state → active)';
  if (text.includes('boss_ledger')) return 'credit: ledger, accounts, payout counters (ours)';
  if (text.includes("state = 'completed'")) return 'pg-boss complete (state → completed)';
  return 'other';
}

function paymentData(payoutId: string, entry: SyntheticEntry): PaymentData {
  return { payoutId, userId: entry.userId, amount: entry.amount.toString() };
}

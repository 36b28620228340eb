import { ConflictError, StoreError } from '@settle/core';
import { describe, expect, it } from 'vitest';
import type { ConformanceContext } from './conformance-context';
import { createDeferred, type Deferred } from './deferred';
import { expectSettleError } from './expect-settle-error';
import { newChallenge, newNotification, newParticipants, newPayoutEntries, newPayoutJob, userIds } from './sample-data';
import { seedChallenge } from './seed';

/**
 * `transaction()`: commit, rollback, isolation, retries of retryable failures, and the host handle.
 *
 * @internal
 */
export function registerTransactionTests(ctx: ConformanceContext): void {
  describe('transactions', () => {
    const bench = ctx.useStore();

    it('transaction() resolves with the value fn returns and commits its writes', async () => {
      const challenge = newChallenge();
      const value = await bench.store.transaction(async (tx) => {
        await tx.createChallenge(challenge, []);
        return 'done';
      });
      expect(value).toBe('done');
      expect((await bench.store.getChallenge(challenge.id))?.status).toBe('active');
    });

    it('transaction() rolls back every write and rethrows when fn throws', async () => {
      const challenge = newChallenge();
      const job = newPayoutJob();
      const notification = newNotification();
      const users = userIds(2);
      const failure = new Error('host hook failed');

      const outcome = bench.store.transaction(async (tx) => {
        await tx.createChallenge(challenge, newParticipants(users));
        await tx.createPayoutJob(job, newPayoutEntries(users));
        await tx.enqueueNotifications([notification]);
        throw failure;
      });

      await expect(outcome).rejects.toBe(failure);
      expect(await bench.store.getChallenge(challenge.id)).toBeNull();
      expect(await bench.store.listParticipants(challenge.id, { limit: 10 })).toEqual([]);
      expect(await bench.store.getPayoutJob(job.id)).toBeNull();
      expect(await bench.store.listPayoutEntries(job.id, { limit: 10 })).toEqual([]);
      expect(await bench.store.listNotifications({ recipient: notification.recipient, limit: 10 })).toEqual([]);
    });

    it('transaction() rolls back and rethrows when a store call failed, even if fn caught the error', async () => {
      const existing = await seedChallenge(bench.store);
      const fresh = newChallenge();
      const outcome = bench.store.transaction(async (tx) => {
        await tx.createChallenge(fresh, []);
        // Swallowing the failure does not make the transaction committable again, as in Postgres.
        await tx.createChallenge(newChallenge({ id: existing.id }), []).catch(() => undefined);
        return 'swallowed';
      });
      await expectSettleError(outcome, ConflictError, 'conflict');
      expect(await bench.store.getChallenge(fresh.id)).toBeNull();
    });

    it('transaction() reads see the transaction’s own uncommitted writes', async () => {
      const challenge = newChallenge();
      const job = newPayoutJob();
      await bench.store.transaction(async (tx) => {
        await tx.createChallenge(challenge, []);
        await tx.createPayoutJob(job, newPayoutEntries(userIds(3)));
        expect((await tx.getChallenge(challenge.id))?.id).toBe(challenge.id);
        expect((await tx.getPayoutJob(job.id))?.totalEntries).toBe(3);
        expect(await tx.listPayoutEntries(job.id, { limit: 10 })).toHaveLength(3);
      });
    });

    it('transaction() keeps uncommitted writes invisible to other readers until commit', async () => {
      const challenge = newChallenge();
      const writer = bench.hold((tx) => tx.createChallenge(challenge, []));
      await writer.ready;

      expect(await bench.store.getChallenge(challenge.id)).toBeNull();
      expect(await bench.store.transaction((tx) => tx.getChallenge(challenge.id))).toBeNull();

      await writer.commit();
      expect((await bench.store.getChallenge(challenge.id))?.id).toBe(challenge.id);
    });

    it('transaction() reruns fn from the start after a retryable StoreError', async () => {
      const challenge = newChallenge();
      let attempts = 0;
      const value = await bench.store.transaction(async (tx) => {
        attempts += 1;
        // The rerun inserts the same id again: it only succeeds if the first attempt was rolled back.
        await tx.createChallenge(challenge, []);
        if (attempts === 1) throw new StoreError('simulated serialization failure', { retryable: true });
        return attempts;
      });
      expect(value).toBe(2);
      expect(attempts).toBe(2);
      expect((await bench.store.getChallenge(challenge.id))?.id).toBe(challenge.id);
    });

    it('transaction() does not rerun fn after an error that is not retryable', async () => {
      let attempts = 0;
      const outcome = bench.store.transaction(async () => {
        attempts += 1;
        throw new StoreError('simulated constraint failure', { retryable: false });
      });
      await expectSettleError(outcome, StoreError, 'store_failure');
      expect(attempts).toBe(1);

      attempts = 0;
      await expectSettleError(
        bench.store.transaction(async () => {
          attempts += 1;
          throw new ConflictError('simulated conflict');
        }),
        ConflictError,
        'conflict',
      );
      expect(attempts).toBe(1);
    });

    it('transaction() gives up after a bounded number of retries', async () => {
      let attempts = 0;
      const error = await expectSettleError(
        bench.store.transaction(async () => {
          attempts += 1;
          throw new StoreError('simulated deadlock', { retryable: true });
        }),
        StoreError,
        'store_failure',
      );
      expect(error.retryable).toBe(true);
      expect(attempts).toBeGreaterThan(1);
      expect(attempts).toBeLessThan(100);
    });

    it.skipIf(!ctx.options.concurrentTransactions)(
      'transaction() retries the victim of a deadlock so both transactions commit',
      async () => {
        const first = await seedChallenge(bench.store);
        const second = await seedChallenge(bench.store);
        const aLocked = createDeferred();
        const bLocked = createDeferred();
        let aAttempts = 0;
        let bAttempts = 0;

        // A locks first then second, B locks second then first; each waits (on its first attempt
        // only) until the other holds its first row, so the cycle is certain.
        const a = bench.store.transaction(async (tx) => {
          aAttempts += 1;
          await tx.updateChallenge(first.id, { title: 'A' }, ['active']);
          aLocked.resolve();
          if (aAttempts === 1) await bLocked.promise;
          await tx.updateChallenge(second.id, { title: 'A' }, ['active']);
        });
        const b = bench.store.transaction(async (tx) => {
          bAttempts += 1;
          await tx.updateChallenge(second.id, { title: 'B' }, ['active']);
          bLocked.resolve();
          if (bAttempts === 1) await aLocked.promise;
          await tx.updateChallenge(first.id, { title: 'B' }, ['active']);
        });

        await Promise.all([a, b]);
        expect(aAttempts + bAttempts).toBeGreaterThan(2);
        const titles = [
          (await bench.store.getChallenge(first.id))?.title,
          (await bench.store.getChallenge(second.id))?.title,
        ];
        // Whichever committed last wrote both rows: the pair looks as if the transactions ran one after the other.
        expect(titles[0]).toBe(titles[1]);
      },
    );

    it.skipIf(!ctx.options.concurrentTransactions)(
      'transaction() retries the victim of a deadlock even when fn wrapped the error in its own',
      async () => {
        const first = await seedChallenge(bench.store);
        const second = await seedChallenge(bench.store);
        const aLocked = createDeferred();
        const bLocked = createDeferred();
        const attempts = { a: 0, b: 0 };
        // What a host hook does: catch the store's error and throw its own, with the original as cause.
        const hostWrite = async (run: () => Promise<unknown>) => {
          try {
            await run();
          } catch (cause) {
            throw new Error('host hook failed', { cause });
          }
        };
        const write = (name: 'a' | 'b', own: string, other: string, mine: Deferred<void>, theirs: Deferred<void>) =>
          bench.store.transaction(async (tx) => {
            attempts[name] += 1;
            await tx.updateChallenge(own, { title: name }, ['active']);
            mine.resolve();
            if (attempts[name] === 1) await theirs.promise;
            await hostWrite(() => tx.updateChallenge(other, { title: name }, ['active']));
          });

        await Promise.all([
          write('a', first.id, second.id, aLocked, bLocked),
          write('b', second.id, first.id, bLocked, aLocked),
        ]);
        expect(attempts.a + attempts.b).toBeGreaterThan(2);
        const titles = [
          (await bench.store.getChallenge(first.id))?.title,
          (await bench.store.getChallenge(second.id))?.title,
        ];
        expect(titles[0]).toBe(titles[1]);
      },
    );

    it('transaction() handle reports the store’s dialect', async () => {
      const dialect = await bench.store.transaction(async (tx) => tx.dialect);
      expect(dialect).toBe(bench.store.capabilities.dialect);
    });

    it('query() runs host SQL in the transaction, or throws StoreError on a store without SQL', async () => {
      const mode = ctx.options.hostQuery ?? (bench.store.capabilities.dialect === 'memory' ? 'unsupported' : 'sql');
      if (mode === 'unsupported') {
        await expectSettleError(
          bench.store.transaction((tx) => tx.query('SELECT 1 AS one')),
          StoreError,
          'store_failure',
        );
        return;
      }
      const result = await bench.store.transaction((tx) => tx.query<{ one: unknown }>('SELECT 1 AS one'));
      expect(result.rows).toHaveLength(1);
      expect(Number(result.rows[0]?.one)).toBe(1);
    });
  });
}

import { describe, expect, it } from 'vitest';
import type { NewChallenge } from '../src/domain/challenge';
import { ConflictError, StoreError } from '../src/errors';
import { MemoryStore } from '../src/store/memory-store';
import type { StoreEvent, StoreTransaction } from '../src/store/store';

const t0 = new Date('2030-01-01T00:00:00Z');

function challenge(id: string, overrides: Partial<NewChallenge> = {}): NewChallenge {
  return {
    id,
    title: id,
    deadline: new Date(t0.getTime() + 3_600_000),
    status: 'active',
    metadata: {},
    createdAt: t0,
    ...overrides,
  };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

async function seeded(...ids: string[]): Promise<MemoryStore> {
  const store = new MemoryStore();
  await store.migrate();
  await store.transaction(async (tx) => {
    for (const id of ids) await tx.createChallenge(challenge(id), []);
  });
  return store;
}

describe('MemoryStore transactions', () => {
  it('transaction() discards every write when fn throws', async () => {
    const store = await seeded();
    const boom = new Error('boom');
    await expect(
      store.transaction(async (tx) => {
        await tx.createChallenge(challenge('c1'), [{ userId: 'u1', side: 'yes', stake: 100n, joinedAt: t0 }]);
        await tx.createPayoutJob({ id: 'j1', challengeId: 'c1', priority: 0, metadata: {}, createdAt: t0 }, [
          { userId: 'u1', amount: 100n },
        ]);
        const batch = await tx.claimPayoutBatch({ now: t0, limit: 10 });
        await tx.completePayoutEntries(
          'j1',
          batch!.entries.map((e) => e.id),
          { now: t0, creditAccounts: true },
        );
        expect(await tx.getBalance('u1')).toBe(100n);
        throw boom;
      }),
    ).rejects.toBe(boom);

    expect(await store.getChallenge('c1')).toBeNull();
    expect(await store.getPayoutJob('j1')).toBeNull();
    expect(await store.getBalance('u1')).toBe(0n);
    expect(await store.ledgerTotal({ userId: 'u1' })).toEqual({ count: 0, total: 0n });
  });

  it('transaction() keeps writes private until commit', async () => {
    const store = await seeded();
    const created = deferred();
    const checked = deferred();
    const writer = store.transaction(async (tx) => {
      await tx.createChallenge(challenge('c1'), []);
      expect(await tx.getChallenge('c1')).not.toBeNull();
      created.resolve();
      await checked.promise;
    });
    await created.promise;
    expect(await store.getChallenge('c1')).toBeNull();
    expect(await store.transaction((tx) => tx.getChallenge('c1'))).toBeNull();
    checked.resolve();
    await writer;
    expect(await store.getChallenge('c1')).not.toBeNull();
  });

  it('a failed statement leaves the transaction able only to roll back, even if fn swallows the error', async () => {
    const store = await seeded('c1');
    let afterFailure: unknown;
    const result = store.transaction(async (tx) => {
      await tx.createChallenge(challenge('c2'), []);
      await tx.createChallenge(challenge('c1'), []).catch(() => undefined);
      afterFailure = await tx.getChallenge('c2').catch((error: unknown) => error);
    });

    await expect(result).rejects.toBeInstanceOf(ConflictError);
    expect(afterFailure).toBeInstanceOf(StoreError);
    expect(await store.getChallenge('c2')).toBeNull();
  });

  it('refuses a transaction handle used after its transaction ended', async () => {
    const store = await seeded();
    let leaked: StoreTransaction | undefined;
    await store.transaction(async (tx) => {
      leaked = tx;
    });
    await expect(leaked!.createChallenge(challenge('c1'), [])).rejects.toBeInstanceOf(StoreError);
    expect(await store.getChallenge('c1')).toBeNull();
  });
});

describe('MemoryStore deadlocks', () => {
  /** Two transactions that update c1 and c2 in opposite orders, each waiting for the other's first write. */
  function crossedUpdates(store: MemoryStore) {
    const attempts = { a: 0, b: 0 };
    const aHasC1 = deferred();
    const bHasC2 = deferred();
    const a = store.transaction(async (tx) => {
      attempts.a++;
      await tx.updateChallenge('c1', { title: 'A' }, ['active']);
      aHasC1.resolve();
      await bHasC2.promise;
      await tx.updateChallenge('c2', { title: 'A' }, ['active']);
    });
    const b = store.transaction(async (tx) => {
      attempts.b++;
      await aHasC1.promise;
      await tx.updateChallenge('c2', { title: 'B' }, ['active']);
      bHasC2.resolve();
      await tx.updateChallenge('c1', { title: 'B' }, ['active']);
    });
    return { attempts, a, b };
  }

  it('transaction() aborts one side of a lock cycle and reruns it', async () => {
    const store = await seeded('c1', 'c2');
    const { attempts, a, b } = crossedUpdates(store);
    await Promise.all([a, b]);

    // Exactly one transaction was chosen as the victim and ran twice; the rerun committed last.
    expect(attempts.a + attempts.b).toBe(3);
    const winner = attempts.a === 2 ? 'A' : 'B';
    expect((await store.getChallenge('c1'))?.title).toBe(winner);
    expect((await store.getChallenge('c2'))?.title).toBe(winner);
  });

  it('rejects with a retryable StoreError once retries are exhausted', async () => {
    const store = new MemoryStore({ maxRetries: 0 });
    await store.transaction(async (tx) => {
      await tx.createChallenge(challenge('c1'), []);
      await tx.createChallenge(challenge('c2'), []);
    });
    const { a, b } = crossedUpdates(store);
    const outcomes = await Promise.allSettled([a, b]);

    const rejected = outcomes.filter((o) => o.status === 'rejected');
    expect(rejected).toHaveLength(1);
    const error = (rejected[0] as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: 'store_failure', retryable: true });
  });

  it('transaction() reruns fn at most maxRetries times, and never for non-retryable errors', async () => {
    const store = new MemoryStore({ maxRetries: 2 });
    let calls = 0;
    await expect(
      store.transaction(async () => {
        calls++;
        throw new StoreError('serialization failure', { retryable: true });
      }),
    ).rejects.toMatchObject({ retryable: true });
    expect(calls).toBe(3);

    calls = 0;
    await expect(
      store.transaction(async () => {
        calls++;
        throw new StoreError('broken', { retryable: false });
      }),
    ).rejects.toBeInstanceOf(StoreError);
    expect(calls).toBe(1);
  });
});

describe('MemoryStore rows', () => {
  it('returns frozen copies that share no object or Date with the store', async () => {
    const store = new MemoryStore();
    const input = challenge('c1', { metadata: { tags: ['a'] } });
    const created = await store.transaction((tx) => tx.createChallenge(input, []));
    input.deadline.setTime(0);
    (input.metadata.tags as string[]).push('from input');

    expect(Object.isFrozen(created)).toBe(true);
    created.deadline.setTime(0);
    (created.metadata.tags as string[]).push('from result');

    const read = await store.getChallenge('c1');
    expect(read?.deadline).toEqual(new Date(t0.getTime() + 3_600_000));
    expect(read?.metadata).toEqual({ tags: ['a'] });
    expect(read).not.toBe(await store.getChallenge('c1'));
  });

  it('assigns entry ids that ascend numerically', async () => {
    const store = new MemoryStore();
    const entries = Array.from({ length: 12 }, (_, i) => ({ userId: `u${i}`, amount: 1n }));
    await store.transaction((tx) =>
      tx.createPayoutJob({ id: 'j1', challengeId: null, priority: 0, metadata: {}, createdAt: t0 }, entries),
    );
    const listed = await store.listPayoutEntries('j1', { limit: 100 });
    expect(listed.map((e) => e.id)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12']);
    expect((await store.listPayoutEntries('j1', { limit: 2, after: '9' })).map((e) => e.userId)).toEqual(['u9', 'u10']);
  });
});

describe('MemoryStore lifecycle', () => {
  it('migrate() applies version 1 once', async () => {
    const store = new MemoryStore();
    expect(await store.migrationStatus()).toEqual({ version: 0, latest: 1 });
    expect(await store.migrate()).toEqual({ applied: [1], version: 1 });
    expect(await store.migrate()).toEqual({ applied: [], version: 1 });
    expect(await store.migrationStatus()).toEqual({ version: 1, latest: 1 });
  });

  it('query() refuses SQL with a StoreError', async () => {
    const store = new MemoryStore();
    await expect(store.transaction((tx) => tx.query('SELECT 1'))).rejects.toBeInstanceOf(StoreError);
  });

  it('close() rejects every later call', async () => {
    const store = await seeded('c1');
    await store.ping();
    await store.close();
    await store.close();
    await expect(store.ping()).rejects.toBeInstanceOf(StoreError);
    await expect(store.getChallenge('c1')).rejects.toBeInstanceOf(StoreError);
    await expect(store.transaction(async () => 1)).rejects.toBeInstanceOf(StoreError);
    await expect(store.migrate()).rejects.toBeInstanceOf(StoreError);
  });
});

describe('MemoryStore subscribe', () => {
  it('delivers published events after commit, in commit order, never on rollback', async () => {
    const store = new MemoryStore();
    const received: StoreEvent[] = [];
    const subscription = await store.subscribe({ event: (event) => received.push(event) });
    const event = (name: string): StoreEvent => ({ name, data: { jobId: 'j1' } });

    await store.transaction(async (tx) => {
      await tx.publish(event('first'));
      await tx.publish(event('second'));
      expect(received).toEqual([]);
    });
    await store
      .transaction(async (tx) => {
        await tx.publish(event('rolled back'));
        throw new Error('rollback');
      })
      .catch(() => undefined);
    await store.transaction((tx) => tx.publish(event('third')));
    await Promise.resolve();

    expect(received.map((e) => e.name)).toEqual(['first', 'second', 'third']);

    await subscription.close();
    await store.transaction((tx) => tx.publish(event('after close')));
    await Promise.resolve();
    expect(received).toHaveLength(3);
  });
});

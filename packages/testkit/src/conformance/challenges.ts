import type { Challenge, ChallengeTransition } from '@settle/core';
import { ConflictError, InvalidTransitionError, NotFoundError } from '@settle/core';
import { describe, expect, it } from 'vitest';
import type { ConformanceContext } from './conformance-context';
import { createDeferred } from './deferred';
import { expectSettleError } from './expect-settle-error';
import { at, HOUR, MINUTE, REFERENCE_TIME, SECOND } from './reference-time';
import { newChallenge, newParticipants, uniqueId, userIds } from './sample-data';
import { seedChallenge } from './seed';

/**
 * Challenges and participants: create, read, conditional transitions and their races, updates,
 * and the deadline queries the Scheduler sleeps on.
 *
 * @internal
 */
export function registerChallengeTests(ctx: ConformanceContext): void {
  describe('challenges', () => {
    const bench = ctx.useStore();

    const transition = (challenge: Challenge, overrides: Partial<ChallengeTransition> = {}): ChallengeTransition => ({
      id: challenge.id,
      from: 'active',
      to: 'pending_admin',
      at: at(HOUR),
      ...overrides,
    });

    it('createChallenge() stores the challenge and its participants', async () => {
      const input = newChallenge({
        title: 'Longest streak',
        deadline: at(2 * HOUR),
        status: 'pending',
        metadata: { round: 3, tags: ['a', 'b'], nested: { ok: true, none: null }, ratio: 0.25 },
      });
      const users = userIds(3);
      const participants = newParticipants(users);

      const created = await seedChallenge(bench.store, input, participants);
      const expected: Challenge = {
        id: input.id,
        title: 'Longest streak',
        deadline: at(2 * HOUR),
        status: 'pending',
        metadata: { round: 3, tags: ['a', 'b'], nested: { ok: true, none: null }, ratio: 0.25 },
        createdAt: REFERENCE_TIME,
        updatedAt: REFERENCE_TIME,
      };
      expect(created).toEqual(expected);
      expect(await bench.store.getChallenge(input.id)).toEqual(expected);
      expect(await bench.store.listParticipants(input.id, { limit: 10 })).toEqual(
        participants.map((p) => ({ challengeId: input.id, ...p })),
      );
    });

    it('createChallenge() keeps stakes beyond 2^53 exact', async () => {
      const challenge = newChallenge();
      const [user] = userIds(1);
      const stake = 2n ** 53n + 1n;
      await seedChallenge(bench.store, challenge, [{ userId: user!, side: 'yes', stake, joinedAt: REFERENCE_TIME }]);
      const [participant] = await bench.store.listParticipants(challenge.id, { limit: 1 });
      expect(participant?.stake).toBe(stake);
    });

    it('getChallenge() returns null for an unknown id', async () => {
      expect(await bench.store.getChallenge(newChallenge().id)).toBeNull();
    });

    it('createChallenge() throws ConflictError for an existing id and writes nothing', async () => {
      const challenge = await seedChallenge(bench.store, newChallenge({ title: 'first' }));
      const users = userIds(2);
      await expectSettleError(
        bench.store.transaction((tx) =>
          tx.createChallenge(newChallenge({ id: challenge.id, title: 'second' }), newParticipants(users)),
        ),
        ConflictError,
        'conflict',
      );
      expect(await bench.store.getChallenge(challenge.id)).toEqual(challenge);
      expect(await bench.store.listParticipants(challenge.id, { limit: 10 })).toEqual([]);
    });

    it('createChallenge() throws ConflictError for a repeated participant and writes nothing', async () => {
      const challenge = newChallenge();
      const [user] = userIds(1);
      const twice = newParticipants([user!, user!]);
      await expectSettleError(
        bench.store.transaction((tx) => tx.createChallenge(challenge, twice)),
        ConflictError,
        'conflict',
      );
      expect(await bench.store.getChallenge(challenge.id)).toBeNull();
    });

    it('createChallenge() lets exactly one of two concurrent creators of the same id win', async () => {
      const id = newChallenge().id;
      const first = bench.hold((tx) => tx.createChallenge(newChallenge({ id, title: 'first' }), []));
      await first.ready;
      const secondStarted = createDeferred();
      const second = bench.store.transaction(async (tx) => {
        const created = tx.createChallenge(newChallenge({ id, title: 'second' }), []);
        secondStarted.resolve();
        return created;
      });
      await secondStarted.promise;
      // Some servers (MariaDB) fail the loser before the winner's COMMIT returns: observe it first.
      const secondOutcome = expectSettleError(second, ConflictError, 'conflict');
      await first.commit();

      await secondOutcome;
      expect((await bench.store.getChallenge(id))?.title).toBe('first');
    });

    it('listParticipants() orders by user id and pages with after', async () => {
      const challenge = newChallenge();
      const users = userIds(5);
      // Inserted out of order: the store must sort.
      const shuffled = newParticipants(users);
      await seedChallenge(bench.store, challenge, [
        shuffled[3]!,
        shuffled[0]!,
        shuffled[4]!,
        shuffled[2]!,
        shuffled[1]!,
      ]);

      const firstPage = await bench.store.listParticipants(challenge.id, { limit: 2 });
      expect(firstPage.map((p) => p.userId)).toEqual(users.slice(0, 2));
      const secondPage = await bench.store.listParticipants(challenge.id, { limit: 2, after: firstPage[1]!.userId });
      expect(secondPage.map((p) => p.userId)).toEqual(users.slice(2, 4));
      const lastPage = await bench.store.listParticipants(challenge.id, { limit: 2, after: secondPage[1]!.userId });
      expect(lastPage.map((p) => p.userId)).toEqual(users.slice(4));
      expect(await bench.store.listParticipants(newChallenge().id, { limit: 2 })).toEqual([]);
    });

    it('listParticipants() with joinedAfter returns only who joined strictly later, paging with after', async () => {
      const challenge = newChallenge();
      const users = userIds(5);
      // The bound is exclusive: those who joined at it are not late.
      const joined = [at(0), at(SECOND), at(SECOND), at(2 * SECOND), at(MINUTE)];
      await seedChallenge(
        bench.store,
        challenge,
        newParticipants(users).map((p, i) => ({ ...p, joinedAt: joined[i]! })),
      );

      const late = await bench.store.listParticipants(challenge.id, { limit: 10, joinedAfter: at(SECOND) });
      expect(late.map((p) => [p.userId, p.joinedAt.toISOString()])).toEqual([
        [users[3], at(2 * SECOND).toISOString()],
        [users[4], at(MINUTE).toISOString()],
      ]);
      const firstPage = await bench.store.listParticipants(challenge.id, { limit: 2, joinedAfter: at(0) });
      expect(firstPage.map((p) => p.userId)).toEqual([users[1], users[2]]);
      const nextPage = await bench.store.listParticipants(challenge.id, {
        limit: 2,
        joinedAfter: at(0),
        after: firstPage[1]!.userId,
      });
      expect(nextPage.map((p) => p.userId)).toEqual([users[3], users[4]]);
      expect(await bench.store.listParticipants(challenge.id, { limit: 10, joinedAfter: at(MINUTE) })).toEqual([]);
    });

    it('addParticipants() adds participants to an existing challenge', async () => {
      const users = userIds(3);
      const [first, ...rest] = newParticipants(users);
      const challenge = await seedChallenge(bench.store, newChallenge(), [first!]);
      await bench.store.transaction((tx) => tx.addParticipants(challenge.id, rest));
      const stored = await bench.store.listParticipants(challenge.id, { limit: 10 });
      expect(stored.map((p) => [p.userId, p.stake])).toEqual([
        [users[0], 100n],
        [users[1], 200n],
        [users[2], 300n],
      ]);
    });

    it('addParticipants() throws NotFoundError for an unknown challenge', async () => {
      await expectSettleError(
        bench.store.transaction((tx) => tx.addParticipants(newChallenge().id, newParticipants(userIds(1)))),
        NotFoundError,
        'not_found',
      );
    });

    it('addParticipants() throws ConflictError for a user already taking part and adds nobody', async () => {
      const users = userIds(3);
      const participants = newParticipants(users);
      const challenge = await seedChallenge(bench.store, newChallenge(), [participants[0]!]);
      await expectSettleError(
        bench.store.transaction((tx) => tx.addParticipants(challenge.id, [participants[1]!, participants[0]!])),
        ConflictError,
        'conflict',
      );
      const stored = await bench.store.listParticipants(challenge.id, { limit: 10 });
      expect(stored.map((p) => p.userId)).toEqual([users[0]]);
    });

    it('removeParticipant() removes a participant and returns false when the user was not taking part', async () => {
      const users = userIds(2);
      const challenge = await seedChallenge(bench.store, newChallenge(), newParticipants(users));
      expect(await bench.store.transaction((tx) => tx.removeParticipant(challenge.id, users[0]!))).toBe(true);
      expect(await bench.store.transaction((tx) => tx.removeParticipant(challenge.id, users[0]!))).toBe(false);
      expect(await bench.store.transaction((tx) => tx.removeParticipant(newChallenge().id, users[1]!))).toBe(false);
      const stored = await bench.store.listParticipants(challenge.id, { limit: 10 });
      expect(stored.map((p) => p.userId)).toEqual([users[1]]);
    });

    it('transitionChallenge() moves the challenge and stamps updatedAt', async () => {
      const challenge = await seedChallenge(bench.store);
      const moved = await bench.store.transaction((tx) => tx.transitionChallenge(transition(challenge)));
      expect(moved).toEqual({ ...challenge, status: 'pending_admin', updatedAt: at(HOUR) });
      expect(await bench.store.getChallenge(challenge.id)).toEqual(moved);
    });

    it('listChallenges() pages the challenges of one status by id', async () => {
      const challenges = [];
      for (let i = 0; i < 4; i++) challenges.push(await seedChallenge(bench.store));
      const [first, second, third] = [...challenges].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      for (const waiting of [third!, first!]) {
        await bench.store.transaction((tx) => tx.transitionChallenge(transition(waiting)));
      }

      const page = await bench.store.listChallenges({ status: 'pending_admin', limit: 1 });
      expect(page).toEqual([{ ...first!, status: 'pending_admin', updatedAt: at(HOUR) }]);
      const next = await bench.store.listChallenges({ status: 'pending_admin', limit: 1, after: first!.id });
      expect(next.map((c) => c.id)).toEqual([third!.id]);
      expect(await bench.store.listChallenges({ status: 'pending_admin', limit: 1, after: third!.id })).toEqual([]);
      const active = await bench.store.listChallenges({ status: 'active', limit: 10 });
      expect(active.map((c) => c.id)).toEqual(
        challenges
          .filter((c) => c !== first && c !== third)
          .map((c) => c.id)
          .sort(),
      );
      expect(second!.status).toBe('active');
      expect(await bench.store.listChallenges({ status: 'cancelled', limit: 10 })).toEqual([]);
    });

    it('transitionChallenge() returns null when the challenge is not in from', async () => {
      const challenge = await seedChallenge(bench.store, newChallenge({ status: 'pending' }));
      const moved = await bench.store.transaction((tx) => tx.transitionChallenge(transition(challenge)));
      expect(moved).toBeNull();
      expect(await bench.store.getChallenge(challenge.id)).toEqual(challenge);
    });

    it('transitionChallenge() returns null for an unknown challenge', async () => {
      const ghost = { ...newChallenge(), updatedAt: REFERENCE_TIME };
      expect(await bench.store.transaction((tx) => tx.transitionChallenge(transition(ghost)))).toBeNull();
    });

    it('transitionChallenge() throws InvalidTransitionError for a move the state machine forbids, leaving the row untouched', async () => {
      const challenge = await seedChallenge(bench.store);
      await expectSettleError(
        bench.store.transaction((tx) =>
          tx.transitionChallenge(transition(challenge, { from: 'active', to: 'completed' })),
        ),
        InvalidTransitionError,
        'invalid_transition',
      );
      await expectSettleError(
        bench.store.transaction((tx) =>
          tx.transitionChallenge(transition(challenge, { from: 'completed', to: 'active' })),
        ),
        InvalidTransitionError,
        'invalid_transition',
      );
      expect(await bench.store.getChallenge(challenge.id)).toEqual(challenge);
    });

    it('transitionChallenge() with dueBy applies only once the deadline is due', async () => {
      const challenge = await seedChallenge(bench.store, newChallenge({ deadline: at(HOUR) }));
      const early = await bench.store.transaction((tx) =>
        tx.transitionChallenge(transition(challenge, { at: at(HOUR - 1_000), dueBy: at(HOUR - 1_000) })),
      );
      expect(early).toBeNull();
      expect((await bench.store.getChallenge(challenge.id))?.status).toBe('active');

      const due = await bench.store.transaction((tx) =>
        tx.transitionChallenge(transition(challenge, { at: at(HOUR), dueBy: at(HOUR) })),
      );
      expect(due?.status).toBe('pending_admin');
    });

    it('transitionChallenge() returns null for the loser of a concurrent race', async () => {
      const challenge = await seedChallenge(bench.store);
      const winner = bench.hold((tx) => tx.transitionChallenge(transition(challenge)));
      expect((await winner.ready)?.status).toBe('pending_admin');

      const loserStarted = createDeferred();
      const loser = bench.store.transaction(async (tx) => {
        const moved = tx.transitionChallenge(transition(challenge, { to: 'cancelled' }));
        loserStarted.resolve();
        return moved;
      });
      await loserStarted.promise;
      await winner.commit();

      expect(await loser).toBeNull();
      expect((await bench.store.getChallenge(challenge.id))?.status).toBe('pending_admin');
    });

    it('transitionChallenge() waits for a concurrent transition and wins if that one rolls back', async () => {
      const challenge = await seedChallenge(bench.store);
      const first = bench.hold((tx) => tx.transitionChallenge(transition(challenge)));
      expect(await first.ready).not.toBeNull();

      const secondStarted = createDeferred();
      const second = bench.store.transaction(async (tx) => {
        const moved = tx.transitionChallenge(transition(challenge, { to: 'cancelled' }));
        secondStarted.resolve();
        return moved;
      });
      await secondStarted.promise;
      await first.rollback();

      expect((await second)?.status).toBe('cancelled');
      expect((await bench.store.getChallenge(challenge.id))?.status).toBe('cancelled');
    });

    it('transitionChallenge() lets exactly one of many concurrent callers win', async () => {
      const challenge = await seedChallenge(bench.store);
      const targets = ['pending_admin', 'cancelled', 'pending_admin', 'cancelled', 'pending_admin'] as const;
      const results = await Promise.all(
        targets.map((to, i) =>
          bench.store.transaction((tx) =>
            tx.transitionChallenge(transition(challenge, { to, at: at(HOUR + i * 1_000) })),
          ),
        ),
      );
      const winners = results.filter((result) => result !== null);
      expect(winners).toHaveLength(1);
      expect(await bench.store.getChallenge(challenge.id)).toEqual(winners[0]);
    });

    it('updateChallenge() changes title, deadline and metadata when the status is expected', async () => {
      const challenge = await seedChallenge(bench.store, newChallenge({ metadata: { a: 1 } }));
      const updated = await bench.store.transaction((tx) =>
        tx.updateChallenge(challenge.id, { title: 'Renamed', deadline: at(3 * HOUR), metadata: { b: 2 } }, [
          'pending',
          'active',
        ]),
      );
      expect(updated).toMatchObject({ id: challenge.id, title: 'Renamed', deadline: at(3 * HOUR), metadata: { b: 2 } });
      expect(updated?.status).toBe('active');
      expect(await bench.store.getChallenge(challenge.id)).toEqual(updated);

      const partial = await bench.store.transaction((tx) =>
        tx.updateChallenge(challenge.id, { title: 'Again' }, ['active']),
      );
      expect(partial).toMatchObject({ title: 'Again', deadline: at(3 * HOUR), metadata: { b: 2 } });
    });

    it('updateChallenge() returns null when the status is not expected or the challenge does not exist', async () => {
      const challenge = await seedChallenge(bench.store);
      expect(
        await bench.store.transaction((tx) => tx.updateChallenge(challenge.id, { title: 'No' }, ['pending'])),
      ).toBeNull();
      expect(
        await bench.store.transaction((tx) => tx.updateChallenge(newChallenge().id, { title: 'No' }, ['active'])),
      ).toBeNull();
      expect(await bench.store.getChallenge(challenge.id)).toEqual(challenge);
    });

    it('nextDeadline() returns the earliest deadline of an active challenge', async () => {
      expect(await bench.store.nextDeadline()).toBeNull();
      await seedChallenge(bench.store, newChallenge({ status: 'pending', deadline: at(10 * MINUTE) }));
      const soonest = await seedChallenge(bench.store, newChallenge({ deadline: at(30 * MINUTE) }));
      await seedChallenge(bench.store, newChallenge({ deadline: at(2 * HOUR) }));
      expect(await bench.store.nextDeadline()).toEqual(at(30 * MINUTE));

      await bench.store.transaction((tx) =>
        tx.transitionChallenge({ id: soonest.id, from: 'active', to: 'cancelled', at: REFERENCE_TIME }),
      );
      expect(await bench.store.nextDeadline()).toEqual(at(2 * HOUR));
    });

    it('nextDeadline() follows a deadline moved by updateChallenge()', async () => {
      const challenge = await seedChallenge(bench.store, newChallenge({ deadline: at(HOUR) }));
      await bench.store.transaction((tx) => tx.updateChallenge(challenge.id, { deadline: at(5 * MINUTE) }, ['active']));
      expect(await bench.store.nextDeadline()).toEqual(at(5 * MINUTE));
    });

    it('nextDeadline(after) returns the earliest active deadline strictly after an instant', async () => {
      await seedChallenge(bench.store, newChallenge({ deadline: at(10 * MINUTE) }));
      await seedChallenge(bench.store, newChallenge({ status: 'pending', deadline: at(20 * MINUTE) }));
      await seedChallenge(bench.store, newChallenge({ deadline: at(30 * MINUTE) }));
      expect(await bench.store.nextDeadline(at(-HOUR))).toEqual(at(10 * MINUTE));
      expect(await bench.store.nextDeadline(at(10 * MINUTE))).toEqual(at(30 * MINUTE));
      expect(await bench.store.nextDeadline(at(10 * MINUTE - 1))).toEqual(at(10 * MINUTE));
      expect(await bench.store.nextDeadline(at(30 * MINUTE))).toBeNull();
    });

    it('listClosingChallenges() pages active challenges with a deadline in (after, until] by deadline, then id', async () => {
      const ids = ['b', 'a', 'c'].map((suffix) => `${uniqueId('closing')}-${suffix}`);
      const [b, a, c] = ids as [string, string, string];
      await seedChallenge(bench.store, newChallenge({ id: b, deadline: at(20 * MINUTE) }));
      await seedChallenge(bench.store, newChallenge({ id: a, deadline: at(20 * MINUTE) }));
      await seedChallenge(bench.store, newChallenge({ id: c, deadline: at(10 * MINUTE) }));
      await seedChallenge(bench.store, newChallenge({ deadline: REFERENCE_TIME }));
      await seedChallenge(bench.store, newChallenge({ deadline: at(HOUR + 1) }));
      await seedChallenge(bench.store, newChallenge({ status: 'pending', deadline: at(15 * MINUTE) }));
      const window = { after: REFERENCE_TIME, until: at(HOUR) };

      const all = await bench.store.listClosingChallenges({ ...window, limit: 10 });
      const sameDeadline = [a, b].sort((x, y) => (x < y ? -1 : 1));
      expect(all.map((ch) => ch.id)).toEqual([c, ...sameDeadline]);
      expect(all[0]).toMatchObject({ status: 'active', deadline: at(10 * MINUTE) });

      const first = await bench.store.listClosingChallenges({ ...window, limit: 2 });
      expect(first.map((ch) => ch.id)).toEqual([c, sameDeadline[0]]);
      const last = first.at(-1)!;
      const rest = await bench.store.listClosingChallenges({
        ...window,
        limit: 2,
        cursor: { deadline: last.deadline, id: last.id },
      });
      expect(rest.map((ch) => ch.id)).toEqual([sameDeadline[1]]);
      expect(await bench.store.listClosingChallenges({ after: at(20 * MINUTE), until: at(HOUR), limit: 10 })).toEqual(
        [],
      );
    });

    it('findDueChallenges() returns due active challenges, earliest deadline first, up to limit', async () => {
      const late = await seedChallenge(bench.store, newChallenge({ deadline: at(-1 * MINUTE) }));
      const exact = await seedChallenge(bench.store, newChallenge({ deadline: REFERENCE_TIME }));
      const early = await seedChallenge(bench.store, newChallenge({ deadline: at(-10 * MINUTE) }));
      await seedChallenge(bench.store, newChallenge({ deadline: at(1_000) }));
      await seedChallenge(bench.store, newChallenge({ status: 'pending', deadline: at(-HOUR) }));

      const due = await bench.store.findDueChallenges(REFERENCE_TIME, 10);
      expect(due.map((c) => c.id)).toEqual([early.id, late.id, exact.id]);
      const limited = await bench.store.findDueChallenges(REFERENCE_TIME, 2);
      expect(limited.map((c) => c.id)).toEqual([early.id, late.id]);
      expect(await bench.store.findDueChallenges(at(-HOUR), 10)).toEqual([]);
    });
  });
}

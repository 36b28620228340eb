import { StoreError } from '../../errors';

interface Waiter<Owner> {
  readonly owner: Owner;
  readonly grant: () => void;
}

/**
 * Exclusive row locks held by transactions until they end, as Postgres holds them: a transaction
 * asking for a lock another one holds either skips it ({@link tryAcquire}, `SKIP LOCKED`) or queues
 * for it ({@link acquire}). A released lock goes to the first in the queue, so a rerun transaction
 * cannot barge in ahead of the one it made wait. A wait that would close a cycle in the wait-for
 * graph fails at once with a retryable `StoreError`, as Postgres reports `40P01 deadlock_detected`.
 *
 * @internal
 */
export class LockManager<Owner extends object> {
  private readonly holders = new Map<string, Owner>();
  private readonly held = new Map<Owner, Set<string>>();
  private readonly queues = new Map<string, Waiter<Owner>[]>();
  /** The one key each waiting owner queues for. */
  private readonly waitingFor = new Map<Owner, string>();

  /** Takes `key` if it is free or already `owner`'s; false when another owner holds it. */
  tryAcquire(owner: Owner, key: string): boolean {
    const holder = this.holders.get(key);
    if (holder === undefined) this.grant(owner, key);
    return holder === undefined || holder === owner;
  }

  /**
   * Takes `key`, waiting behind its holder and earlier waiters. Throws a retryable `StoreError`
   * instead of waiting when one of them already waits, directly or through others, for `owner`.
   */
  async acquire(owner: Owner, key: string): Promise<void> {
    if (this.tryAcquire(owner, key)) return;
    if (this.blockers(key).some((blocker) => this.waitsOn(blocker, owner, new Set()))) {
      throw new StoreError(`Deadlock detected while waiting for a lock on ${key}`, {
        retryable: true,
        context: { key },
      });
    }
    this.waitingFor.set(owner, key);
    await new Promise<void>((grant) => {
      const queue = this.queues.get(key) ?? [];
      queue.push({ owner, grant });
      this.queues.set(key, queue);
    });
  }

  /** Releases every lock of `owner` (at commit or rollback), handing each to its first waiter. */
  releaseAll(owner: Owner): void {
    for (const key of this.held.get(owner) ?? []) {
      this.holders.delete(key);
      const queue = this.queues.get(key) ?? [];
      const next = queue.shift();
      if (queue.length === 0) this.queues.delete(key);
      if (next === undefined) continue;
      this.waitingFor.delete(next.owner);
      this.grant(next.owner, key);
      next.grant();
    }
    this.held.delete(owner);
  }

  private grant(owner: Owner, key: string): void {
    this.holders.set(key, owner);
    this.held.set(owner, (this.held.get(owner) ?? new Set()).add(key));
  }

  /** Whom a newcomer to `key`'s queue would wait for: the holder and everyone queued. */
  private blockers(key: string, before?: Owner): Owner[] {
    const queue = this.queues.get(key) ?? [];
    const end = before === undefined ? queue.length : queue.findIndex((waiter) => waiter.owner === before);
    return [this.holders.get(key)!, ...queue.slice(0, end).map((waiter) => waiter.owner)];
  }

  /** Depth-first search of the wait-for graph from `from`. */
  private waitsOn(from: Owner, target: Owner, seen: Set<Owner>): boolean {
    if (from === target) return true;
    if (seen.has(from)) return false;
    seen.add(from);
    const key = this.waitingFor.get(from);
    return key !== undefined && this.blockers(key, from).some((blocker) => this.waitsOn(blocker, target, seen));
  }
}

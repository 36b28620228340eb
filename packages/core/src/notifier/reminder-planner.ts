import type { Challenge } from '../domain/challenge';
import type { NewNotification } from '../domain/notification';
import type { ResolvedNotifierOptions } from './notifier-options';
import { newReminder } from './reminder-policy';

/** Challenges read per page, and outbox rows written per transaction. */
const PAGE = 500;

/**
 * Turns deadlines into outbox rows at the moment each reminder falls due: reminder `o` of a
 * challenge closing at `D` is enqueued once the clock reaches `D − o`, against the deadline as it is
 * then, so a moved deadline needs no rescheduling. Rows are keyed, so every process may plan the
 * same reminders and each is stored once.
 *
 * Three kinds of pass ({@link PlanningPass}):
 * - `incremental`, most of them: only deadlines whose reminders fell due since the previous pass;
 * - `full`: every challenge closing within the longest offset, every participant; at start (catching
 *   up after downtime) and when a deadline was created or moved;
 * - `late`: the same challenges, but only participants who joined after their reminder's instant
 *   (late joiners, challenges created close to their deadline), which no incremental pass can have
 *   planned; on every poll. The store returns only those participants, so polling stays cheap
 *   however many reminders are already planned.
 *
 * @internal
 */
export type PlanningPass = 'incremental' | 'full' | 'late';

export class ReminderPlanner {
  readonly #options: ResolvedNotifierOptions;
  /** Reminders due at or before this instant were planned by the previous pass. */
  #plannedUntil: Date | null = null;

  constructor(options: ResolvedNotifierOptions) {
    this.#options = options;
  }

  /** Enqueues the reminders due by `now` that `pass` covers; returns how many rows were new. */
  async plan(now: Date, pass: PlanningPass): Promise<number> {
    // Reminders due after this instant are new to this planner: every participant gets one.
    const since = pass === 'full' ? null : this.#plannedUntil;
    // A join committing while a pass ran may be missed by it: late passes look back this far.
    const margin = this.#options.pollIntervalMs;
    let inserted = 0;
    for (const offset of this.#options.reminders) {
      // Reminders due in (since, now] belong to deadlines in (since + o, now + o]; a late pass reads
      // every deadline in (now, now + o]; passed deadlines get none.
      const from = pass === 'incremental' && since !== null ? since.getTime() + offset.ms : 0;
      const after = new Date(Math.max(now.getTime(), from));
      const until = new Date(now.getTime() + offset.ms);
      if (after >= until) continue;
      let cursor: Challenge | undefined;
      for (;;) {
        const page = await this.#options.store.listClosingChallenges({
          after,
          until,
          limit: PAGE,
          cursor: cursor && { deadline: cursor.deadline, id: cursor.id },
        });
        for (const challenge of page) {
          const dueAt = challenge.deadline.getTime() - offset.ms;
          const isNew = since === null || dueAt > since.getTime();
          // Planned before: only who joined since can lack a reminder, and the store finds them.
          const joinedAfter = isNew ? undefined : new Date(dueAt - margin);
          inserted += await this.#planChallenge(challenge, joinedAfter, (userId) =>
            newReminder(challenge, userId, offset, now),
          );
        }
        cursor = page.at(-1);
        if (page.length < PAGE) break;
      }
    }
    if (this.#plannedUntil === null || now > this.#plannedUntil) this.#plannedUntil = now;
    return inserted;
  }

  /**
   * The next instant at which a reminder falls due after the last planned one (or after `now`
   * before any pass), or null when none will. It may be already past when time moved on since the
   * last pass: planning again at once then catches those reminders.
   */
  async nextDue(now: Date): Promise<Date | null> {
    const from = this.#plannedUntil ?? now;
    let next: number | null = null;
    for (const offset of this.#options.reminders) {
      const deadline = await this.#options.store.nextDeadline(new Date(from.getTime() + offset.ms));
      if (deadline === null) continue;
      const due = deadline.getTime() - offset.ms;
      if (next === null || due < next) next = due;
    }
    return next === null ? null : new Date(next);
  }

  async #planChallenge(
    challenge: Challenge,
    joinedAfter: Date | undefined,
    reminderFor: (userId: string) => NewNotification,
  ): Promise<number> {
    const { store } = this.#options;
    let inserted = 0;
    let after: string | undefined;
    for (;;) {
      const participants = await store.listParticipants(challenge.id, { limit: PAGE, after, joinedAfter });
      const rows = participants.map((p) => reminderFor(p.userId));
      if (rows.length > 0) {
        inserted += await store.transaction((tx) => tx.enqueueNotifications(rows));
      }
      after = participants.at(-1)?.userId;
      if (participants.length < PAGE) return inserted;
    }
  }
}

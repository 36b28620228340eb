import { describe, expect, it } from 'vitest';
import { Alarm } from '../src/time/alarm';
import type { Clock } from '../src/time/clock';

/** A clock whose time never passes: its sleeps end only when aborted. */
const stoppedClock: Clock = {
  now: () => new Date(0),
  sleep: (_ms, signal) => new Promise((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true })),
};

describe('Alarm', () => {
  it('ends every sleep in progress on wake, and counts the wake', async () => {
    const alarm = new Alarm(stoppedClock);
    let ended = 0;
    const sleeps = [alarm.sleep(60_000), alarm.sleep(1_000)].map((sleep) => sleep.then(() => ended++));
    await Promise.resolve();
    expect(ended).toBe(0);

    alarm.wake();
    await Promise.all(sleeps);
    expect(ended).toBe(2);
    expect(alarm.wakes).toBe(1);
  });

  it('lets a busy loop see a wake that came while it was not asleep', async () => {
    const alarm = new Alarm(stoppedClock);
    const before = alarm.wakes;
    alarm.wake();
    expect(alarm.wakes).not.toBe(before);

    // The wake is not stored for the next sleep: that one waits for a wake of its own.
    let ended = false;
    const sleep = alarm.sleep(1_000).then(() => {
      ended = true;
    });
    await Promise.resolve();
    expect(ended).toBe(false);
    alarm.wake();
    await sleep;
    expect(ended).toBe(true);
  });
});

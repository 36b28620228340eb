import type { Notification, OutgoingNotification } from '@settle/core';
import { describe, expect, it } from 'vitest';
import { createRecordingChannel } from '../src/index';

function message(id: string, recipient = 'u1'): OutgoingNotification {
  const at = new Date('2030-01-01T00:00:00Z');
  const notification: Notification = {
    id,
    key: `reminder:c1:${recipient}:${id}`,
    challengeId: 'c1',
    recipient,
    kind: 'reminder',
    payload: {},
    dueAt: at,
    status: 'processing',
    attempts: 0,
    availableAt: at,
    lockedUntil: null,
    error: null,
    skipReason: null,
    finishedAt: null,
    createdAt: at,
  };
  return { notification, title: '1 hour left', body: `Notification ${id}` };
}

describe('createRecordingChannel()', () => {
  it('is named recording unless told otherwise', () => {
    expect(createRecordingChannel().name).toBe('recording');
    expect(createRecordingChannel('push').name).toBe('push');
  });

  it('records every message sent and every attempt', async () => {
    const channel = createRecordingChannel();
    const first = message('1');
    const second = message('2', 'u2');
    await channel.send(first);
    await channel.send(second);
    expect(channel.sent).toEqual([first, second]);
    expect(channel.attempts).toEqual([
      { message: first, attempt: 1, error: null },
      { message: second, attempt: 1, error: null },
    ]);
  });

  it('failTimes() makes the next sends throw, then accepts again', async () => {
    const boom = new Error('503 from provider');
    const channel = createRecordingChannel('webhook').failTimes(1, boom).failTimes(1);
    const msg = message('7');

    await expect(channel.send(msg)).rejects.toBe(boom);
    await expect(channel.send(msg)).rejects.toBeInstanceOf(Error);
    await channel.send(msg);

    expect(channel.sent).toEqual([msg]);
    expect(channel.attempts.map((a) => [a.attempt, a.error === null])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(channel.attempts[0]?.error).toBe(boom);
  });

  it('fails the sends the fail option picks, by message and attempt number', async () => {
    const channel = createRecordingChannel('push', {
      fail: (msg, attempt) => msg.notification.recipient === 'flaky' && attempt < 3,
    });
    const flaky = message('1', 'flaky');
    const steady = message('2', 'steady');

    await expect(channel.send(flaky)).rejects.toThrow();
    await channel.send(steady);
    await expect(channel.send(flaky)).rejects.toThrow();
    await channel.send(flaky);

    expect(channel.sent.map((m) => m.notification.id)).toEqual(['2', '1']);
    expect(channel.attempts.map((a) => `${a.message.notification.id}#${a.attempt}`)).toEqual([
      '1#1',
      '2#1',
      '1#2',
      '1#3',
    ]);
  });

  it('waitForSent() resolves once enough messages were accepted', async () => {
    const channel = createRecordingChannel().failTimes(1);
    let resolved = false;
    const waiting = channel.waitForSent(2).then((sent) => {
      resolved = true;
      return sent;
    });

    await channel.send(message('1')).catch(() => undefined);
    await channel.send(message('1'));
    await Promise.resolve();
    expect(resolved).toBe(false);
    await channel.send(message('2'));
    expect((await waiting).map((m) => m.notification.id)).toEqual(['1', '2']);
    expect(await channel.waitForSent(1)).toHaveLength(2);
  });

  it('reset() forgets messages, attempts and scripted failures', async () => {
    const channel = createRecordingChannel().failTimes(5);
    await channel.send(message('1')).catch(() => undefined);
    channel.reset();
    await channel.send(message('1'));
    expect(channel.sent).toHaveLength(1);
    expect(channel.attempts).toEqual([{ message: message('1'), attempt: 1, error: null }]);
  });
});

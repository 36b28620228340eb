import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/errors';
import { type PushClient, pushChannel } from '../src/notifier/channels/push-channel';
import { outgoing, stoppedClock } from './notification-fixture';

/** Stands in for the host's Pusher client: keeps what it was asked to trigger. */
function recordingClient(behaviour: () => unknown = () => ({ status: 200 })) {
  const triggered: { channel: string; event: string; data: unknown }[] = [];
  const client: PushClient = {
    trigger(channel, event, data) {
      triggered.push({ channel, event, data });
      return behaviour();
    },
  };
  return { client, triggered };
}

const clock = stoppedClock(new Date('2026-11-24T16:00:03.250Z'));

describe('pushChannel()', () => {
  it('triggers settle.notification on the recipient’s private channel with the webhook JSON', async () => {
    const { client, triggered } = recordingClient(async () => ({ status: 200 }));
    const channel = pushChannel({ client, clock });
    expect(channel.name).toBe('push');

    await channel.send(outgoing());

    expect(triggered).toEqual([
      {
        channel: 'private-user-ann',
        event: 'settle.notification',
        data: {
          id: '42',
          key: 'reminder:chess-open:ann:PT1H',
          kind: 'reminder',
          challengeId: 'chess-open',
          recipient: 'ann',
          title: '1 hour left',
          body: '"Chess open" closes at 18:00 on Tuesday 24 November (Europe/Paris).',
          payload: { challengeTitle: 'Chess open', deadline: '2026-11-24T17:00:00.000Z', offset: 'PT1H' },
          dueAt: '2026-11-24T16:00:00.000Z',
          sentAt: '2026-11-24T16:00:03.250Z',
        },
      },
    ]);
  });

  it('uses the channel and event it is given, fixed or per notification', async () => {
    const { client, triggered } = recordingClient();
    const perUser = pushChannel({ client, channel: (n) => `presence-${n.recipient}`, event: 'reminder', name: 'ably' });
    const fixed = pushChannel({ client, channel: 'admins' });
    expect(perUser.name).toBe('ably');

    await perUser.send(outgoing({ recipient: 'bob' }));
    await fixed.send(outgoing({ recipient: 'carol' }));

    expect(triggered.map(({ channel, event }) => [channel, event])).toEqual([
      ['presence-bob', 'reminder'],
      ['admins', 'settle.notification'],
    ]);
  });

  it('passes a client’s rejection or throw on unchanged, so the Notifier retries it', async () => {
    const rejection = new Error('pusher: 503 Service Unavailable');
    const rejecting = pushChannel({ client: recordingClient(() => Promise.reject(rejection)).client });
    await expect(rejecting.send(outgoing())).rejects.toBe(rejection);

    const thrown = new TypeError('socket hang up');
    const throwing = pushChannel({
      client: recordingClient(() => {
        throw thrown;
      }).client,
    });
    await expect(throwing.send(outgoing())).rejects.toBe(thrown);
  });

  it('waits for the client before reporting the notification sent', async () => {
    let release!: () => void;
    const { client } = recordingClient(() => new Promise<void>((resolve) => (release = resolve)));
    let settled = false;
    const sending = pushChannel({ client })
      .send(outgoing())
      .then(() => (settled = true));
    // Every pending microtask runs before setImmediate's callback: a send that did not wait would be settled by then.
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    release();
    await sending;
    expect(settled).toBe(true);
  });

  it.each<[string, () => unknown, string]>([
    ['no client', () => pushChannel({} as never), 'options.client'],
    ['a client without trigger', () => pushChannel({ client: { publish() {} } as never }), 'options.client'],
    ['an empty event', () => pushChannel({ client: recordingClient().client, event: '' }), 'options.event'],
    ['an empty channel', () => pushChannel({ client: recordingClient().client, channel: ' ' }), 'options.channel'],
    [
      'a channel of another type',
      () => pushChannel({ client: recordingClient().client, channel: 7 as never }),
      'options.channel',
    ],
  ])('refuses %s at creation', (_case, create, field) => {
    expect(create).toThrow(ValidationError);
    expect(create).toThrow(expect.objectContaining({ field }));
  });
});

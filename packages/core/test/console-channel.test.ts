import { afterEach, describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../src/errors';
import { consoleChannel } from '../src/notifier/channels/console-channel';
import { outgoing } from './notification-fixture';

describe('consoleChannel()', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('writes one line per notification', async () => {
    const lines: string[] = [];
    const channel = consoleChannel({ write: (line) => lines.push(line) });
    expect(channel.name).toBe('console');

    await channel.send(outgoing());
    await channel.send({ ...outgoing({ id: '43', recipient: 'bob' }), body: 'first line\n  second line\r\nthird' });

    expect(lines).toEqual([
      '[settle] reminder → ann: 1 hour left | "Chess open" closes at 18:00 on Tuesday 24 November (Europe/Paris). (id 42)',
      '[settle] reminder → bob: 1 hour left | first line second line third (id 43)',
    ]);
  });

  it('writes to stdout by default', async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });

    await consoleChannel().send(outgoing());

    expect(written).toEqual([
      '[settle] reminder → ann: 1 hour left | "Chess open" closes at 18:00 on Tuesday 24 November (Europe/Paris). (id 42)\n',
    ]);
  });

  it('refuses a write that is not a function', () => {
    expect(() => consoleChannel({ write: 'stdout' as never })).toThrow(ValidationError);
  });
});

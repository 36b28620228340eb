import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../src/domain/json';
import { ValidationError } from '../src/errors';
import { renderNotification } from '../src/notifier/render-notification';
import { reminderRow } from './notification-fixture';

function reminder(deadline: string, challengeTitle = 'Chess open') {
  return reminderRow({ payload: { challengeTitle, deadline, offset: 'PT1H' } });
}

function render(payload: JsonObject, kind: string, now: string, zone?: string, locale?: string) {
  return renderNotification(reminderRow({ kind, payload }), { now: new Date(now), zone, locale });
}

// 2026-11-24 is a Tuesday; 18:00 in Paris (CET, UTC+1) is 17:00 UTC.
const DEADLINE = '2026-11-24T17:00:00.000Z';

describe('renderNotification() of a reminder', () => {
  it('says the time left and the deadline in the recipient’s zone, in British English', () => {
    expect(
      renderNotification(reminder(DEADLINE), {
        now: new Date('2026-11-24T16:00:00Z'),
        zone: 'Europe/Paris',
        locale: 'en-GB',
      }),
    ).toEqual({ title: '1 hour left', body: '"Chess open" closes at 18:00 on Tuesday 24 November (Europe/Paris).' });
  });

  it('in American English', () => {
    expect(
      renderNotification(reminder(DEADLINE), {
        now: new Date('2026-11-24T16:50:00Z'),
        zone: 'America/New_York',
        locale: 'en-US',
      }),
    ).toEqual({
      title: '10 minutes left',
      body: '"Chess open" closes at 12:00 PM on Tuesday, November 24 (America/New_York).',
    });
  });

  it('in French', () => {
    expect(
      renderNotification(reminder(DEADLINE), {
        now: new Date('2026-11-24T16:50:00Z'),
        zone: 'Europe/Paris',
        locale: 'fr',
      }),
    ).toEqual({
      title: 'Il reste 10 minutes',
      body: '«\u00a0Chess open\u00a0» se termine à 18:00 le mardi 24 novembre (Europe/Paris).',
    });
    expect(
      renderNotification(reminder(DEADLINE), {
        now: new Date('2026-11-24T15:50:00Z'),
        zone: 'Europe/Paris',
        locale: 'fr-CA',
      }).title,
    ).toBe('Il reste 1 heure et 10 minutes');
  });

  it.each([
    ['2026-11-24T16:00:03Z', '1 hour left'],
    ['2026-11-24T16:00:45Z', '59 minutes left'],
    ['2026-11-24T15:50:00Z', '1 hour and 10 minutes left'],
    ['2026-11-24T14:00:00Z', '3 hours left'],
    ['2026-11-23T14:00:00Z', '1 day and 3 hours left'],
    ['2026-11-22T16:40:00Z', '2 days left'],
    ['2026-11-24T16:59:40Z', 'Less than a minute left'],
  ])('rounds the time left at %s to “%s”', (now, title) => {
    expect(
      renderNotification(reminder(DEADLINE), { now: new Date(now), zone: 'Europe/Paris', locale: 'en' }).title,
    ).toBe(title);
  });

  it('counts real elapsed time across the end of daylight saving time in New York', () => {
    // 01:30 happens twice on 1 November 2026: first EDT (05:30 UTC), then EST (06:30 UTC).
    expect(
      renderNotification(reminder('2026-11-01T06:30:00Z'), {
        now: new Date('2026-11-01T05:30:00Z'),
        zone: 'America/New_York',
        locale: 'en-US',
      }),
    ).toEqual({
      title: '1 hour left',
      body: '"Chess open" closes at 1:30 AM on Sunday, November 1 (America/New_York).',
    });
  });

  it('counts real elapsed time across the start of daylight saving time in New York', () => {
    // 02:00–03:00 does not exist on 8 March 2026: from 01:30 EST to 03:30 EDT is one hour.
    expect(
      renderNotification(reminder('2026-03-08T07:30:00Z'), {
        now: new Date('2026-03-08T06:30:00Z'),
        zone: 'America/New_York',
        locale: 'en-US',
      }),
    ).toEqual({ title: '1 hour left', body: '"Chess open" closes at 3:30 AM on Sunday, March 8 (America/New_York).' });
  });

  it('counts real elapsed time across the end of summer time in Paris', () => {
    // 02:30 happens twice on 25 October 2026: first CEST (00:30 UTC), then CET (01:30 UTC).
    expect(
      renderNotification(reminder('2026-10-25T01:30:00Z'), {
        now: new Date('2026-10-25T00:30:00Z'),
        zone: 'Europe/Paris',
        locale: 'fr',
      }),
    ).toEqual({
      title: 'Il reste 1 heure',
      body: '«\u00a0Chess open\u00a0» se termine à 02:30 le dimanche 25 octobre (Europe/Paris).',
    });
  });

  it('shows the local date, which may differ from the UTC one, and the year when it is not this year', () => {
    // 31 December 23:30 in Honolulu is already 1 January in UTC.
    expect(
      renderNotification(reminder('2027-01-01T09:30:00Z'), {
        now: new Date('2027-01-01T08:30:00Z'),
        zone: 'Pacific/Honolulu',
        locale: 'en-GB',
      }).body,
    ).toBe('"Chess open" closes at 23:30 on Thursday 31 December (Pacific/Honolulu).');
    expect(
      renderNotification(reminder('2027-01-01T00:30:00Z'), {
        now: new Date('2026-12-31T23:20:00Z'),
        zone: 'Europe/London',
        locale: 'en-GB',
      }),
    ).toEqual({
      title: '1 hour and 10 minutes left',
      body: '"Chess open" closes at 00:30 on Friday, 1 January 2027 (Europe/London).',
    });
  });

  it('says the challenge closed when the deadline already passed', () => {
    expect(
      renderNotification(reminder(DEADLINE), {
        now: new Date('2026-11-24T17:00:00Z'),
        zone: 'Europe/Paris',
        locale: 'en-GB',
      }),
    ).toEqual({ title: 'Closed', body: '"Chess open" closed at 18:00 on Tuesday 24 November (Europe/Paris).' });
    expect(
      renderNotification(reminder(DEADLINE), {
        now: new Date('2026-11-24T17:05:00Z'),
        zone: 'Europe/Paris',
        locale: 'fr',
      }),
    ).toEqual({
      title: 'Terminé',
      body: '«\u00a0Chess open\u00a0» s’est terminé à 18:00 le mardi 24 novembre (Europe/Paris).',
    });
  });

  it('defaults to UTC and English', () => {
    expect(renderNotification(reminder(DEADLINE), { now: new Date('2026-11-24T16:00:00Z') })).toEqual({
      title: '1 hour left',
      body: '"Chess open" closes at 5:00 PM on Tuesday, November 24 (UTC).',
    });
  });

  it('writes English, with English dates, for a language it has no text for', () => {
    expect(
      renderNotification(reminder(DEADLINE), {
        now: new Date('2026-11-24T16:00:00Z'),
        zone: 'Europe/Berlin',
        locale: 'de-DE',
      }),
    ).toEqual({
      title: '1 hour left',
      body: '"Chess open" closes at 6:00 PM on Tuesday, November 24 (Europe/Berlin).',
    });
  });
});

describe('renderNotification() of status notices', () => {
  it('tells an admin that a challenge needs a result', () => {
    const payload = { challengeTitle: 'Chess open', deadline: DEADLINE };
    expect(render(payload, 'pending_admin', '2026-11-24T17:00:02Z', 'Europe/Paris', 'en-GB')).toEqual({
      title: '"Chess open" needs a result',
      body: '"Chess open" closed at 18:00 on Tuesday 24 November (Europe/Paris) and is waiting for an admin to resolve it.',
    });
    expect(render(payload, 'pending_admin', '2026-11-24T17:00:02Z', 'Europe/Paris', 'fr')).toEqual({
      title: '«\u00a0Chess open\u00a0» attend un résultat',
      body: '«\u00a0Chess open\u00a0» s’est terminé à 18:00 le mardi 24 novembre (Europe/Paris) et attend qu’un administrateur le résolve.',
    });
  });

  it('tells a winner they were paid, in minor units', () => {
    const payload = { challengeTitle: 'Chess open', amount: '1250', jobId: 'j1', entryId: 'e7' };
    expect(render(payload, 'payout_completed', '2026-11-25T09:00:00Z', 'Europe/Paris', 'en')).toEqual({
      title: 'Payout received',
      body: 'You received 1250 for "Chess open".',
    });
    expect(render(payload, 'payout_completed', '2026-11-25T09:00:00Z', 'Europe/Paris', 'fr')).toEqual({
      title: 'Paiement reçu',
      body: 'Vous avez reçu 1250 pour «\u00a0Chess open\u00a0».',
    });
    expect(
      render(
        { challengeTitle: null, amount: '9223372036854775807', jobId: 'j1', entryId: 'e8' },
        'payout_completed',
        '2026-11-25T09:00:00Z',
      ),
    ).toEqual({ title: 'Payout received', body: 'You received 9223372036854775807.' });
  });
});

describe('renderNotification() fallback', () => {
  it('renders an unknown kind from its kind and payload', () => {
    expect(
      render({ badge: 'Grandmaster', points: 120, tags: ['chess'] }, 'badge_earned', '2026-11-25T09:00:00Z'),
    ).toEqual({ title: 'Badge earned', body: 'badge: Grandmaster; points: 120; tags: ["chess"]' });
    expect(render({}, 'ping', '2026-11-25T09:00:00Z')).toEqual({ title: 'Ping', body: 'Ping' });
    expect(render({ blob: 'x'.repeat(5000) }, 'export.ready', '2026-11-25T09:00:00Z').body).toHaveLength(1000);
  });

  it.each<[string, JsonObject]>([
    ['reminder', { challengeTitle: 'Chess open' }],
    ['reminder', { challengeTitle: 'Chess open', deadline: 'tomorrow' }],
    ['reminder', { challengeTitle: 42, deadline: DEADLINE }],
    ['pending_admin', { deadline: DEADLINE }],
    ['payout_completed', { challengeTitle: 'Chess open', amount: '12.50' }],
    ['payout_completed', { challengeTitle: 'Chess open' }],
  ])('falls back instead of throwing for a %s payload missing what it needs: %j', (kind, payload) => {
    const rendered = render(payload, kind, '2026-11-24T16:00:00Z', 'Europe/Paris', 'fr');
    expect(rendered.title).toBe(kind.charAt(0).toUpperCase() + kind.slice(1).replace('_', ' '));
    expect(rendered.body).toContain('challengeTitle' in payload ? 'challengeTitle: ' : 'deadline: ');
  });
});

describe('renderNotification() options', () => {
  it.each<[string, object]>([
    ['zone', { zone: 'Mars/Olympus_Mons' }],
    ['zone', { zone: '' }],
    ['locale', { locale: 'en_US' }],
    ['locale', { locale: '' }],
    ['now', { now: new Date(Number.NaN) }],
    ['now', { now: '2026-11-24T16:00:00Z' }],
  ])('refuses an invalid %s with a ValidationError naming it', (field, options) => {
    const call = () => renderNotification(reminder(DEADLINE), { now: new Date('2026-11-24T16:00:00Z'), ...options });
    expect(call).toThrow(ValidationError);
    expect(call).toThrow(expect.objectContaining({ field }));
  });
});

import { DateTime, Duration } from 'luxon';
import type { JsonObject, JsonValue } from '../domain/json';
import type { Notification } from '../domain/notification';
import { ValidationError } from '../errors';
import { formatAmount, parseAmount } from '../money/amount';

/**
 * Where and for whom a notification is rendered.
 *
 * @example
 * ```ts
 * const options: RenderNotificationOptions = { now: clock.now(), zone: 'America/New_York', locale: 'en-US' };
 * ```
 */
export interface RenderNotificationOptions {
  /** The instant of sending, from which the time left is counted. */
  readonly now: Date;
  /** The recipient's IANA time zone, e.g. `Europe/Paris`; deadlines are shown in it. Default: `UTC`. */
  readonly zone?: string;
  /**
   * The recipient's BCP 47 locale, e.g. `fr` or `en-GB`; it picks the language and the date and time
   * formats. The built-in text exists in English and French; other languages get English. Default: `en`.
   */
  readonly locale?: string;
}

/**
 * A rendered notification: the text an `OutgoingNotification` carries besides the row.
 *
 * @example
 * ```ts
 * const { title, body }: RenderedNotification = renderNotification(notification, { now: new Date() });
 * ```
 */
export interface RenderedNotification {
  /** Short title, e.g. `1 hour left`. */
  readonly title: string;
  /** One or two sentences. */
  readonly body: string;
}

/**
 * The default text of a notification in the recipient's zone and language:
 *
 * - `reminder` (`{ challengeTitle, deadline }`): the time left as title (`1 hour left`,
 *   `Il reste 10 minutes`), and the deadline in the recipient's zone as body
 *   (`"Chess open" closes at 18:00 on Tuesday 24 November (Europe/Paris).`).
 * - `pending_admin` (`{ challengeTitle, deadline }`): the challenge closed and needs a result.
 * - `payout_completed` (`{ challengeTitle, amount }`): the recipient was paid; the amount is shown in
 *   minor units, as Settle knows no currency (render your own text to show `€12.50`).
 * - any other kind, or a payload missing what its kind needs: a neutral text made of the kind and the
 *   payload's fields. Rendering never fails because of a payload.
 *
 * Times left are counted in real elapsed time, so a reminder an hour before a deadline that falls in
 * a daylight saving change still says `1 hour left`.
 *
 * @throws ValidationError naming `zone`, `locale` or `now` when one is invalid.
 *
 * @example
 * ```ts
 * renderNotification(notification, { now: new Date('2026-11-24T16:00:00Z'), zone: 'Europe/Paris', locale: 'en-GB' });
 * // { title: '1 hour left', body: '"Chess open" closes at 18:00 on Tuesday 24 November (Europe/Paris).' }
 * renderNotification(notification, { now: new Date('2026-11-24T16:50:00Z'), zone: 'Europe/Paris', locale: 'fr' });
 * // { title: 'Il reste 10 minutes', body: '« Chess open » se termine à 18:00 le mardi 24 novembre (Europe/Paris).' }
 * ```
 */
export function renderNotification(
  notification: Notification,
  options: RenderNotificationOptions,
): RenderedNotification {
  const now = options.now;
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new ValidationError('now', 'must be a valid Date');
  const zone = requireZone(options.zone ?? 'UTC');
  const requested = requireLocale(options.locale ?? 'en');
  const language = new Intl.Locale(requested).language;
  const known = Object.hasOwn(TEXTS, language);
  const texts = TEXTS[known ? language : 'en']!;
  // Dates and durations follow the locale only when the words do, so a sentence never mixes languages.
  const locale = known ? requested : 'en';
  const context: Rendering = { now: DateTime.fromJSDate(now, { zone }).setLocale(locale), texts };
  return renderKnownKind(notification, context) ?? renderFallback(notification);
}

interface Rendering {
  readonly now: DateTime;
  readonly texts: Texts;
}

/** The words of one language; a function gets the already formatted parts. */
interface Texts {
  quote(title: string): string;
  timeLeft(duration: string): string;
  lessThanAMinuteLeft: string;
  closed: string;
  closesAt(challenge: string, at: FormattedInstant): string;
  closedAt(challenge: string, at: FormattedInstant): string;
  needsResultTitle(challenge: string): string;
  needsResultBody(challenge: string, at: FormattedInstant): string;
  paidTitle: string;
  paidBody(amount: string, challenge: string | null): string;
}

interface FormattedInstant {
  readonly time: string;
  readonly date: string;
  readonly zone: string;
}

const TEXTS: Record<string, Texts> = {
  en: {
    quote: (title) => `"${title}"`,
    timeLeft: (duration) => `${duration} left`,
    lessThanAMinuteLeft: 'Less than a minute left',
    closed: 'Closed',
    closesAt: (challenge, at) => `${challenge} closes at ${at.time} on ${at.date} (${at.zone}).`,
    closedAt: (challenge, at) => `${challenge} closed at ${at.time} on ${at.date} (${at.zone}).`,
    needsResultTitle: (challenge) => `${challenge} needs a result`,
    needsResultBody: (challenge, at) =>
      `${challenge} closed at ${at.time} on ${at.date} (${at.zone}) and is waiting for an admin to resolve it.`,
    paidTitle: 'Payout received',
    paidBody: (amount, challenge) =>
      challenge ? `You received ${amount} for ${challenge}.` : `You received ${amount}.`,
  },
  fr: {
    quote: (title) => `«\u00a0${title}\u00a0»`,
    timeLeft: (duration) => `Il reste ${duration}`,
    lessThanAMinuteLeft: 'Il reste moins d’une minute',
    closed: 'Terminé',
    closesAt: (challenge, at) => `${challenge} se termine à ${at.time} le ${at.date} (${at.zone}).`,
    closedAt: (challenge, at) => `${challenge} s’est terminé à ${at.time} le ${at.date} (${at.zone}).`,
    needsResultTitle: (challenge) => `${challenge} attend un résultat`,
    needsResultBody: (challenge, at) =>
      `${challenge} s’est terminé à ${at.time} le ${at.date} (${at.zone}) et attend qu’un administrateur le résolve.`,
    paidTitle: 'Paiement reçu',
    paidBody: (amount, challenge) =>
      challenge ? `Vous avez reçu ${amount} pour ${challenge}.` : `Vous avez reçu ${amount}.`,
  },
};

function renderKnownKind(notification: Notification, context: Rendering): RenderedNotification | null {
  const { payload } = notification;
  const { texts } = context;
  switch (notification.kind) {
    case 'reminder': {
      const title = stringField(payload, 'challengeTitle');
      const deadline = instantField(payload, 'deadline', context.now);
      if (title === null || deadline === null) return null;
      const leftMs = deadline.toMillis() - context.now.toMillis();
      return {
        title: timeLeftTitle(leftMs, context),
        body:
          leftMs > 0
            ? texts.closesAt(texts.quote(title), formatInstant(deadline, context.now))
            : texts.closedAt(texts.quote(title), formatInstant(deadline, context.now)),
      };
    }
    case 'pending_admin': {
      const title = stringField(payload, 'challengeTitle');
      const deadline = instantField(payload, 'deadline', context.now);
      if (title === null || deadline === null) return null;
      return {
        title: texts.needsResultTitle(texts.quote(title)),
        body: texts.needsResultBody(texts.quote(title), formatInstant(deadline, context.now)),
      };
    }
    case 'payout_completed': {
      const amount = amountField(payload, 'amount');
      // A payout of a challenge without a title (or one deleted since) is still worth announcing.
      const title = stringField(payload, 'challengeTitle');
      if (amount === null) return null;
      return { title: texts.paidTitle, body: texts.paidBody(amount, title === null ? null : texts.quote(title)) };
    }
    default:
      return null;
  }
}

/**
 * Rounded to the minute, because a reminder sent a few seconds after its due instant should still
 * read "1 hour left"; past a day, to the hour.
 */
function timeLeftTitle(leftMs: number, context: Rendering): string {
  const minutes = Math.round(leftMs / 60_000);
  if (leftMs <= 0) return context.texts.closed;
  if (minutes < 1) return context.texts.lessThanAMinuteLeft;
  let parts: Record<string, number>;
  if (minutes < 60) parts = { minutes };
  else if (minutes < 24 * 60) parts = { hours: Math.floor(minutes / 60), minutes: minutes % 60 };
  else {
    const hours = Math.round(minutes / 60);
    parts = { days: Math.floor(hours / 24), hours: hours % 24 };
  }
  const nonZero = Object.fromEntries(Object.entries(parts).filter(([, value]) => value > 0));
  const duration = Duration.fromObject(nonZero, { locale: context.now.locale ?? 'en' });
  return context.texts.timeLeft(plainSpaces(duration.toHuman({ listStyle: 'long' })));
}

function formatInstant(instant: DateTime, now: DateTime): FormattedInstant {
  const local = instant.setZone(now.zone).setLocale(now.locale ?? 'en');
  return {
    time: plainSpaces(local.toLocaleString(DateTime.TIME_SIMPLE)),
    date: plainSpaces(
      local.toLocaleString({
        weekday: 'long',
        day: 'numeric',
        month: 'long',
        // A deadline in another year than today's says which.
        ...(local.year === now.year ? {} : { year: 'numeric' }),
      }),
    ),
    zone: now.zoneName ?? 'UTC',
  };
}

/**
 * ICU puts no-break and narrow no-break spaces in times and durations (`5:00\u202fPM`, `1\u00a0heure`),
 * and which one differs between ICU versions, so between Node versions: plain spaces keep the text the
 * same everywhere, and readable by SMS gateways and fonts that lack U+202F.
 */
function plainSpaces(text: string): string {
  return text.replace(/[\u00a0\u202f]/g, ' ');
}

/** Kind and payload, as plain as possible: the text of last resort, the same in every language. */
function renderFallback(notification: Notification): RenderedNotification {
  const words = notification.kind.replace(/[_.:-]+/g, ' ').trim();
  const title = words === '' ? 'Notification' : words.charAt(0).toUpperCase() + words.slice(1);
  const fields = Object.entries(notification.payload).map(([key, value]) => `${key}: ${plain(value)}`);
  const body = fields.length === 0 ? title : fields.join('; ');
  return { title, body: body.length > MAX_FALLBACK_BODY ? `${body.slice(0, MAX_FALLBACK_BODY - 1)}…` : body };
}

/** Long enough for any payload Settle writes; a host's large payload is cut rather than flooding a push message. */
const MAX_FALLBACK_BODY = 1000;

function plain(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function stringField(payload: JsonObject, key: string): string | null {
  const value = payload[key];
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function instantField(payload: JsonObject, key: string, now: DateTime): DateTime | null {
  const value = stringField(payload, key);
  if (value === null) return null;
  // Settle writes instants in UTC; a string without an offset is read as UTC too, never as server time.
  const instant = DateTime.fromISO(value, { zone: 'utc' }).setZone(now.zone);
  return instant.isValid ? instant : null;
}

function amountField(payload: JsonObject, key: string): string | null {
  try {
    return formatAmount(parseAmount(key, payload[key]));
  } catch {
    return null;
  }
}

function requireZone(zone: unknown): string {
  if (typeof zone !== 'string' || zone.trim() === '') throw new ValidationError('zone', 'must be a non-empty string');
  if (!DateTime.fromMillis(0, { zone }).isValid) {
    throw new ValidationError('zone', `must be an IANA time zone such as Europe/Paris, not ${JSON.stringify(zone)}`);
  }
  return zone;
}

function requireLocale(locale: unknown): string {
  if (typeof locale !== 'string' || locale.trim() === '') {
    throw new ValidationError('locale', 'must be a non-empty string');
  }
  try {
    return Intl.getCanonicalLocales(locale)[0]!;
  } catch {
    throw new ValidationError(
      'locale',
      `must be a BCP 47 language tag such as en-GB or fr, not ${JSON.stringify(locale)}`,
    );
  }
}

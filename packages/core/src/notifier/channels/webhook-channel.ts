import type { Notification } from '../../domain/notification';
import { DeliveryError, ValidationError } from '../../errors';
import type { NotificationChannel, OutgoingNotification } from '../../notification-channel';
import { type Clock, systemClock } from '../../time/clock';
import { type DurationInput, durationMs } from '../../time/duration';
import { requireString } from '../../validation';
import { toNotificationJson } from './notification-json';
import { requireWebhookSecrets, signWebhookBody, WEBHOOK_HEADERS, type WebhookSecret } from './webhook-signature';

/**
 * Options of {@link webhookChannel}.
 *
 * @example
 * ```ts
 * const options: WebhookChannelOptions = {
 *   url: (notification) => `https://${tenantOf(notification.recipient)}.example.com/hooks/settle`,
 *   secret: process.env.SETTLE_WEBHOOK_SECRET!,
 *   headers: { authorization: `Bearer ${process.env.HOOK_TOKEN}` },
 * };
 * ```
 */
export interface WebhookChannelOptions {
  /**
   * Where to POST: an `http(s)` URL, or a function choosing one per notification (a URL per tenant,
   * per kind). A function's result is checked on every send; an invalid one is a non-retryable failure.
   */
  readonly url: string | ((notification: Notification) => string);
  /**
   * The signing secret, shared with the receiver. While rotating, pass `[newSecret, oldSecret]`:
   * every request then carries one signature per secret, so a receiver holding either verifies it.
   */
  readonly secret: WebhookSecret;
  /** How long one request may take, answer included, before it counts as failed (and is retried). Default: `PT10S`. */
  readonly timeout?: DurationInput;
  /**
   * Extra request headers, e.g. `authorization`. They cannot replace `content-type`, `content-length`,
   * `host` or the `settle-` headers. Default: none.
   */
  readonly headers?: Readonly<Record<string, string>>;
  /** The `fetch` to call, e.g. one with a proxy agent or a test double. Default: the global `fetch`. */
  readonly fetch?: typeof globalThis.fetch;
  /** Source of the `settle-timestamp` and `sentAt` values. Default: the system clock. */
  readonly clock?: Clock;
  /** The channel's name, for preferences and logs; set it to tell two webhook channels apart. Default: `webhook`. */
  readonly name?: string;
}

/** Response bytes quoted in a failure's message: enough for a receiver's error text, never a whole page. */
const MAX_QUOTED_BYTES = 512;
/** Bytes of a 2xx answer read so the connection can be reused; a longer answer is cut off. */
const MAX_DRAINED_BYTES = 64 * 1024;
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'host', ...Object.values(WEBHOOK_HEADERS)]);

/**
 * A channel that POSTs each notification as JSON ({@link NotificationJson}) to a URL, signed with
 * HMAC-SHA256 so the receiver can check it came from you, unchanged and recently (see
 * {@link verifyWebhookSignature} and {@link WEBHOOK_HEADERS}).
 *
 * A 2xx answer means delivered. 5xx, 408, 429, a timeout or a network error throw a retryable
 * {@link DeliveryError} (the Notifier retries with backoff); redirects and other 4xx answers throw a
 * non-retryable one, which dead-letters the notification at once. Redirects are not followed,
 * because following one would turn the POST into a GET.
 *
 * @throws ValidationError at creation for a bad URL, an empty secret, an invalid timeout or a reserved header.
 *
 * @example
 * ```ts
 * const notifier = new Notifier({
 *   store,
 *   channels: [
 *     webhookChannel({
 *       url: 'https://api.example.com/hooks/settle',
 *       secret: process.env.SETTLE_WEBHOOK_SECRET!,
 *       timeout: 'PT5S',
 *     }),
 *   ],
 * });
 * ```
 */
export function webhookChannel(options: WebhookChannelOptions): NotificationChannel {
  if (typeof options !== 'object' || options === null) throw new ValidationError('options', 'must be an object');
  const name = requireString('options.name', options.name ?? 'webhook', { maxLength: 100 });
  const url = typeof options.url === 'function' ? options.url : requireWebhookUrl('options.url', options.url);
  const secrets = requireWebhookSecrets('options.secret', options.secret);
  const timeoutMs = durationMs('options.timeout', options.timeout ?? 'PT10S');
  const extraHeaders = requireExtraHeaders('options.headers', options.headers ?? {});
  const fetchFn = options.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== 'function') throw new ValidationError('options.fetch', 'must be a function');
  const clock = options.clock ?? systemClock;

  return {
    name,
    async send(message: OutgoingNotification): Promise<void> {
      const { notification } = message;
      const target = url instanceof URL ? url : resolveUrl(name, notification, url);
      const sentAt = clock.now();
      const timestamp = Math.floor(sentAt.getTime() / 1000);
      const body = JSON.stringify(toNotificationJson(message, sentAt));
      const context = { notificationId: notification.id, url: target.origin };

      let response: Response;
      try {
        response = await fetchFn(target, {
          method: 'POST',
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
          body,
          headers: {
            'user-agent': 'settle-webhook',
            ...extraHeaders,
            'content-type': 'application/json',
            [WEBHOOK_HEADERS.id]: notification.id,
            [WEBHOOK_HEADERS.timestamp]: String(timestamp),
            [WEBHOOK_HEADERS.signature]: signWebhookBody({ secret: secrets, body, timestamp }),
          },
        });
      } catch (err) {
        const reason = isTimeout(err)
          ? `${target.origin} did not answer within ${timeoutMs} ms`
          : `request to ${target.origin} failed: ${describe(err)}`;
        throw new DeliveryError(`${name}: ${reason}`, { channel: name, retryable: true, cause: err, context });
      }

      if (response.status >= 200 && response.status < 300) {
        // The receiver has accepted; a body that fails to arrive changes nothing.
        await readText(response, MAX_DRAINED_BYTES).catch(() => undefined);
        return;
      }
      const quoted = await readText(response, MAX_QUOTED_BYTES).catch(() => '');
      const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
      const redirected = response.status >= 300 && response.status < 400;
      const explanation = redirected
        ? `redirected (to ${response.headers.get('location') ?? 'nowhere'}); configure the final URL`
        : `answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
      throw new DeliveryError(`${name}: ${target.origin} ${explanation}${quoted ? `: ${quoted}` : ''}`, {
        channel: name,
        retryable,
        status: response.status,
        retryAfterMs: retryable ? parseRetryAfter(response.headers.get('retry-after'), sentAt) : undefined,
        context: { ...context, status: response.status },
      });
    },
  };
}

function requireWebhookUrl(field: string, value: unknown): URL {
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a URL string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError(field, 'must be an absolute URL, e.g. https://api.example.com/hooks/settle');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ValidationError(field, 'must be http(s)');
  // fetch refuses such URLs at every send; say so once, at start-up.
  if (url.username || url.password) {
    throw new ValidationError(field, 'must not contain credentials; pass an authorization header in options.headers');
  }
  return url;
}

function resolveUrl(channel: string, notification: Notification, url: (n: Notification) => string): URL {
  const value = url(notification);
  try {
    return requireWebhookUrl('url', value);
  } catch (err) {
    // The same function will return the same bad URL next time: retrying cannot help.
    throw new DeliveryError(`${channel}: options.url returned an invalid URL (${(err as Error).message})`, {
      channel,
      retryable: false,
      cause: err,
      context: { notificationId: notification.id },
    });
  }
}

function requireExtraHeaders(field: string, value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(field, 'must be an object of header names to values');
  }
  const headers: Record<string, string> = {};
  for (const [key, headerValue] of Object.entries(value)) {
    const lower = key.toLowerCase();
    if (RESERVED_HEADERS.has(lower))
      throw new ValidationError(`${field}.${key}`, 'is set by Settle and cannot be replaced');
    if (typeof headerValue !== 'string') throw new ValidationError(`${field}.${key}`, 'must be a string');
    try {
      new Headers([[key, headerValue]]);
    } catch {
      throw new ValidationError(`${field}.${key}`, 'is not a valid HTTP header name and value');
    }
    headers[lower] = headerValue;
  }
  return headers;
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && err.name === 'TimeoutError';
}

/** fetch's own errors say only "fetch failed"; the reason (ECONNREFUSED, a TLS error) is in `cause`. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
  if (typeof cause?.code === 'string') return `${err.message} (${cause.code})`;
  if (typeof cause?.message === 'string') return `${err.message} (${cause.message})`;
  return err.message;
}

/** Reads at most `maxBytes` of the answer as text, then lets the rest go. */
async function readText(response: Response, maxBytes: number): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  while (length < maxBytes) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.byteLength;
  }
  if (length >= maxBytes) await reader.cancel();
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8').trim();
}

/** `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
function parseRetryAfter(value: string | null, now: Date): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^[0-9]+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}

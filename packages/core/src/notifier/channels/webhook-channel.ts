import { Agent, validateHeaderName, validateHeaderValue } from 'node:http';
import type { Notification } from '../../domain/notification';
import { DeliveryError, ValidationError } from '../../errors';
import type { NotificationChannel, OutgoingNotification } from '../../notification-channel';
import { type Clock, systemClock } from '../../time/clock';
import { type DurationInput, durationMs } from '../../time/duration';
import { requireString } from '../../validation';
import { toNotificationJson } from './notification-json';
import { postWebhook, type WebhookAnswer, WebhookRequestRefused } from './webhook-post';
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
  /**
   * The `node:http` / `node:https` agent that holds the connections, e.g. one with a proxy, a private
   * CA, or a cap on sockets (an `https.Agent` for `https` URLs). Default: Node's global agents, which
   * keep connections alive between requests.
   */
  readonly agent?: Agent;
  /** Source of the `settle-timestamp` and `sentAt` values. Default: the system clock. */
  readonly clock?: Clock;
  /** The channel's name, for preferences and logs; set it to tell two webhook channels apart. Default: `webhook`. */
  readonly name?: string;
}

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
  const agent = options.agent;
  if (agent !== undefined && !(agent instanceof Agent)) {
    throw new ValidationError('options.agent', 'must be an http.Agent or https.Agent');
  }
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

      let answer: WebhookAnswer;
      try {
        answer = await postWebhook({
          url: target,
          body,
          timeoutMs,
          agent,
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
        const retryable = !(err instanceof WebhookRequestRefused);
        throw new DeliveryError(`${name}: ${reason}`, { channel: name, retryable, cause: err, context });
      }

      const { status, statusText, quote } = answer;
      if (status >= 200 && status < 300) return;
      const retryable = status >= 500 || status === 408 || status === 429;
      const redirected = status >= 300 && status < 400;
      const explanation = redirected
        ? `redirected (to ${answer.location ?? 'nowhere'}); configure the final URL`
        : `answered ${status}${statusText ? ` ${statusText}` : ''}`;
      throw new DeliveryError(`${name}: ${target.origin} ${explanation}${quote ? `: ${quote}` : ''}`, {
        channel: name,
        retryable,
        status,
        retryAfterMs: retryable ? parseRetryAfter(answer.retryAfter, sentAt) : undefined,
        context: { ...context, status },
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
  // Credentials in a URL end up in logs and error messages; an authorization header does not.
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
      validateHeaderName(key);
      validateHeaderValue(key, headerValue);
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

/** A network error's message, with its code (`ECONNRESET`, a TLS code) when the message lacks it. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
}

/** `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^[0-9]+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}

import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../../errors';
import { type DurationInput, durationMs } from '../../time/duration';
import { requireString } from '../../validation';

/**
 * The headers of every webhook request Settle sends. Node lower-cases incoming header names, so
 * `req.headers[WEBHOOK_HEADERS.signature]` works as is.
 *
 * - `settle-id`: the notification id, the same on every attempt; deduplicate on it.
 * - `settle-timestamp`: when this attempt was signed, in Unix seconds.
 * - `settle-signature`: `v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`, one per signing
 *   secret, separated by spaces.
 *
 * @example
 * ```ts
 * const ok = verifyWebhookSignature({
 *   secret: process.env.SETTLE_WEBHOOK_SECRET!,
 *   body: rawBody,
 *   timestamp: req.headers[WEBHOOK_HEADERS.timestamp],
 *   signature: req.headers[WEBHOOK_HEADERS.signature],
 * });
 * ```
 */
export const WEBHOOK_HEADERS = {
  id: 'settle-id',
  timestamp: 'settle-timestamp',
  signature: 'settle-signature',
} as const;

/** The signature scheme's version tag; a future scheme gets `v2=` and can be sent beside `v1=` during a migration. */
const SCHEME = 'v1';
const HEX_SHA256 = /^[0-9a-f]{64}$/i;
const UNIX_SECONDS = /^[0-9]{1,12}$/;
/** A header is attacker-controlled: look at no more than this many signatures in it. */
const MAX_SIGNATURES = 16;
/** Secrets are checked once per channel or verification, never interpolated; the limit only catches a pasted file. */
const MAX_SECRET_LENGTH = 4096;

/**
 * One webhook secret, or several while rotating (every one of them signs, or may verify).
 *
 * @example
 * ```ts
 * const secret: WebhookSecret = [process.env.SETTLE_WEBHOOK_SECRET!, process.env.SETTLE_WEBHOOK_SECRET_OLD!];
 * ```
 */
export type WebhookSecret = string | readonly string[];

/**
 * Validates a {@link WebhookSecret} into a non-empty list of non-blank secrets.
 *
 * @internal
 */
export function requireWebhookSecrets(field: string, secret: unknown): string[] {
  const secrets = Array.isArray(secret) ? secret : [secret];
  if (secrets.length === 0) throw new ValidationError(field, 'must list at least one secret');
  return secrets.map((s, i) =>
    requireString(Array.isArray(secret) ? `${field}[${i}]` : field, s, { maxLength: MAX_SECRET_LENGTH }),
  );
}

/**
 * Input of {@link signWebhookBody}.
 *
 * @example
 * ```ts
 * const input: SignWebhookBodyInput = { secret: 'whsec_test', body: '{"id":"n1"}', timestamp: 1795536003 };
 * ```
 */
export interface SignWebhookBodyInput {
  /** The signing secret(s); one `v1=` signature is produced per secret. */
  readonly secret: WebhookSecret;
  /** The exact bytes sent as the request body. */
  readonly body: string | Uint8Array;
  /** The `settle-timestamp` value, in Unix seconds. */
  readonly timestamp: number;
}

/**
 * Computes the `settle-signature` header value for a body: `v1=` followed by the hex HMAC-SHA256 of
 * `"<timestamp>.<body>"` under each secret, space-separated. Receivers do not need this (they call
 * {@link verifyWebhookSignature}); it is exported for tests that post signed requests to a receiver.
 *
 * @throws ValidationError for an empty secret or a timestamp that is not a whole number of seconds.
 *
 * @example
 * ```ts
 * const body = JSON.stringify({ id: 'n1' });
 * const timestamp = Math.floor(Date.now() / 1000);
 * const signature = signWebhookBody({ secret: 'whsec_test', body, timestamp }); // 'v1=5f0c…'
 * await fetch(receiverUrl, {
 *   method: 'POST',
 *   body,
 *   headers: { 'settle-timestamp': String(timestamp), 'settle-signature': signature },
 * });
 * ```
 */
export function signWebhookBody(input: SignWebhookBodyInput): string {
  const secrets = requireWebhookSecrets('secret', input.secret);
  if (!Number.isSafeInteger(input.timestamp) || input.timestamp < 0) {
    throw new ValidationError('timestamp', 'must be a whole, non-negative number of Unix seconds');
  }
  return secrets.map((secret) => `${SCHEME}=${hmac(secret, input.timestamp, input.body).toString('hex')}`).join(' ');
}

/**
 * Input of {@link verifyWebhookSignature}.
 *
 * @example
 * ```ts
 * const input: VerifyWebhookSignatureInput = {
 *   secret: process.env.SETTLE_WEBHOOK_SECRET!,
 *   body: rawBody,
 *   timestamp: req.headers['settle-timestamp'],
 *   signature: req.headers['settle-signature'],
 *   tolerance: 'PT2M',
 * };
 * ```
 */
export interface VerifyWebhookSignatureInput {
  /** Your webhook secret, or the current and the previous one while rotating. */
  readonly secret: WebhookSecret;
  /**
   * The raw request body exactly as received (a string or the bytes). Not a re-serialized
   * `JSON.parse` result: any change of spacing or key order breaks the signature.
   */
  readonly body: string | Uint8Array;
  /** The `settle-timestamp` header. A missing or malformed value fails verification. */
  readonly timestamp: string | number | readonly string[] | null | undefined;
  /** The `settle-signature` header. A missing or malformed value fails verification. */
  readonly signature: string | readonly string[] | null | undefined;
  /**
   * How far the timestamp may be from `now`, either way, before the request is refused as a
   * replay (or as signed by a clock that is badly off). Default: `PT5M`.
   */
  readonly tolerance?: DurationInput;
  /** The receiver's current time. Default: `new Date()`. */
  readonly now?: Date;
}

/**
 * Checks a webhook request Settle sent: true only when the timestamp is within `tolerance` of `now`
 * and one of the `v1=` signatures is the HMAC-SHA256 of `"<timestamp>.<body>"` under one of your
 * secrets. False for a tampered body, a wrong secret, a stale or future timestamp, and missing or
 * malformed headers. Signatures are compared in constant time.
 *
 * Accepting a request also means deduplicating it: the same notification may arrive more than once
 * (a retry after a lost answer), always with the same `id` (the `settle-id` header and the body's `id`).
 *
 * @throws ValidationError only for your own bad input: an empty secret or an invalid `tolerance`.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { verifyWebhookSignature, WEBHOOK_HEADERS } from '@settle/core';
 *
 * app.post('/settle-webhook', express.raw({ type: 'application/json' }), (req, res) => {
 *   const ok = verifyWebhookSignature({
 *     secret: process.env.SETTLE_WEBHOOK_SECRET!,
 *     body: req.body, // a Buffer, thanks to express.raw()
 *     timestamp: req.headers[WEBHOOK_HEADERS.timestamp],
 *     signature: req.headers[WEBHOOK_HEADERS.signature],
 *   });
 *   if (!ok) return res.status(401).end();
 *   const notification = JSON.parse(req.body.toString('utf8'));
 *   // … deduplicate on notification.id, then act …
 *   res.status(204).end();
 * });
 * ```
 */
export function verifyWebhookSignature(input: VerifyWebhookSignatureInput): boolean {
  const secrets = requireWebhookSecrets('secret', input.secret);
  const toleranceMs = durationMs('tolerance', input.tolerance ?? 'PT5M', { allowZero: true });
  const now = input.now ?? new Date();

  const timestamp = singleHeader(input.timestamp);
  if (timestamp === null || !UNIX_SECONDS.test(timestamp)) return false;
  const seconds = Number(timestamp);
  if (Math.abs(now.getTime() - seconds * 1000) > toleranceMs) return false;

  const header = singleHeader(input.signature);
  if (header === null) return false;
  const candidates = header
    .split(/[\s,]+/)
    .slice(0, MAX_SIGNATURES)
    .filter((part) => part.startsWith(`${SCHEME}=`))
    .map((part) => part.slice(SCHEME.length + 1))
    .filter((hex) => HEX_SHA256.test(hex))
    .map((hex) => Buffer.from(hex, 'hex'));
  if (candidates.length === 0) return false;

  // Every pair is compared, so the time taken does not reveal which secret or signature matched.
  let matched = false;
  for (const secret of secrets) {
    const expected = hmac(secret, seconds, input.body);
    for (const candidate of candidates) matched = timingSafeEqual(expected, candidate) || matched;
  }
  return matched;
}

function hmac(secret: string, timestamp: number, body: string | Uint8Array): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

/** A header as Node hands it over: a string, a number from a caller, or an array when it was repeated. */
function singleHeader(value: string | number | readonly string[] | null | undefined): string | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : null;
  if (typeof value === 'string') return value.trim();
  // Node joins repeated custom headers with ', ' but some frameworks pass arrays through.
  if (Array.isArray(value)) return value.join(' ');
  return null;
}

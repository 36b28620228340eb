import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/errors';
import { signWebhookBody, verifyWebhookSignature } from '../src/notifier/channels/webhook-signature';

const SECRET = 'whsec_test_5d1c0a';
const BODY = '{"id":"42","kind":"reminder","title":"Il reste 10 minutes","body":"« Chess open » se termine"}';
const TIMESTAMP = 1_795_536_003;
const NOW = new Date(TIMESTAMP * 1000);

/** The recipe as docs/notifier.md states it, written out independently of the code under test. */
function recipe(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

const valid = { secret: SECRET, body: BODY, timestamp: String(TIMESTAMP), now: NOW };

describe('signWebhookBody()', () => {
  it('is v1= and the hex HMAC-SHA256 of "<timestamp>.<body>"', () => {
    expect(signWebhookBody({ secret: SECRET, body: BODY, timestamp: TIMESTAMP })).toBe(
      `v1=${recipe(SECRET, TIMESTAMP, BODY)}`,
    );
    expect(signWebhookBody({ secret: SECRET, body: Buffer.from(BODY, 'utf8'), timestamp: TIMESTAMP })).toBe(
      `v1=${recipe(SECRET, TIMESTAMP, BODY)}`,
    );
  });

  it('lists one signature per secret', () => {
    expect(signWebhookBody({ secret: ['a', 'b'], body: BODY, timestamp: TIMESTAMP })).toBe(
      `v1=${recipe('a', TIMESTAMP, BODY)} v1=${recipe('b', TIMESTAMP, BODY)}`,
    );
  });

  it.each([-1, 1.5, Number.NaN])('refuses the timestamp %s', (timestamp) => {
    expect(() => signWebhookBody({ secret: SECRET, body: BODY, timestamp })).toThrow(ValidationError);
  });
});

describe('verifyWebhookSignature()', () => {
  const signature = `v1=${recipe(SECRET, TIMESTAMP, BODY)}`;

  it('accepts a request signed by the recipe, body as a string or as bytes', () => {
    expect(verifyWebhookSignature({ ...valid, signature })).toBe(true);
    expect(verifyWebhookSignature({ ...valid, body: Buffer.from(BODY, 'utf8'), signature })).toBe(true);
    expect(verifyWebhookSignature({ ...valid, timestamp: TIMESTAMP, signature })).toBe(true);
  });

  it('rejects a tampered body, including re-serialized JSON', () => {
    expect(verifyWebhookSignature({ ...valid, body: BODY.replace('42', '43'), signature })).toBe(false);
    expect(verifyWebhookSignature({ ...valid, body: JSON.stringify(JSON.parse(BODY), null, 1), signature })).toBe(
      false,
    );
    expect(verifyWebhookSignature({ ...valid, body: `${BODY} `, signature })).toBe(false);
  });

  it('rejects a wrong secret, and accepts any of several secrets while rotating', () => {
    expect(verifyWebhookSignature({ ...valid, secret: 'whsec_other', signature })).toBe(false);
    expect(verifyWebhookSignature({ ...valid, secret: ['whsec_other', SECRET], signature })).toBe(true);
    expect(verifyWebhookSignature({ ...valid, signature: `v1=${'0'.repeat(64)} ${signature}` })).toBe(true);
  });

  it('rejects a signature moved to another timestamp', () => {
    expect(verifyWebhookSignature({ ...valid, timestamp: String(TIMESTAMP + 1), signature })).toBe(false);
  });

  it('accepts timestamps up to the tolerance either way and rejects beyond it', () => {
    const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);
    expect(verifyWebhookSignature({ ...valid, signature, now: at(300_000) })).toBe(true);
    expect(verifyWebhookSignature({ ...valid, signature, now: at(300_001) })).toBe(false);
    expect(verifyWebhookSignature({ ...valid, signature, now: at(-300_000) })).toBe(true);
    expect(verifyWebhookSignature({ ...valid, signature, now: at(-300_001) })).toBe(false);
    expect(verifyWebhookSignature({ ...valid, signature, now: at(59_000), tolerance: 'PT1M' })).toBe(true);
    expect(verifyWebhookSignature({ ...valid, signature, now: at(61_000), tolerance: 'PT1M' })).toBe(false);
  });

  it.each<[string, unknown, unknown]>([
    ['no signature header', String(TIMESTAMP), undefined],
    ['an empty signature header', String(TIMESTAMP), ''],
    ['a signature without its version', String(TIMESTAMP), recipe(SECRET, TIMESTAMP, BODY)],
    ['another version', String(TIMESTAMP), `v0=${recipe(SECRET, TIMESTAMP, BODY)}`],
    ['a truncated signature', String(TIMESTAMP), `v1=${recipe(SECRET, TIMESTAMP, BODY).slice(0, 63)}`],
    ['a signature that is not hex', String(TIMESTAMP), `v1=${'z'.repeat(64)}`],
    ['no timestamp header', undefined, `v1=${recipe(SECRET, TIMESTAMP, BODY)}`],
    ['a timestamp in milliseconds', String(TIMESTAMP * 1000), `v1=${recipe(SECRET, TIMESTAMP * 1000, BODY)}`],
    ['a timestamp that is not a number', 'yesterday', `v1=${recipe(SECRET, TIMESTAMP, BODY)}`],
    ['a negative timestamp', '-1', `v1=${recipe(SECRET, -1, BODY)}`],
    ['a repeated timestamp header', [String(TIMESTAMP), String(TIMESTAMP)], `v1=${recipe(SECRET, TIMESTAMP, BODY)}`],
  ])('rejects %s', (_case, timestamp, signatureHeader) => {
    expect(
      verifyWebhookSignature({
        ...valid,
        timestamp: timestamp as string | undefined,
        signature: signatureHeader as string | undefined,
      }),
    ).toBe(false);
  });

  it('throws ValidationError for its own bad configuration, not for bad requests', () => {
    expect(() => verifyWebhookSignature({ ...valid, secret: '', signature })).toThrow(ValidationError);
    expect(() => verifyWebhookSignature({ ...valid, secret: [], signature })).toThrow(ValidationError);
    expect(() => verifyWebhookSignature({ ...valid, tolerance: 'PT-5M', signature })).toThrow(ValidationError);
  });
});

import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { createServer, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryError, ValidationError } from '../src/errors';
import type { NotificationJson } from '../src/notifier/channels/notification-json';
import { webhookChannel } from '../src/notifier/channels/webhook-channel';
import { verifyWebhookSignature, WEBHOOK_HEADERS } from '../src/notifier/channels/webhook-signature';
import { type HttpReceiver, startHttpReceiver } from './http-receiver';
import { outgoing, stoppedClock } from './notification-fixture';

const SECRET = 'whsec_test_5d1c0a';
const SENT_AT = new Date('2026-11-24T16:00:03.250Z');
const clock = stoppedClock(SENT_AT);

let receiver: HttpReceiver;
beforeEach(async () => {
  receiver = await startHttpReceiver();
});
afterEach(async () => {
  await receiver.close();
});

async function sendError(promise: Promise<unknown>): Promise<DeliveryError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

function header(value: string | string[] | undefined): string {
  expect(typeof value).toBe('string');
  return value as string;
}

describe('webhookChannel()', () => {
  it('POSTs the notification as signed JSON that verifies with the documented recipe', async () => {
    const channel = webhookChannel({ url: `${receiver.origin}/hooks/settle?tenant=t1`, secret: SECRET, clock });
    expect(channel.name).toBe('webhook');

    await channel.send(outgoing());

    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/hooks/settle?tenant=t1');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['user-agent']).toBe('settle-webhook');
    expect(request?.headers[WEBHOOK_HEADERS.id]).toBe('42');
    expect(request?.headers[WEBHOOK_HEADERS.timestamp]).toBe('1795536003');
    expect(header(request?.headers[WEBHOOK_HEADERS.signature])).toMatch(/^v1=[0-9a-f]{64}$/);

    const json = JSON.parse(request!.body.toString('utf8')) as NotificationJson;
    expect(json).toEqual({
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
    });

    const signed = {
      secret: SECRET,
      body: request!.body,
      timestamp: request!.headers[WEBHOOK_HEADERS.timestamp],
      signature: request!.headers[WEBHOOK_HEADERS.signature],
      now: new Date('2026-11-24T16:00:04Z'),
    };
    expect(verifyWebhookSignature(signed)).toBe(true);
    expect(verifyWebhookSignature({ ...signed, body: request!.body.toString('utf8') })).toBe(true);

    const tampered = request!.body.toString('utf8').replace('"recipient":"ann"', '"recipient":"bob"');
    expect(tampered).not.toBe(request!.body.toString('utf8'));
    expect(verifyWebhookSignature({ ...signed, body: tampered })).toBe(false);
    expect(verifyWebhookSignature({ ...signed, secret: 'whsec_other' })).toBe(false);
    // The same request replayed ten minutes later, or its timestamp moved forward to look fresh.
    expect(verifyWebhookSignature({ ...signed, now: new Date('2026-11-24T16:10:04Z') })).toBe(false);
    expect(verifyWebhookSignature({ ...signed, timestamp: '1795536603', now: new Date('2026-11-24T16:10:04Z') })).toBe(
      false,
    );
  });

  it('signs with every secret while rotating, so a receiver holding either one verifies', async () => {
    const channel = webhookChannel({ url: receiver.origin, secret: ['whsec_new', 'whsec_old'], clock });
    await channel.send(outgoing());

    const request = receiver.requests[0]!;
    expect(header(request.headers[WEBHOOK_HEADERS.signature])).toMatch(/^v1=[0-9a-f]{64} v1=[0-9a-f]{64}$/);
    const signed = {
      body: request.body,
      timestamp: request.headers[WEBHOOK_HEADERS.timestamp],
      signature: request.headers[WEBHOOK_HEADERS.signature],
      now: SENT_AT,
    };
    expect(verifyWebhookSignature({ ...signed, secret: 'whsec_new' })).toBe(true);
    expect(verifyWebhookSignature({ ...signed, secret: 'whsec_old' })).toBe(true);
    expect(verifyWebhookSignature({ ...signed, secret: 'whsec_retired' })).toBe(false);
  });

  it('chooses the URL per notification and adds the extra headers', async () => {
    const channel = webhookChannel({
      url: (notification) => `${receiver.origin}/users/${notification.recipient}`,
      secret: SECRET,
      headers: { Authorization: 'Bearer t0k3n', 'X-Tenant': 'acme' },
      name: 'tenant-webhook',
      clock,
    });
    expect(channel.name).toBe('tenant-webhook');

    await channel.send(outgoing({ id: '1', recipient: 'ann' }));
    await channel.send(outgoing({ id: '2', recipient: 'bob' }));

    expect(receiver.requests.map((r) => r.path)).toEqual(['/users/ann', '/users/bob']);
    expect(receiver.requests.map((r) => r.headers[WEBHOOK_HEADERS.id])).toEqual(['1', '2']);
    expect(receiver.requests[0]?.headers.authorization).toBe('Bearer t0k3n');
    expect(receiver.requests[0]?.headers['x-tenant']).toBe('acme');
  });

  it('sends through the agent it is given, one kept-alive connection for successive requests', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const opened: Socket[] = [];
    const createConnection = agent.createConnection.bind(agent);
    agent.createConnection = (options, callback) => {
      const socket = createConnection(options, callback) as Socket;
      opened.push(socket);
      return socket;
    };
    try {
      const channel = webhookChannel({ url: receiver.origin, secret: SECRET, agent, clock });
      for (const id of ['1', '2', '3']) await channel.send(outgoing({ id }));
      expect(receiver.requests.map((r) => r.headers[WEBHOOK_HEADERS.id])).toEqual(['1', '2', '3']);
      expect(opened).toHaveLength(1);
    } finally {
      agent.destroy();
    }
  });

  it('counts a 2xx answer as delivered even when its body is cut off', async () => {
    receiver.respond((_request, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('partial', () => res.destroy());
    });
    const channel = webhookChannel({ url: receiver.origin, secret: SECRET, clock });
    await channel.send(outgoing());
    expect(receiver.requests).toHaveLength(1);
  });

  it('does not retry a request Node refuses to make, such as one through an https agent to an http URL', async () => {
    const agent = new HttpsAgent();
    try {
      const channel = webhookChannel({ url: receiver.origin, secret: SECRET, agent, clock });
      const err = await sendError(channel.send(outgoing()));
      expect(err).toMatchObject({ retryable: false, status: undefined });
      expect(err.message).toContain('ERR_INVALID_PROTOCOL');
      expect(receiver.requests).toHaveLength(0);
    } finally {
      agent.destroy();
    }
  });

  it('counts every 2xx answer as delivered, whatever its body', async () => {
    const channel = webhookChannel({ url: receiver.origin, secret: SECRET, clock });
    receiver.respond((_request, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(200_000)));
    await channel.send(outgoing({ id: '1' }));
    receiver.respond((_request, res) => res.writeHead(202).end());
    await channel.send(outgoing({ id: '2' }));
    expect(receiver.requests).toHaveLength(2);
  });

  it.each([
    [500, undefined],
    [502, undefined],
    [503, '120'],
    [429, '7'],
    [408, undefined],
  ])('throws a retryable DeliveryError on %i', async (status, retryAfter) => {
    receiver.respond((_request, res) =>
      res.writeHead(status, retryAfter === undefined ? {} : { 'retry-after': retryAfter }).end('try later'),
    );
    const channel = webhookChannel({ url: receiver.origin, secret: SECRET, clock });

    const err = await sendError(channel.send(outgoing()));
    expect(err).toMatchObject({ code: 'delivery_failed', channel: 'webhook', retryable: true, status });
    expect(err.retryAfterMs).toBe(retryAfter === undefined ? undefined : Number(retryAfter) * 1000);
    expect(err.context).toMatchObject({ notificationId: '42', url: receiver.origin, status });
    expect(err.message).toContain(`answered ${status}`);
    expect(err.message).toContain('try later');
    expect(receiver.requests).toHaveLength(1);
  });

  it('reads a Retry-After date against the channel clock', async () => {
    receiver.respond((_request, res) => res.writeHead(503, { 'retry-after': 'Tue, 24 Nov 2026 16:01:03 GMT' }).end());
    const channel = webhookChannel({ url: receiver.origin, secret: SECRET, clock });
    const err = await sendError(channel.send(outgoing()));
    expect(err.retryAfterMs).toBe(59_750);
  });

  it.each([400, 401, 403, 404, 410, 422])('throws a non-retryable DeliveryError on %i', async (status) => {
    receiver.respond((_request, res) => res.writeHead(status, { 'retry-after': '5' }).end('{"error":"unknown user"}'));
    const channel = webhookChannel({ url: receiver.origin, secret: SECRET, clock });

    const err = await sendError(channel.send(outgoing()));
    expect(err).toMatchObject({ code: 'delivery_failed', retryable: false, status, retryAfterMs: undefined });
    expect(err.message).toContain('{"error":"unknown user"}');
  });

  it('does not follow a redirect, which would turn the POST into a GET, and does not retry it', async () => {
    receiver.respond((request, res) =>
      request.path === '/old' ? res.writeHead(302, { location: '/new' }).end() : res.writeHead(204).end(),
    );
    const channel = webhookChannel({ url: `${receiver.origin}/old`, secret: SECRET, clock });

    const err = await sendError(channel.send(outgoing()));
    expect(err).toMatchObject({ retryable: false, status: 302 });
    expect(err.message).toContain('redirected (to /new)');
    expect(receiver.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /old']);
  });

  it('gives up on a receiver that never answers after the timeout, as a retryable failure', async () => {
    receiver.respond(() => {});
    const channel = webhookChannel({ url: receiver.origin, secret: SECRET, timeout: 'PT0.2S', clock });

    const err = await sendError(channel.send(outgoing()));
    expect(err).toMatchObject({ retryable: true, status: undefined });
    expect(err.message).toContain('did not answer within 200 ms');
    expect((err.cause as Error).name).toBe('TimeoutError');
    expect(receiver.requests).toHaveLength(1);
  });

  it('reports a refused connection as a retryable failure', async () => {
    const closedPort = await freePort();
    const channel = webhookChannel({ url: `http://127.0.0.1:${closedPort}/hooks`, secret: SECRET, clock });

    const err = await sendError(channel.send(outgoing()));
    expect(err).toMatchObject({ retryable: true, status: undefined });
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('refuses a URL function result that is not an http(s) URL without retrying', async () => {
    const channel = webhookChannel({ url: () => 'not a url', secret: SECRET, clock });
    const err = await sendError(channel.send(outgoing()));
    expect(err).toMatchObject({ retryable: false, context: { notificationId: '42' } });
    expect(err.message).toContain('options.url returned an invalid URL');
  });

  it.each<[string, () => unknown, string, RegExp]>([
    ['a relative URL', () => webhookChannel({ url: '/hooks', secret: SECRET }), 'options.url', /absolute URL/],
    ['an ftp URL', () => webhookChannel({ url: 'ftp://example.com', secret: SECRET }), 'options.url', /http\(s\)/],
    [
      'credentials in the URL',
      () => webhookChannel({ url: 'https://user:pw@example.com', secret: SECRET }),
      'options.url',
      /credentials/,
    ],
    ['an empty secret', () => webhookChannel({ url: 'https://example.com', secret: '' }), 'options.secret', /empty/],
    ['no secrets', () => webhookChannel({ url: 'https://example.com', secret: [] }), 'options.secret', /at least one/],
    [
      'a blank secret in a list',
      () => webhookChannel({ url: 'https://example.com', secret: ['whsec_a', ' '] }),
      'options.secret[1]',
      /empty/,
    ],
    [
      'a zero timeout',
      () => webhookChannel({ url: 'https://example.com', secret: SECRET, timeout: 'PT0S' }),
      'options.timeout',
      /longer than zero/,
    ],
    [
      'a reserved header',
      () => webhookChannel({ url: 'https://example.com', secret: SECRET, headers: { 'Settle-Signature': 'v1=0' } }),
      'options.headers.Settle-Signature',
      /set by Settle/,
    ],
    [
      'an invalid header name',
      () => webhookChannel({ url: 'https://example.com', secret: SECRET, headers: { 'bad header': 'x' } }),
      'options.headers.bad header',
      /not a valid HTTP header/,
    ],
    [
      'an agent that is not an http.Agent',
      () => webhookChannel({ url: 'https://example.com', secret: SECRET, agent: {} as Agent }),
      'options.agent',
      /http\.Agent/,
    ],
    [
      'an empty name',
      () => webhookChannel({ url: 'https://example.com', secret: SECRET, name: '' }),
      'options.name',
      /empty/,
    ],
  ])('refuses %s at creation', (_case, create, field, reason) => {
    let thrown: unknown;
    try {
      create();
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect(thrown).toMatchObject({ field });
    expect((thrown as ValidationError).reason).toMatch(reason);
  });
});

/** A port nothing listens on: bound once by the OS, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

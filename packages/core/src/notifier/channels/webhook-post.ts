import { type Agent, type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** One webhook request, as {@link postWebhook} sends it. */
export interface WebhookPost {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** For the whole exchange, answer included; past it the request is destroyed. */
  readonly timeoutMs: number;
  /** Connection pool; Node's global agents (keep-alive since Node 19) when undefined. */
  readonly agent: Agent | undefined;
}

/** What a receiver answered: its status, the headers the channel reads, and the start of its body. */
export interface WebhookAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly location: string | undefined;
  readonly retryAfter: string | undefined;
  /** At most {@link QUOTED_BYTES} of the body, trimmed: enough for a receiver's error text. */
  readonly quote: string;
}

/**
 * Node refused to build the request (an agent for the other protocol, an invalid header): thrown
 * before anything was sent, and the same request would be refused again.
 */
export class WebhookRequestRefused extends Error {
  /** Node's error code, e.g. `ERR_INVALID_PROTOCOL`. */
  readonly code: string | undefined;

  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'WebhookRequestRefused';
    const code = (cause as { code?: unknown } | null)?.code;
    this.code = typeof code === 'string' ? code : undefined;
  }
}

/** Response bytes kept for a failure's message: enough for a receiver's error text, never a whole page. */
const QUOTED_BYTES = 512;
/** Bytes of an answer read so its connection can serve the next request; a longer answer closes it. */
const DRAINED_BYTES = 64 * 1024;

/**
 * POSTs `body` over `node:http(s)` and resolves with the answer once its body is read (or cut off).
 * Rejects only when no answer arrived: a {@link WebhookRequestRefused} when Node refuses to build
 * the request, a network error (with its `code`, e.g. `ECONNREFUSED`), or an error named
 * `TimeoutError` when `timeoutMs` passed first. Once the status is in, the receiver has
 * decided: a body that then fails to arrive or arrives late changes nothing.
 *
 * `node:http` rather than `fetch`: the Notifier's webhook POSTs are its hottest path, and `fetch`
 * costs several times the CPU per request (streams, Headers and Response objects, an abort signal
 * each). Redirects are never followed.
 *
 * @internal
 */
export function postWebhook({ url, headers, body, timeoutMs, agent }: WebhookPost): Promise<WebhookAnswer> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    let answered: Omit<WebhookAnswer, 'quote'> | null = null;
    const chunks: Buffer[] = [];
    let read = 0;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;

    const finish = () => {
      if (settled || answered === null) return;
      settled = true;
      clearTimeout(timer);
      const quote = Buffer.concat(chunks).subarray(0, QUOTED_BYTES).toString('utf8').trim();
      resolve({ ...answered, quote });
    };
    const fail = (err: Error) => {
      if (answered !== null) return finish();
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(err);
    };
    const onResponse = (response: IncomingMessage) => {
      answered = {
        status: response.statusCode ?? 0,
        statusText: response.statusMessage ?? '',
        location: response.headers.location,
        retryAfter: response.headers['retry-after'],
      };
      response.on('data', (chunk: Buffer) => {
        if (read < QUOTED_BYTES) chunks.push(chunk);
        read += chunk.length;
        if (read > DRAINED_BYTES) response.destroy();
      });
      response.on('end', finish);
      response.on('close', finish);
      response.on('error', finish);
    };

    let request: ClientRequest;
    try {
      const options = { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } };
      request = send(url, options, onResponse);
    } catch (err) {
      // Thrown before anything was sent (Node checks protocol, agent and headers synchronously).
      fail(new WebhookRequestRefused(err));
      return;
    }
    timer = setTimeout(() => {
      const timeout = new Error(`no answer within ${timeoutMs} ms`);
      timeout.name = 'TimeoutError';
      request.destroy(timeout);
      fail(timeout);
    }, timeoutMs);
    request.on('error', fail);
    request.end(body);
  });
}

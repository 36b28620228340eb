import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature, WEBHOOK_HEADERS } from '@settle/core';

/** What the receiver counted. */
export interface ReceiverTally {
  /** Requests whose signature verified. */
  readonly accepted: number;
  /** Distinct `settle-id`s among them. */
  readonly distinct: number;
  /** Accepted requests for an id that had already arrived. */
  readonly duplicates: number;
  /** Requests refused with 401: a missing, stale or wrong signature. */
  readonly badSignatures: number;
  /** Signed requests whose body's `id` is not the `settle-id` header. */
  readonly mismatchedIds: number;
}

/**
 * A webhook endpoint as a host would write one, on `node:http` in this process: it verifies every
 * request with `verifyWebhookSignature` (401 when it fails), checks the body names the same id as
 * the `settle-id` header, answers 204, and keeps the first arrival instant of every id.
 */
export class WebhookReceiver {
  /** First arrival of each notification id, `Date.now()` ms. */
  readonly arrivals = new Map<string, number>();
  #duplicates = 0;
  #badSignatures = 0;
  #mismatchedIds = 0;
  #accepted = 0;
  #waiter: { count: number; resolve: () => void } | null = null;

  private constructor(
    private readonly server: ReturnType<typeof createServer>,
    /** The URL to give the webhook channel. */
    readonly url: string,
  ) {}

  /** Listens on a free port of 127.0.0.1; `onArrival` sees each new id as it arrives. */
  static async start(secret: string, onArrival: () => void): Promise<WebhookReceiver> {
    let receiver: WebhookReceiver | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const at = Date.now();
        const body = Buffer.concat(chunks);
        const valid = verifyWebhookSignature({
          secret,
          body,
          timestamp: req.headers[WEBHOOK_HEADERS.timestamp],
          signature: req.headers[WEBHOOK_HEADERS.signature],
        });
        res.writeHead(valid ? 204 : 401).end();
        if (valid) receiver!.record(String(req.headers[WEBHOOK_HEADERS.id]), body, at, onArrival);
        else receiver!.#badSignatures += 1;
      });
    });
    // Three senders with ten requests in flight each, all kept alive.
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    receiver = new WebhookReceiver(server, `http://127.0.0.1:${port}/hooks/settle`);
    return receiver;
  }

  /** What arrived so far. */
  tally(): ReceiverTally {
    return {
      accepted: this.#accepted,
      distinct: this.arrivals.size,
      duplicates: this.#duplicates,
      badSignatures: this.#badSignatures,
      mismatchedIds: this.#mismatchedIds,
    };
  }

  /** Resolves once `count` distinct ids have arrived. */
  whenDistinct(count: number): Promise<void> {
    if (this.arrivals.size >= count) return Promise.resolve();
    return new Promise((resolve) => {
      this.#waiter = { count, resolve };
    });
  }

  /** Stops listening and closes the kept-alive connections. */
  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      this.server.closeAllConnections();
    });
  }

  private record(id: string, body: Buffer, at: number, onArrival: () => void): void {
    this.#accepted += 1;
    if ((JSON.parse(body.toString('utf8')) as { id?: unknown }).id !== id) this.#mismatchedIds += 1;
    if (this.arrivals.has(id)) {
      this.#duplicates += 1;
      return;
    }
    this.arrivals.set(id, at);
    onArrival();
    if (this.#waiter && this.arrivals.size >= this.#waiter.count) this.#waiter.resolve();
  }
}

import type { PostgresListener, PostgresNotificationHandlers } from './postgres-driver';
import type { PgNotificationLike, PgPoolClientLike, PgPoolLike } from './postgres-store-options';

/** First pause before reconnecting, doubled after every failed attempt up to {@link MAX_RECONNECT_DELAY_MS}. */
const FIRST_RECONNECT_DELAY_MS = 100;
const MAX_RECONNECT_DELAY_MS = 5_000;

/**
 * LISTEN on a client checked out of a `pg` Pool for as long as the subscription lives. When the
 * connection drops (a server restart, `pg_terminate_backend`, a network cut) it is destroyed and a
 * new one LISTENs again after a jittered, growing pause; then `reconnected()` tells the subscriber
 * that notifications sent in the gap were lost.
 *
 * @internal
 */
export class PgNotificationListener implements PostgresListener {
  private client: PgPoolClientLike | undefined;
  private detach: (() => void) | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private failedReconnects = 0;
  private closed = false;

  private constructor(
    private readonly pool: PgPoolLike,
    private readonly channel: string,
    private readonly handlers: PostgresNotificationHandlers,
  ) {}

  /** Resolves once LISTEN runs; rejects if the first connection cannot be made. */
  static async open(
    pool: PgPoolLike,
    channel: string,
    handlers: PostgresNotificationHandlers,
  ): Promise<PgNotificationListener> {
    const listener = new PgNotificationListener(pool, channel, handlers);
    await listener.connect();
    return listener;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    if (client === undefined) return;
    this.detach?.();
    this.client = undefined;
    try {
      // A client released while still listening would keep receiving this channel for its next user.
      await client.query('UNLISTEN *');
      client.release();
    } catch (error) {
      client.release(error instanceof Error ? error : true);
    }
  }

  private async connect(): Promise<void> {
    const client = await this.pool.connect();
    let lost = false;
    const onNotification = (message: PgNotificationLike) => {
      if (message.channel === this.channel && message.payload !== undefined)
        this.handlers.notification(message.payload);
    };
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      detach();
      if (this.client === client) this.client = undefined;
      client.release(error ?? true);
      this.scheduleReconnect();
    };
    const detach = () => {
      client.removeListener('notification', onNotification);
      client.removeListener('error', onLost);
      client.removeListener('end', onLost);
    };
    client.on('notification', onNotification);
    client.on('error', onLost);
    client.on('end', onLost);
    try {
      await client.query(`LISTEN "${this.channel}"`);
    } catch (error) {
      lost = true;
      detach();
      client.release(error instanceof Error ? error : true);
      throw error;
    }
    if (this.closed) {
      // close() ran while LISTEN was in flight.
      detach();
      await client.query('UNLISTEN *').then(
        () => client.release(),
        (error: unknown) => client.release(error instanceof Error ? error : true),
      );
      return;
    }
    this.client = client;
    this.detach = detach;
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const delay = Math.min(MAX_RECONNECT_DELAY_MS, FIRST_RECONNECT_DELAY_MS * 2 ** this.failedReconnects);
    this.reconnectTimer = setTimeout(() => void this.reconnect(), delay / 2 + (Math.random() * delay) / 2);
  }

  private async reconnect(): Promise<void> {
    if (this.closed) return;
    try {
      await this.connect();
    } catch {
      this.failedReconnects += 1;
      this.scheduleReconnect();
      return;
    }
    this.failedReconnects = 0;
    if (!this.closed) this.handlers.reconnected();
  }
}

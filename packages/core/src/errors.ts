/**
 * Stable machine-readable error codes. Hosts switch on these, never on messages.
 *
 * - `validation`: bad input; nothing was written.
 * - `not_found`: the challenge, job or entry does not exist.
 * - `invalid_transition`: the state machine does not allow the requested move.
 * - `conflict`: a uniqueness rule or a concurrent writer won (resolving twice, duplicate ids).
 * - `store_failure`: the database or driver failed; the original error is in `cause`.
 * - `migration`: the schema is missing, newer than this code, or a migration failed.
 * - `payment_failed`: a host payout hook or an external rail threw; its error is in `cause`.
 * - `listener_failed`: a host event listener threw after its event's transaction committed.
 * - `delivery_failed`: a notification channel could not deliver; `retryable` says whether to try again.
 */
export type SettleErrorCode =
  | 'validation'
  | 'not_found'
  | 'invalid_transition'
  | 'conflict'
  | 'store_failure'
  | 'migration'
  | 'payment_failed'
  | 'listener_failed'
  | 'delivery_failed';

/** Options shared by every Settle error. */
export interface SettleErrorOptions {
  /** The underlying error, if any (driver error, hook error). */
  cause?: unknown;
  /** Structured context a host can forward to its error tracker (job id, batch, attempt…). */
  context?: Record<string, unknown>;
}

/**
 * Base class of every error Settle throws on purpose.
 *
 * @example
 * ```ts
 * try {
 *   await queue.resolve('c1', { winningSide: 'yes' });
 * } catch (err) {
 *   if (err instanceof SettleError && err.code === 'conflict') return res.status(409).end();
 *   throw err;
 * }
 * ```
 */
export class SettleError extends Error {
  /** Stable code; see {@link SettleErrorCode}. */
  readonly code: SettleErrorCode;
  /** Structured context (ids, attempt numbers) for logs and error trackers. */
  readonly context: Record<string, unknown>;

  constructor(code: SettleErrorCode, message: string, options: SettleErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.context = options.context ?? {};
  }
}

/** Bad input: names the offending `field` and the `reason`. Nothing was written. */
export class ValidationError extends SettleError {
  /** Dotted path of the offending input, e.g. `entries[3].amount`. */
  readonly field: string;
  /** Why the value was rejected, e.g. `must not be negative`. */
  readonly reason: string;

  constructor(field: string, reason: string, options: SettleErrorOptions = {}) {
    super('validation', `Invalid ${field}: ${reason}`, options);
    this.field = field;
    this.reason = reason;
  }
}

/** The named entity does not exist. */
export class NotFoundError extends SettleError {
  /** What kind of thing was looked up. */
  readonly entity: 'challenge' | 'participant' | 'payout_job' | 'payout_entry' | 'notification';
  /** The id that was looked up. */
  readonly id: string;

  constructor(entity: NotFoundError['entity'], id: string, options: SettleErrorOptions = {}) {
    super('not_found', `${entity.replace('_', ' ')} ${JSON.stringify(id)} not found`, options);
    this.entity = entity;
    this.id = id;
  }
}

/** A state change the state machine forbids (e.g. `completed → active`). */
export class InvalidTransitionError extends SettleError {
  /** Which state machine refused, e.g. `challenge`. */
  readonly machine: string;
  /** Current state. */
  readonly from: string;
  /** Requested state. */
  readonly to: string;

  constructor(machine: string, from: string, to: string, options: SettleErrorOptions = {}) {
    super('invalid_transition', `${machine} cannot move from ${from} to ${to}`, options);
    this.machine = machine;
    this.from = from;
    this.to = to;
  }
}

/** A uniqueness rule or a concurrent writer prevented the change (e.g. resolving a challenge twice). */
export class ConflictError extends SettleError {
  constructor(message: string, options: SettleErrorOptions = {}) {
    super('conflict', message, options);
  }
}

/**
 * The store failed. `retryable` is true for failures that succeed when the whole transaction is run
 * again (deadlock, serialization failure, lost connection before commit).
 */
export class StoreError extends SettleError {
  /** Whether running the same transaction again may succeed. */
  readonly retryable: boolean;

  constructor(message: string, options: SettleErrorOptions & { retryable?: boolean } = {}) {
    super('store_failure', message, options);
    this.retryable = options.retryable ?? false;
  }
}

/** The schema is missing, newer than this code, or a migration failed. */
export class MigrationError extends SettleError {
  constructor(message: string, options: SettleErrorOptions = {}) {
    super('migration', message, options);
  }
}

/** A host payout hook or an external payment rail threw; the entry will be retried or dead-lettered. */
export class PaymentError extends SettleError {
  constructor(message: string, options: SettleErrorOptions = {}) {
    super('payment_failed', message, options);
  }
}

/** A host event listener threw; the event's transaction had already committed, so nothing is undone. */
export class ListenerError extends SettleError {
  /** The event whose listener threw. */
  readonly event: string;

  constructor(event: string, options: SettleErrorOptions = {}) {
    super('listener_failed', `a listener of ${event} threw`, options);
    this.event = event;
  }
}

/**
 * Options of a {@link DeliveryError}.
 *
 * @example
 * ```ts
 * throw new DeliveryError('mailbox full', { channel: 'email', retryable: true, retryAfterMs: 60_000 });
 * ```
 */
export interface DeliveryErrorOptions extends SettleErrorOptions {
  /** Name of the channel that failed, e.g. `webhook`. */
  channel: string;
  /** Whether sending the same notification again may succeed. */
  retryable: boolean;
  /** The HTTP status the receiver answered, when there was an answer. */
  status?: number;
  /** How long the receiver asked to wait (its `Retry-After` header), in milliseconds. */
  retryAfterMs?: number;
}

/**
 * A notification channel could not deliver. The Notifier retries it with backoff up to `maxAttempts`,
 * except when `retryable` is false (a 4xx answer, a bad URL), which dead-letters the notification at once.
 * Any other error a channel throws is treated as retryable.
 *
 * @example
 * ```ts
 * const channel: NotificationChannel = {
 *   name: 'sms',
 *   async send({ notification, body }) {
 *     const res = await sms.send(phoneOf(notification.recipient), body);
 *     if (res.invalidNumber) throw new DeliveryError('invalid phone number', { channel: 'sms', retryable: false });
 *   },
 * };
 * ```
 */
export class DeliveryError extends SettleError {
  /** Name of the channel that failed. */
  readonly channel: string;
  /** Whether sending the same notification again may succeed. */
  readonly retryable: boolean;
  /** The HTTP status the receiver answered, if any. */
  readonly status: number | undefined;
  /** How long the receiver asked to wait before the next attempt, if it said. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: DeliveryErrorOptions) {
    super('delivery_failed', message, options);
    this.channel = options.channel;
    this.retryable = options.retryable;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

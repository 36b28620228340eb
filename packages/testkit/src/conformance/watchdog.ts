/**
 * Awaits `promise`, failing with a message naming `what` if it has not settled after `ms`.
 * A watchdog, not a sleep: it turns a store that blocks where the contract says it must not
 * (a `SKIP LOCKED` claim waiting for another transaction) into a clear failure instead of a hang.
 *
 * @internal
 */
export async function withWatchdog<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

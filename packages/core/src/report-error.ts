import { SettleError, type SettleErrorOptions, StoreError } from './errors';

/**
 * Reports a failure of background work, which has no caller to throw to: it becomes a
 * {@link SettleError} carrying `context` (job, batch, phase…) and is handed to `emit`, the owner's
 * `error` event, so a host forwards it to its error tracker in one line. A failure that is not
 * already a `SettleError` is wrapped in `Wrapper` (a `StoreError` unless told otherwise), the
 * original kept as `cause`.
 *
 * @returns the reported error, for a caller that also keeps or rethrows it.
 * @internal
 */
export function reportError(
  emit: (error: SettleError) => void,
  err: unknown,
  context: Record<string, unknown>,
  Wrapper: new (message: string, options: SettleErrorOptions) => SettleError = StoreError,
): SettleError {
  const error =
    err instanceof SettleError ? err : new Wrapper(err instanceof Error ? err.message : String(err), { cause: err });
  Object.assign(error.context, context);
  try {
    emit(error);
  } catch {
    // An `error` listener that throws has nobody left to tell.
  }
  return error;
}

import type { ErrorCode } from './codes.js';

/**
 * The error type thrown across Berth's layers. `code` is stable (see codes.ts); `message` is for people.
 * `where` names the configuration source (a file and key path, a label on a container) when there is one.
 */
export class BerthError extends Error {
  readonly code: ErrorCode;
  readonly where: string | undefined;

  constructor(code: ErrorCode, message: string, options: { where?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BerthError';
    this.code = code;
    this.where = options.where;
  }
}

/** True when `err` is a BerthError with the given code; use instead of comparing messages. */
export function hasCode(err: unknown, code: ErrorCode): err is BerthError {
  return err instanceof BerthError && err.code === code;
}

/**
 * Re-throws `err` with a short step prefix ("listing containers: ..."), keeping its code when it has one.
 * The original error stays reachable as `cause`.
 */
export function wrapError(step: string, err: unknown, fallbackCode: ErrorCode): BerthError {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof BerthError) {
    return new BerthError(err.code, `${step}: ${message}`, { ...(err.where === undefined ? {} : { where: err.where }), cause: err });
  }
  return new BerthError(fallbackCode, `${step}: ${message}`, { cause: err });
}

import type { ErrorCode } from '../../errors/codes.js';
import type { Handler } from '../handler.js';

/** Whether a service has an UP server (or UP child), read live; only services that check health report it. */
export interface ServiceHealth {
  readonly up: boolean;
}

/** A service made ready to serve. `health` is set only when the service reports health to a parent. */
export interface BuiltService {
  readonly handler: Handler;
  readonly health: ServiceHealth | undefined;
}

/**
 * A problem with one service, for the element status table: an `error` means the service was not built (its
 * routers must be disabled), a `warning` that it serves in a degraded way.
 */
export interface ServiceIssue {
  readonly code: ErrorCode;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

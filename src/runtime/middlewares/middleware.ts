import { BerthError } from '../../errors/berth-error.js';
import { ErrorCodes, type ErrorCode } from '../../errors/codes.js';
import type { MiddlewareKind, MiddlewareOptions } from '../../config/dynamic/middlewares/index.js';
import type { Logger } from '../../observability/logger.js';
import type { DeepReadonly } from '../../util/deep-freeze.js';
import type { Handler } from '../handler.js';

/**
 * What a factory may use while it builds one middleware of one RuntimeGraph. Everything a middleware needs
 * from outside (other services, timers' lifetime) comes through here, so factories stay pure functions of
 * their options.
 */
export interface BuildContext {
  /** The middleware's qualified name, `auth@docker`. */
  readonly name: string;
  /** A child logger tagged with the middleware name. */
  readonly logger: Logger;
  /**
   * The handler of a service by qualified name (for `errors`), or undefined when it does not exist. A name
   * without `@` must be qualified with `qualifiedReference` first.
   */
  readonly services: (name: string) => Handler | undefined;
  /** Aborted when the RuntimeGraph this middleware belongs to is replaced: stops its timers. */
  readonly signal: AbortSignal;
  /** Records a non-fatal problem (a deprecated option): the middleware keeps working, with status `warning`. */
  readonly warn: (code: ErrorCode, message: string) => void;
  /**
   * Builds the constructors of other middlewares by qualified name (for `chain`), with recursion and
   * missing-reference detection. Throws MiddlewareBuildError when one of them cannot be built.
   */
  readonly expand: (names: readonly string[]) => MiddlewareConstructor;
}

/**
 * Wraps the next handler. A constructor is the result of validating options once; calling it once per chain
 * position gives each router its own instance (its own rate-limit buckets, in-flight counters and breaker
 * state, as Traefik builds a middleware per router), while parsing and regex compilation are shared.
 */
export type MiddlewareConstructor = (next: Handler) => Handler;

/**
 * Turns one middleware kind's decoded options into a constructor. All parsing, regex compilation, file reads
 * and validation happen here, at build time; a problem is thrown as a MiddlewareBuildError and disables the
 * middleware (and every router using it) instead of failing requests later.
 */
export type MiddlewareFactory<K extends MiddlewareKind> = (
  options: DeepReadonly<MiddlewareOptions<K>>,
  build: BuildContext,
) => MiddlewareConstructor;

/** A middleware that cannot be built: `code` is from the catalog, `message` says what to change. */
export class MiddlewareBuildError extends BerthError {
  constructor(code: ErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
    this.name = 'MiddlewareBuildError';
  }
}

/** A factory for a kind or option Berth does not implement: it fails at build time, never silently. */
export function notSupported(message: string): never {
  throw new MiddlewareBuildError(ErrorCodes.NOT_SUPPORTED, message);
}

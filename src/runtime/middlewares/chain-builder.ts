import { BerthError } from '../../errors/berth-error.js';
import { ErrorCodes, type ErrorCode } from '../../errors/codes.js';
import { middlewareKindOf, type MiddlewareConfig, type MiddlewareKind, type MiddlewareOptions } from '../../config/dynamic/middlewares/index.js';
import type { Logger } from '../../observability/logger.js';
import type { DeepReadonly } from '../../util/deep-freeze.js';
import type { Handler } from '../handler.js';
import { MiddlewareBuildError, type BuildContext, type MiddlewareConstructor, type MiddlewareFactory } from './middleware.js';
import { middlewareRegistry, type MiddlewareRegistry } from './registry.js';

/** One problem with one middleware, in the form the lead attaches to its element. */
export interface MiddlewareIssue {
  readonly code: ErrorCode;
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

/** What one RuntimeGraph's middlewares are built from. */
export interface MiddlewareCatalogOptions {
  /** The snapshot's middlewares by qualified name (`auth@docker`); chain members are already qualified. */
  readonly middlewares: (name: string) => DeepReadonly<MiddlewareConfig> | undefined;
  /** Service handlers by qualified name, for the `errors` middleware. */
  readonly services: (name: string) => Handler | undefined;
  readonly logger: Logger;
  /** The graph's signal: aborted when the graph is replaced. */
  readonly signal: AbortSignal;
  /** Replaces the registry (tests only). */
  readonly registry?: MiddlewareRegistry;
}

/**
 * The middlewares of one RuntimeGraph. Each middleware's options are validated and compiled once (memoised by
 * name), however many routers use it; its problems are collected here once, for its element's status.
 */
export interface MiddlewareCatalog {
  /** The issues of every middleware built so far, by qualified name (each issue once). */
  readonly issues: ReadonlyMap<string, readonly MiddlewareIssue[]>;
  /** Builds a middleware that no router uses, so that its errors show in the API too; returns its issues. */
  check(name: string): readonly MiddlewareIssue[];
  /** Internal: the memoised constructor of `name`, built with `stack` as the chain path leading to it. */
  prepare(name: string, stack: readonly string[]): PreparedMiddleware;
}

/** A built chain, or why it cannot be built. `used` lists every middleware reached (chains expanded). */
export type ChainResult =
  | { readonly ok: true; readonly handler: Handler; readonly used: readonly string[] }
  | { readonly ok: false; readonly errors: readonly MiddlewareIssue[]; readonly used: readonly string[] };

/** A middleware's validated constructor. */
export interface PreparedMiddleware {
  readonly construct: MiddlewareConstructor;
  /** This middleware and, for a chain, every member reached through it. */
  readonly uses: readonly string[];
}

type Memo = { readonly ok: true; readonly prepared: PreparedMiddleware } | { readonly ok: false; readonly error: BerthError; readonly uses: readonly string[] };

/** A failure while preparing, carrying the middlewares reached before it (for `usedBy`). */
class PrepareFailure extends Error {
  readonly error: BerthError;
  readonly uses: readonly string[];

  constructor(error: BerthError, uses: readonly string[]) {
    super(error.message);
    this.error = error;
    this.uses = uses;
  }
}

/** Creates the catalog of one graph. */
export function createMiddlewareCatalog(options: MiddlewareCatalogOptions): MiddlewareCatalog {
  const registry = options.registry ?? middlewareRegistry;
  const memo = new Map<string, Memo>();
  const issues = new Map<string, MiddlewareIssue[]>();

  const record = (name: string, issue: MiddlewareIssue): void => {
    const list = issues.get(name) ?? [];
    if (!list.some((i) => i.code === issue.code && i.message === issue.message)) list.push(issue);
    issues.set(name, list);
  };

  const prepare = (name: string, stack: readonly string[]): PreparedMiddleware => {
    if (stack.includes(name)) {
      // Traefik's wording (pkg/server/recursion), so that users searching for it find the same answers.
      const path = [...stack, name].map((n) => `middleware:${n}`).join('->');
      const error = new MiddlewareBuildError(ErrorCodes.RECURSION, `could not instantiate middleware ${name}: recursion detected in ${path}`);
      record(name, { code: error.code, severity: 'error', message: error.message });
      throw new PrepareFailure(error, [name]);
    }
    const known = memo.get(name);
    if (known !== undefined) {
      if (known.ok) return known.prepared;
      throw new PrepareFailure(known.error, known.uses);
    }
    const config = options.middlewares(name);
    if (config === undefined) {
      throw new PrepareFailure(new MiddlewareBuildError(ErrorCodes.MIDDLEWARE_NOT_FOUND, `middleware "${name}" does not exist`), []);
    }
    const uses: string[] = [name];
    const inner = [...stack, name];
    const build: BuildContext = {
      name,
      logger: options.logger.child({ middleware: name }),
      services: options.services,
      signal: options.signal,
      warn: (code, message) => record(name, { code, severity: 'warning', message }),
      expand: (names) => {
        const members: PreparedMiddleware[] = [];
        for (const member of names) {
          try {
            const prepared = prepare(member, inner);
            members.push(prepared);
            addAll(uses, prepared.uses);
          } catch (err) {
            if (err instanceof PrepareFailure) addAll(uses, err.uses);
            throw err;
          }
        }
        return compose(members.map((m) => m.construct));
      },
    };
    try {
      const prepared: PreparedMiddleware = { construct: construct(registry, middlewareKindOf(config as MiddlewareConfig), config, build), uses };
      memo.set(name, { ok: true, prepared });
      return prepared;
    } catch (err) {
      const error = err instanceof PrepareFailure ? err.error : asBuildError(err);
      memo.set(name, { ok: false, error, uses });
      record(name, { code: error.code, severity: 'error', message: error.message });
      throw new PrepareFailure(error, uses);
    }
  };

  return {
    issues,
    prepare,
    check(name) {
      try {
        prepare(name, []);
      } catch (err) {
        if (!(err instanceof PrepareFailure)) throw err;
        if (err.error.code === ErrorCodes.MIDDLEWARE_NOT_FOUND && err.uses.length === 0) {
          return [{ code: err.error.code, severity: 'error', message: err.error.message }];
        }
      }
      return issues.get(name) ?? [];
    },
  };
}

/**
 * Builds the handler for a router's (or an entrypoint's, or a service's) middleware list, in list order:
 * the first name is the outermost. `names` are qualified. Every problem is reported, not only the first.
 */
export function buildMiddlewareChain(names: readonly string[], terminal: Handler, catalog: MiddlewareCatalog): ChainResult {
  const used: string[] = [];
  const errors: MiddlewareIssue[] = [];
  const constructors: MiddlewareConstructor[] = [];
  for (const name of names) {
    try {
      const prepared = catalog.prepare(name, []);
      addAll(used, prepared.uses);
      constructors.push(prepared.construct);
    } catch (err) {
      if (!(err instanceof PrepareFailure)) throw err;
      addAll(used, err.uses);
      const message = err.error.code === ErrorCodes.MIDDLEWARE_NOT_FOUND && err.uses.length === 0
        ? err.error.message
        : `middleware "${name}": ${err.error.message}`;
      errors.push({ code: err.error.code, severity: 'error', message });
    }
  }
  if (errors.length > 0) return { ok: false, errors, used };
  return { ok: true, handler: compose(constructors)(terminal), used };
}

function construct<K extends MiddlewareKind>(registry: MiddlewareRegistry, kind: K, config: DeepReadonly<MiddlewareConfig>, build: BuildContext): MiddlewareConstructor {
  const factory: MiddlewareFactory<K> = registry[kind];
  const options = (config as Readonly<Record<string, unknown>>)[kind] as DeepReadonly<MiddlewareOptions<K>>;
  return factory(options, build);
}

/** Composes constructors so that the first wraps all the others. */
function compose(constructors: readonly MiddlewareConstructor[]): MiddlewareConstructor {
  return (next) => {
    let handler = next;
    for (let i = constructors.length - 1; i >= 0; i--) handler = (constructors[i] as MiddlewareConstructor)(handler);
    return handler;
  };
}

function asBuildError(err: unknown): BerthError {
  if (err instanceof BerthError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new MiddlewareBuildError(ErrorCodes.INVALID_ELEMENT, `cannot build the middleware: ${detail}`, { cause: err });
}

function addAll(target: string[], names: readonly string[]): void {
  for (const name of names) if (!target.includes(name)) target.push(name);
}

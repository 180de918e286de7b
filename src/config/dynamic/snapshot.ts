import type { ConfigIssue } from '../../errors/config-issue.js';
import type { DeepReadonly } from '../../util/deep-freeze.js';
import type { DynamicConfig } from './model.js';

/**
 * The merged dynamic configuration of every provider at one moment. It is plain, frozen data, so it can be
 * compared, logged, served by the API and sent to worker processes as is.
 *
 * In `config`, every element is keyed `name@provider` and every reference to another element (a router's
 * service and middlewares, a chain's middlewares, a weighted service's children, a serversTransport, a TLS
 * options name other than `default`) is qualified the same way. `issues` holds what providers reported while
 * building their configuration (bad labels, YAML errors); issues about an element carry its qualified name.
 */
export interface Snapshot {
  /** Increases by one with every snapshot the watcher publishes. */
  readonly generation: number;
  /** When it was built (ms since the epoch). */
  readonly createdAt: number;
  readonly config: DeepReadonly<DynamicConfig>;
  readonly issues: readonly ConfigIssue[];
  /** Where each element was defined (`http.routers/web@file` → field → where text); see ElementOrigins. */
  readonly origins: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The providers that have published at least once, in publishing order. */
  readonly providers: readonly string[];
}

export type FrozenDynamicConfig = DeepReadonly<DynamicConfig>;

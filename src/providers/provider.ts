import type { DynamicConfig } from '../config/dynamic/model.js';
import type { ConfigIssue } from '../errors/config-issue.js';

/**
 * What a provider publishes: always its full state, never a patch. Element names are unqualified (the watcher
 * adds `@provider`). When `config` is absent the provider could not read its source (a YAML syntax error, say):
 * the watcher keeps that provider's last good configuration and shows these issues with it.
 */
export interface ProviderMessage {
  readonly provider: string;
  readonly config?: DynamicConfig;
  readonly issues: readonly ConfigIssue[];
  /** Where each element was defined, so compile-time errors can name the file line or label (see ElementOrigins). */
  readonly origins?: ElementOrigins;
}

/**
 * Where elements come from, as plain data (it travels in snapshots to worker processes). Keyed by
 * `<section>/<name>` (`http.routers/web`; qualified `web@file` once merged), then by top-level field (`rule`,
 * `service`...; '' for the element itself), each value a ready `where` text such as
 * `dynamic/app.yml:12: http.routers.web.rule` or `label traefik.http.routers.web.rule on container web-1`.
 */
export type ElementOrigins = Readonly<Record<string, Readonly<Record<string, string>>>>;

export type Publish = (message: ProviderMessage) => void;

/**
 * A source of dynamic configuration (docker, file, internal, a certificate resolver). The pure part (labels or
 * YAML to configuration) lives beside it in its own module; the provider is the I/O shell: sockets, file
 * watches, reconnects with backoff.
 */
export interface Provider {
  /** The name elements are qualified with: `docker`, `file`, `internal`, `le.acme`... */
  readonly name: string;
  /**
   * Whether the watcher applies `providers.providersThrottleDuration` to this provider's messages. Internal and
   * certificate-resolver providers are not throttled, as in Traefik.
   */
  readonly throttled: boolean;
  /**
   * Starts providing and resolves once the first publication was attempted (or the source is known to be
   * unavailable); keeps publishing until `signal` aborts. It never throws for a source that is unreachable: it
   * logs, retries with backoff and keeps the last good configuration.
   */
  start(publish: Publish, signal: AbortSignal): Promise<void>;
}

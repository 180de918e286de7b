import type { DynamicConfig } from '../config/dynamic/model.js';
import type { Snapshot } from '../config/dynamic/snapshot.js';
import { ErrorCodes } from '../errors/codes.js';
import type { ConfigIssue } from '../errors/config-issue.js';
import type { Logger } from '../observability/logger.js';
import type { ElementOrigins, Provider, ProviderMessage } from '../providers/provider.js';
import { sleep } from '../util/abort.js';
import { backoffDelay, type BackoffOptions } from '../util/backoff.js';
import { deepEqual } from '../util/deep-equal.js';
import { deepFreeze } from '../util/deep-freeze.js';
import { mergeProviders, type ProviderState } from './merge.js';
import { createThrottle, type Throttle } from './throttle.js';

export interface ConfigurationWatcherOptions {
  readonly providers: readonly Provider[];
  /** `providers.providersThrottleDuration` in ms, applied to each throttled provider on its own. */
  readonly throttleMs: number;
  readonly logger: Logger;
  /** Receives each new snapshot, one at a time, never re-entered. */
  readonly onSnapshot: (snapshot: Snapshot) => void;
  /** Delays between restarts of a provider whose start() failed (default 1 s doubling to 30 s). */
  readonly retry?: BackoffOptions;
}

export interface ConfigurationWatcher {
  /**
   * Starts every provider. Resolves once each has made its first attempt (published, or failed and been
   * scheduled for a retry) and the snapshot that follows has been delivered.
   */
  start(signal: AbortSignal): Promise<void>;
  /** The latest snapshot, or undefined before any provider published. */
  current(): Snapshot | undefined;
}

interface Received {
  /** The last message as received, to drop an identical next one. */
  readonly last: { readonly config?: DynamicConfig; readonly issues: readonly ConfigIssue[] };
  /** The last configuration received; kept while the provider reports it cannot read its source. */
  readonly config: DynamicConfig | undefined;
  readonly issues: readonly ConfigIssue[];
  readonly origins: ElementOrigins | undefined;
}

const DEFAULT_RETRY: BackoffOptions = { initialMs: 1000, maxMs: 30_000 };

/**
 * The configuration watcher (ARCHITECTURE.md data flow; Traefik's `ConfigurationWatcher`, reference §9):
 * provider messages pass a per-provider throttle, a message identical to that provider's previous one is
 * dropped, and the providers' states are merged as `name@provider` into a frozen, numbered Snapshot.
 * Messages arriving in the same turn of the event loop make one snapshot. A provider whose start() throws is
 * logged, reported in the snapshot's issues, and restarted with backoff; it never stops the others.
 */
export function createConfigurationWatcher(options: ConfigurationWatcherOptions): ConfigurationWatcher {
  const logger = options.logger.child({ component: 'watcher' });
  const names = options.providers.map((provider) => provider.name);
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated !== undefined) throw new Error(`two providers are named "${repeated}"; provider names must be unique`);

  const received = new Map<string, Received>();
  const publishOrder: string[] = [];
  let current: Snapshot | undefined;
  let generation = 0;
  let flushPending = false;
  let stopped = false;

  function receive(provider: string, message: Pick<ProviderMessage, 'config' | 'issues' | 'origins'>): void {
    if (stopped) return;
    const previous = received.get(provider);
    const last = message.config === undefined ? { issues: message.issues } : { config: message.config, issues: message.issues };
    if (previous !== undefined && deepEqual(previous.last, last)) {
      logger.debug({ provider }, 'skipping unchanged configuration');
      return;
    }
    if (previous === undefined) publishOrder.push(provider);
    const origins = message.config === undefined ? previous?.origins : message.origins;
    received.set(provider, { last, config: message.config ?? previous?.config, issues: message.issues, origins });
    if (!flushPending) {
      flushPending = true;
      setImmediate(flush);
    }
  }

  function flush(): void {
    flushPending = false;
    if (stopped) return;
    const latest = new Map<string, ProviderState>();
    for (const [provider, state] of received) {
      latest.set(provider, state.origins === undefined ? { config: state.config ?? {}, issues: state.issues } : { config: state.config ?? {}, issues: state.issues, origins: state.origins });
    }
    const merged = mergeProviders(latest);
    if (current !== undefined && deepEqual(current.config, merged.config) && deepEqual(current.issues, merged.issues) && deepEqual(current.providers, publishOrder)) return;
    const snapshot: Snapshot = deepFreeze({
      generation: ++generation,
      createdAt: Date.now(),
      config: merged.config,
      issues: merged.issues,
      origins: merged.origins,
      providers: [...publishOrder],
    });
    current = snapshot;
    logger.info({ generation, providers: snapshot.providers, issues: snapshot.issues.length }, 'new configuration snapshot');
    try {
      options.onSnapshot(snapshot);
    } catch (err) {
      logger.error({ err, generation }, 'applying the configuration snapshot failed');
    }
  }

  /** Runs one provider until `signal` aborts; resolves the returned promise after its first attempt. */
  function run(provider: Provider, throttle: Throttle<ProviderMessage>, signal: AbortSignal): Promise<void> {
    const retry = options.retry ?? DEFAULT_RETRY;
    return new Promise<void>((firstAttempt) => {
      void (async () => {
        for (let attempt = 0; !signal.aborted; attempt++) {
          try {
            await provider.start((message) => throttle.push(message), signal);
            firstAttempt();
            return;
          } catch (err) {
            const delay = backoffDelay(attempt, retry);
            logger.error({ err, provider: provider.name, retryInMs: delay }, 'provider failed to start');
            receive(provider.name, { issues: [failedIssue(provider.name, err)] });
            firstAttempt();
            if (!(await sleep(delay, signal))) return;
          }
        }
        firstAttempt();
      })();
    });
  }

  return {
    async start(signal) {
      const throttles = options.providers.map((provider) =>
        createThrottle<ProviderMessage>(provider.throttled ? options.throttleMs : 0, (message) => receive(provider.name, message)));
      const stop = (): void => {
        stopped = true;
        for (const throttle of throttles) throttle.close();
      };
      if (signal.aborted) return stop();
      signal.addEventListener('abort', stop, { once: true });
      await Promise.all(options.providers.map((provider, index) => run(provider, throttles[index] as Throttle<ProviderMessage>, signal)));
      // Let the snapshot scheduled by the first messages go out before start() resolves.
      await new Promise<void>((resolve) => setImmediate(resolve));
    },
    current: () => current,
  };
}

function failedIssue(provider: string, err: unknown): ConfigIssue {
  const reason = err instanceof Error ? err.message : String(err);
  return {
    code: ErrorCodes.PROVIDER_FAILED,
    severity: 'error',
    where: `provider ${provider}`,
    message: `the ${provider} provider failed to start: ${reason}; its last configuration stays in force and it is restarted with backoff`,
  };
}

import { lookup } from 'node:dns/promises';
import type { DynamicConfig } from '../../config/dynamic/model.js';
import type { DockerProviderSettings } from '../../config/static/providers.js';
import { BerthError } from '../../errors/berth-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import type { ConfigIssue } from '../../errors/config-issue.js';
import type { Logger } from '../../observability/logger.js';
import { sleep } from '../../util/abort.js';
import { backoffDelay, type BackoffOptions } from '../../util/backoff.js';
import { deepEqual } from '../../util/deep-equal.js';
import type { Provider, Publish } from '../provider.js';
import { buildDockerConfig } from './build.js';
import type { ContainerInfo } from './container.js';
import { resolveEndpoint, type EngineEndpoint } from './endpoint.js';
import { createEngineClient, isRelevantEvent, type EngineClient } from './engine-client.js';
import { compileDockerSettings } from './settings.js';

export interface DockerProviderOptions {
  readonly logger: Logger;
  /**
   * The Docker host's address for containers in `network_mode: host`. Default: what `host.docker.internal`,
   * then `host.containers.internal` resolve to, else 127.0.0.1 (Traefik's order). Only asked when such a
   * container exists.
   */
  readonly resolveHostIp?: () => Promise<string>;
  /** Reconnect delays; default 250 ms doubling up to 30 s. */
  readonly backoff?: BackoffOptions;
  /** Where DOCKER_HOST and friends are read from; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 250, maxMs: 30_000 };
const PROVIDER = 'docker';

/**
 * The Docker provider (reference §2.1): lists and inspects every container, publishes the configuration built
 * from them, then re-lists on each relevant event and republishes the full state. Events that arrive while a
 * refresh runs are coalesced into one more refresh. When the daemon is unreachable the last good configuration
 * stays (nothing is published) and the provider reconnects with exponential backoff.
 */
export function createDockerProvider(settings: DockerProviderSettings, options: DockerProviderOptions): Provider {
  const logger = options.logger.child({ component: 'provider', provider: PROVIDER });
  return {
    name: PROVIDER,
    throttled: true,
    start(publish: Publish, signal: AbortSignal): Promise<void> {
      const compiled = compileDockerSettings(settings);
      if (!compiled.ok) {
        for (const issue of compiled.issues) logger.error({ where: issue.where, code: issue.code }, issue.message);
        publish({ provider: PROVIDER, issues: compiled.issues });
        return Promise.resolve();
      }
      let endpoint: EngineEndpoint;
      try {
        endpoint = resolveEndpoint(settings, options.env ?? process.env);
      } catch (err) {
        const issue = toIssue(err);
        logger.error({ where: issue.where, code: issue.code }, issue.message);
        publish({ provider: PROVIDER, issues: [issue] });
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        new DockerWatch(settings, options, endpoint, logger, publish, signal, resolve).run()
          .catch((err: unknown) => logger.error({ err: err instanceof Error ? err.message : String(err) }, 'the Docker provider stopped'))
          .finally(resolve);
      });
    },
  };
}

class DockerWatch {
  private readonly settings: DockerProviderSettings;
  private readonly options: DockerProviderOptions;
  private readonly endpoint: EngineEndpoint;
  private readonly logger: Logger;
  private readonly publish: Publish;
  private readonly signal: AbortSignal;
  private readonly started: () => void;
  private last: { config: DynamicConfig; issues: ConfigIssue[] } | undefined;
  private hostIp: string | undefined;
  /** Failed connection attempts since the last successful one. */
  private failures = 0;

  constructor(settings: DockerProviderSettings, options: DockerProviderOptions, endpoint: EngineEndpoint, logger: Logger, publish: Publish, signal: AbortSignal, started: () => void) {
    this.settings = settings;
    this.options = options;
    this.endpoint = endpoint;
    this.logger = logger;
    this.publish = publish;
    this.signal = signal;
    this.started = started;
  }

  async run(): Promise<void> {
    while (!this.signal.aborted) {
      const session = new AbortController();
      const stop = (): void => session.abort();
      this.signal.addEventListener('abort', stop, { once: true });
      try {
        await this.session(session.signal);
        return;
      } catch (err) {
        if (this.signal.aborted) return;
        this.reportFailure(err);
        this.failures++;
        // Start-up does not wait for the daemon: a failed first attempt resolves start() too.
        this.started();
      } finally {
        session.abort();
        this.signal.removeEventListener('abort', stop);
      }
      if (!(await sleep(backoffDelay(this.failures - 1, this.options.backoff ?? DEFAULT_BACKOFF), this.signal))) return;
    }
  }

  /** One connection: subscribe, list, publish, then refresh on events until the stream breaks. */
  private async session(signal: AbortSignal): Promise<void> {
    const client = await createEngineClient(this.endpoint, this.settings);
    signal.addEventListener('abort', () => client.close(), { once: true });
    const engine = await client.version(signal);
    const wake = new Wakeup();
    let streamError: Error | undefined;
    if (this.settings.watch) {
      // Subscribe before listing, so that nothing happening during the list is missed.
      await client.watchEvents(signal, (event) => {
        if (isRelevantEvent(event)) wake.notify();
      }, (error) => {
        streamError = error;
        wake.notify();
      });
    }
    await this.refresh(client, signal, true);
    this.logger.info({ endpoint: this.endpoint.url, engine: engine.version, api: engine.apiVersion }, this.failures > 0 ? 'reconnected to the Docker daemon' : 'connected to the Docker daemon');
    this.failures = 0;
    this.started();
    if (!this.settings.watch) return;

    for (;;) {
      await wake.wait(signal);
      if (signal.aborted) return;
      if (streamError !== undefined) throw streamError;
      // Everything that arrived until now is handled by this one refresh; later events wake the loop again.
      const events = wake.take();
      this.logger.debug({ events }, 'refreshing after Docker events');
      await this.refresh(client, signal, false);
    }
  }

  /** Re-lists everything and publishes the full state; unchanged state is not republished except on connect. */
  private async refresh(client: EngineClient, signal: AbortSignal, force: boolean): Promise<void> {
    const containers = await client.listContainers(signal);
    const hostIp = await this.hostAddress(containers);
    if (signal.aborted) return;
    const built = buildDockerConfig(containers, this.settings, hostIp === undefined ? {} : { hostIp });
    if (!force && this.last !== undefined && deepEqual(this.last, built)) return;
    this.last = built;
    this.logger.debug({ containers: containers.length, issues: built.issues.length }, 'publishing the Docker configuration');
    this.publish({ provider: PROVIDER, config: built.config, issues: built.issues, origins: built.origins });
  }

  private async hostAddress(containers: readonly ContainerInfo[]): Promise<string | undefined> {
    if (this.hostIp !== undefined || !containers.some((container) => container.networkMode === 'host')) return this.hostIp;
    this.hostIp = await (this.options.resolveHostIp ?? resolveDockerHost)();
    return this.hostIp;
  }

  private reportFailure(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    if (this.failures === 0) {
      this.logger.warn({ endpoint: this.endpoint.url, err: message, hint: hintFor(err, this.endpoint) },
        this.last === undefined ? 'cannot reach the Docker daemon; retrying with backoff' : 'lost the Docker daemon; keeping the last configuration and retrying with backoff');
    } else {
      this.logger.debug({ endpoint: this.endpoint.url, err: message, attempt: this.failures + 1 }, 'Docker daemon still unreachable');
    }
  }
}

/** Counts notifications until taken; a notification before `wait` is not lost. */
class Wakeup {
  private pending = 0;
  private waiter: (() => void) | undefined;

  notify(): void {
    this.pending++;
    this.waiter?.();
  }

  /** The notifications since the last take. */
  take(): number {
    const count = this.pending;
    this.pending = 0;
    return count;
  }

  wait(signal: AbortSignal): Promise<void> {
    if (this.pending > 0 || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.waiter = undefined;
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.waiter = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** What to check first, from the connection error. */
function hintFor(err: unknown, endpoint: EngineEndpoint): string {
  const code = (err as { code?: string }).code;
  if (endpoint.socketPath !== undefined) {
    if (code === 'ENOENT') return `no socket at ${endpoint.socketPath}: is the Docker socket mounted into the container (-v /var/run/docker.sock:/var/run/docker.sock:ro)?`;
    if (code === 'EACCES') return `permission denied on ${endpoint.socketPath}: run Berth as a user allowed to read the socket (the docker group) or use a socket proxy`;
    if (code === 'ECONNREFUSED') return `nothing answers on ${endpoint.socketPath}: is the Docker daemon running?`;
  }
  if (code === 'ECONNREFUSED') return `nothing listens on ${endpoint.host}:${endpoint.port}: is the daemon (or socket proxy) running there?`;
  if (code === 'ENOTFOUND') return `the host ${endpoint.host} does not resolve`;
  if ((err as { statusCode?: number }).statusCode === 403) return 'the daemon or socket proxy refused the request: allow GET /version, /containers and /events';
  return 'check providers.docker.endpoint and that the daemon is running';
}

/** Traefik's resolution for `network_mode: host`. */
async function resolveDockerHost(): Promise<string> {
  for (const name of ['host.docker.internal', 'host.containers.internal']) {
    try {
      return (await lookup(name)).address;
    } catch {
      // Not defined here; try the next name.
    }
  }
  return '127.0.0.1';
}

function toIssue(err: unknown): ConfigIssue {
  if (err instanceof BerthError) return { code: err.code, severity: 'error', where: err.where ?? 'providers.docker', message: err.message };
  return { code: ErrorCodes.PROVIDER_FAILED, severity: 'error', where: 'providers.docker', message: err instanceof Error ? err.message : String(err) };
}

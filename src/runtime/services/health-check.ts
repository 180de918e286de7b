import { isIP } from 'node:net';
import type { Agent } from 'undici';
import type { HealthCheckConfig } from '../../config/dynamic/http-service.js';
import { ErrorCodes } from '../../errors/codes.js';
import type { Logger } from '../../observability/logger.js';
import type { DeepReadonly } from '../../util/deep-freeze.js';
import { upstreamConnector } from './client-pool.js';
import { loadUndici, type Undici } from './undici-module.js';
import type { ServerStateRegistry } from './server-state.js';
import type { ResolvedTransport } from './transport-config.js';

/** Go's http.Client stops after 10 redirects. */
const MAX_REDIRECTS = 10;

export interface HealthCheckProblem {
  readonly code: (typeof ErrorCodes)[keyof typeof ErrorCodes];
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

/**
 * Checks a healthCheck section before use. gRPC health checks are not implemented: the service keeps serving,
 * without an active check, and says so (a warning). A path must be relative (Traefik 3.7 rejects absolute URLs).
 */
export function checkHealthCheckConfig(config: DeepReadonly<HealthCheckConfig>): HealthCheckProblem | undefined {
  if (config.mode === 'grpc') {
    return { code: ErrorCodes.NOT_SUPPORTED, severity: 'warning', message: 'healthCheck.mode "grpc" is not supported by Berth: this service has no active health check; use mode "http" with an HTTP endpoint, or a passiveHealthCheck' };
  }
  if (config.path === undefined || config.path === '') {
    return { code: ErrorCodes.MISSING_VALUE, severity: 'error', message: 'healthCheck.path is required (for example "/health")' };
  }
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:|^\/\//.test(config.path)) {
    return { code: ErrorCodes.INVALID_VALUE, severity: 'error', message: `healthCheck.path must be relative to the server URL, got "${config.path}"` };
  }
  return undefined;
}

export interface HealthCheckTarget {
  /** The server URL as configured (the key of its ServerState). */
  readonly url: string;
}

export interface ActiveHealthCheckOptions {
  readonly serviceName: string;
  readonly config: DeepReadonly<HealthCheckConfig>;
  readonly transport: ResolvedTransport;
  readonly targets: readonly HealthCheckTarget[];
  readonly states: ServerStateRegistry;
  /** The generation's signal: aborting it stops the checks and any check in flight. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

/** The URL a server is checked at: path resolved against the server URL, then scheme and port overrides. */
export function healthCheckUrl(serverUrl: string, config: DeepReadonly<HealthCheckConfig>): URL {
  const base = new URL(serverUrl.replace(/^h2c:/i, 'http:'));
  const url = new URL(config.path ?? '/', base);
  if (config.scheme !== undefined && config.scheme !== '') url.protocol = `${config.scheme.replace(/^h2c$/i, 'http')}:`;
  if (config.port !== undefined) url.port = String(config.port);
  return url;
}

/**
 * Active HTTP health checks of one service's servers, as Traefik's ServiceHealthChecker: every `interval` the
 * servers that are UP are checked, every `unhealthyInterval` (default: interval) those that are DOWN; a check
 * passes on the configured status, or any 2xx/3xx, within `timeout`. Results go to the ServerStateRegistry, so
 * a server that fails leaves every balancer's rotation and comes back when it passes again.
 */
export class ActiveHealthCheck {
  readonly #options: ActiveHealthCheckOptions;
  /** Created with the first check (undici loads then, see undici-module.ts). */
  #agent: Agent | undefined;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #running = new Set<string>();

  constructor(options: ActiveHealthCheckOptions) {
    this.#options = options;
  }

  /** Starts the two check loops; they stop when the signal aborts. */
  start(): void {
    const { config, signal } = this.#options;
    if (signal.aborted) return;
    this.#loop(true, config.interval);
    this.#loop(false, config.unhealthyInterval ?? config.interval);
    signal.addEventListener('abort', () => {
      for (const timer of this.#timers) clearInterval(timer);
      void this.#agent?.destroy().catch(() => undefined);
    }, { once: true });
  }

  #dispatcher(undici: Undici): Agent {
    if (this.#agent !== undefined) return this.#agent;
    const { transport, targets } = this.#options;
    const serverName = transport.tls.serverName;
    this.#agent = new undici.Agent({
      connect: upstreamConnector(undici, transport, targets.some((t) => /^h2c:/i.test(t.url)), (hostname) => serverName ?? (isIP(hostname) === 0 ? hostname : undefined)),
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    // A generation replaced while its first check was loading undici: nothing else will close this agent.
    if (this.#options.signal.aborted) void this.#agent.destroy().catch(() => undefined);
    return this.#agent;
  }

  /** Checks one server now; resolves true when it passed. */
  async check(serverUrl: string): Promise<boolean> {
    const { config, signal } = this.#options;
    const deadline = AbortSignal.any([signal, AbortSignal.timeout(config.timeout)]);
    let url = healthCheckUrl(serverUrl, config);
    let method = config.method;
    for (let redirects = 0; ; redirects++) {
      const headers: Record<string, string> = { ...(config.headers ?? {}) };
      if (config.hostname !== undefined && config.hostname !== '') headers['host'] = config.hostname;
      const undici = await loadUndici();
      const response = await undici.request(url, { method, headers, dispatcher: this.#dispatcher(undici), signal: deadline });
      await response.body.dump();
      const status = response.statusCode;
      const location = response.headers['location'];
      if (config.followRedirects && status >= 300 && status < 400 && typeof location === 'string' && redirects < MAX_REDIRECTS) {
        url = new URL(location, url);
        // As Go's client: 301/302/303 turn into GET (except HEAD); 307/308 keep the method.
        if (status !== 307 && status !== 308 && method !== 'HEAD') method = 'GET';
        continue;
      }
      if (config.status !== undefined) {
        if (status !== config.status) throw new Error(`received status ${status}, expected ${config.status}`);
      } else if (status < 200 || status >= 400) {
        throw new Error(`received error status ${status}`);
      }
      return true;
    }
  }

  #loop(healthy: boolean, interval: number): void {
    const timer = setInterval(() => void this.#tick(healthy), interval);
    timer.unref();
    this.#timers.push(timer);
  }

  async #tick(healthy: boolean): Promise<void> {
    const { targets, states, signal, logger, serviceName } = this.#options;
    const due = targets.filter((target) => (states.get(target.url)?.up ?? true) === healthy && !this.#running.has(target.url));
    await Promise.all(due.map(async (target) => {
      this.#running.add(target.url);
      try {
        await this.check(target.url);
        if (!signal.aborted) states.setHealth(target.url, true);
      } catch (err) {
        // A check cut short by a reload says nothing about the server.
        if (signal.aborted) return;
        logger.warn({ serviceName, serverUrl: target.url, err: (err as Error).message }, 'health check failed');
        states.setHealth(target.url, false);
      } finally {
        this.#running.delete(target.url);
      }
    }));
  }
}

import type { ForwardObserver } from './forwarder.js';
import type { ServerState, ServerStateRegistry } from './server-state.js';

/** `passiveHealthCheck` of a loadBalancer (Traefik 3.6), times in milliseconds. */
export interface PassiveHealthOptions {
  readonly failureWindow: number;
  readonly maxFailedAttempts: number;
  /** With an active health check, the active check alone brings a server back UP (as in Traefik). */
  readonly hasActiveCheck: boolean;
}

const STATUS_CLIENT_CLOSED = 499;

/**
 * What a service learns from each request to one of its servers: requests in flight (p2c, leasttime), time to
 * first byte (leasttime) and, with a passive health check, failures. A failure is an answer of 500 or more,
 * Berth's own 502/504 included (the server was not reached); `maxFailedAttempts` failures inside
 * `failureWindow` take the server out for one window, as Traefik's PassiveServiceHealthChecker does. A client
 * that left (499) proves nothing either way.
 */
export class ServerObserver implements ForwardObserver {
  readonly #state: ServerState;
  readonly #registry: ServerStateRegistry;
  readonly #passive: PassiveHealthOptions | undefined;
  #failures: number[] = [];

  constructor(state: ServerState, registry: ServerStateRegistry, passive: PassiveHealthOptions | undefined) {
    this.#state = state;
    this.#registry = registry;
    this.#passive = passive;
  }

  onStart(): void {
    this.#state.inFlight++;
  }

  onResponse(_status: number, ttfbMs: number): void {
    this.#state.recordTtfb(ttfbMs);
  }

  onEnd(status: number): void {
    this.#state.inFlight--;
    const passive = this.#passive;
    if (passive === undefined || status === STATUS_CLIENT_CLOSED) return;
    if (status < 500) {
      if (this.#failures.length > 0) this.#failures = [];
      return;
    }
    const now = Date.now();
    const windowStart = now - passive.failureWindow;
    this.#failures = this.#failures.filter((at) => at > windowStart);
    this.#failures.push(now);
    if (this.#failures.length < passive.maxFailedAttempts) return;
    this.#failures = [];
    if (passive.hasActiveCheck) this.#registry.setHealth(this.#state.url, false);
    else this.#registry.markDownFor(this.#state.url, passive.failureWindow);
  }
}

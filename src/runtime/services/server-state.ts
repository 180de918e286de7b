import { Leases } from './leases.js';

/** Traefik's leasttime strategy averages the last 100 time-to-first-byte samples of a server. */
const TTFB_SAMPLES = 100;

/**
 * What Berth knows about one upstream server, keyed by its URL: health, requests in flight, and the recent
 * time to first byte. It outlives snapshots, so a reload neither forgets that a server is down nor resets its
 * load figures. Balancers read it on every pick; only the registry changes `up`.
 */
export class ServerState {
  readonly url: string;
  /** UP (true) or DOWN, as the last active or passive health check decided; servers start UP, as in Traefik. */
  up = true;
  /** Requests forwarded to this server and not yet finished, across every generation and service. */
  inFlight = 0;
  readonly #samples = new Float64Array(TTFB_SAMPLES);
  #next = 0;
  #count = 0;
  #sum = 0;

  constructor(url: string) {
    this.url = url;
  }

  /** Average time to first byte in milliseconds over the last samples; 0 before the first one (cold start). */
  get ttfbMs(): number {
    return this.#count === 0 ? 0 : this.#sum / this.#count;
  }

  recordTtfb(ms: number): void {
    if (this.#count < TTFB_SAMPLES) this.#count++;
    else this.#sum -= this.#samples[this.#next] ?? 0;
    this.#samples[this.#next] = ms;
    this.#sum += ms;
    this.#next = (this.#next + 1) % TTFB_SAMPLES;
  }
}

export type ServerStatus = 'UP' | 'DOWN';
export type HealthListener = (url: string, up: boolean) => void;

/**
 * Every ServerState, keyed by URL. Health changes go through `setHealth` (and `markDownFor`) and are announced
 * to `onChange` listeners, so a later multi-process mode can relay them between workers; there is no global
 * instance, bootstrap creates one and passes it down.
 *
 * A state lives as long as some generation holds a lease on it (see Leases): a server removed from
 * configuration is forgotten once the last graph using it is aborted, so when it comes back it starts UP.
 */
export class ServerStateRegistry {
  readonly #states = new Map<string, ServerState>();
  readonly #listeners = new Set<HealthListener>();
  readonly #recoveries = new Map<string, NodeJS.Timeout>();
  readonly #leases = new Leases<string>((url) => this.#forget(url));

  /** The state of `url`, created UP if new, kept at least until `signal` aborts. */
  acquire(url: string, signal: AbortSignal): ServerState {
    let state = this.#states.get(url);
    if (state === undefined) {
      state = new ServerState(url);
      this.#states.set(url, state);
    }
    this.#leases.acquire(url, signal);
    // A state taken with an already aborted signal is not kept: nothing would ever release it.
    if (this.#leases.count(url) === 0) this.#forget(url);
    return state;
  }

  get(url: string): ServerState | undefined {
    return this.#states.get(url);
  }

  /** Records a health decision; listeners hear of it only when the status actually changes. */
  setHealth(url: string, up: boolean): void {
    const state = this.#states.get(url);
    if (state === undefined || state.up === up) return;
    if (up) this.#cancelRecovery(url);
    state.up = up;
    for (const listener of this.#listeners) listener(url, up);
  }

  /**
   * Passive health check without an active one: the server is DOWN for `ms`, then UP again. The timer belongs
   * to the registry, not to a generation, so a reload during the window cannot leave the server DOWN forever.
   */
  markDownFor(url: string, ms: number): void {
    if (!this.#states.has(url) || this.#recoveries.has(url)) return;
    this.setHealth(url, false);
    const timer = setTimeout(() => {
      this.#recoveries.delete(url);
      this.setHealth(url, true);
    }, ms);
    timer.unref();
    this.#recoveries.set(url, timer);
  }

  /** Calls `listener(url, up)` on every health change; returns the function that unsubscribes it. */
  onChange(listener: HealthListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** `url -> UP|DOWN` for every known server (the API's serverStatus). */
  statuses(): Map<string, ServerStatus> {
    const out = new Map<string, ServerStatus>();
    for (const [url, state] of this.#states) out.set(url, state.up ? 'UP' : 'DOWN');
    return out;
  }

  /** Stops recovery timers; states stay readable. */
  close(): void {
    for (const timer of this.#recoveries.values()) clearTimeout(timer);
    this.#recoveries.clear();
  }

  #cancelRecovery(url: string): void {
    const timer = this.#recoveries.get(url);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#recoveries.delete(url);
  }

  #forget(url: string): void {
    this.#cancelRecovery(url);
    this.#states.delete(url);
  }
}

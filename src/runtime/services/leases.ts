/**
 * Reference counts held by RuntimeGraph generations. A generation acquires what it uses (a connection pool, a
 * server's state) with its AbortSignal; aborting the signal releases every lease it took. compile() builds
 * generation N before generation N-1 is aborted, so a key used by both never drops to zero and a reload keeps
 * pooled sockets and health state. When the last lease goes, `onZero` runs (close a pool, forget a server).
 *
 * One abort listener per signal, whatever the number of keys, so a large configuration does not trip Node's
 * MaxListenersExceededWarning on the graph's signal.
 */
export class Leases<K> {
  readonly #counts = new Map<K, number>();
  readonly #bySignal = new Map<AbortSignal, K[]>();
  readonly #onZero: (key: K) => void;

  constructor(onZero: (key: K) => void) {
    this.#onZero = onZero;
  }

  /** Takes a lease on `key` until `signal` aborts. An already aborted signal takes no lease. */
  acquire(key: K, signal: AbortSignal): void {
    if (signal.aborted) return;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
    let keys = this.#bySignal.get(signal);
    if (keys === undefined) {
      keys = [];
      this.#bySignal.set(signal, keys);
      signal.addEventListener('abort', () => this.#release(signal), { once: true });
    }
    keys.push(key);
  }

  /** Number of live leases on `key`. */
  count(key: K): number {
    return this.#counts.get(key) ?? 0;
  }

  #release(signal: AbortSignal): void {
    const keys = this.#bySignal.get(signal) ?? [];
    this.#bySignal.delete(signal);
    for (const key of keys) {
      const left = (this.#counts.get(key) ?? 1) - 1;
      if (left > 0) {
        this.#counts.set(key, left);
        continue;
      }
      this.#counts.delete(key);
      this.#onZero(key);
    }
  }
}

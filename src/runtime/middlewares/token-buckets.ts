/**
 * Token buckets per source, as golang.org/x/time/rate's Limiter (Traefik's in-memory limiter): tokens refill
 * at `rate` per second up to `burst`; a reservation may drive the count negative, and the deficit is the wait.
 * Buckets unused for `ttlSeconds` are dropped, and at most MAX_SOURCES are kept (the oldest goes first).
 */
const MAX_SOURCES = 65_536;

interface Bucket {
  tokens: number;
  last: number;
  expires: number;
}

export class TokenBuckets {
  readonly #buckets = new Map<string, Bucket>();
  readonly #rate: number;
  readonly #burst: number;
  readonly #ttlMs: number;

  constructor(ratePerSecond: number, burst: number, ttlSeconds: number, signal: AbortSignal) {
    this.#rate = ratePerSecond;
    this.#burst = burst;
    this.#ttlMs = ttlSeconds * 1000;
    const sweep = setInterval(() => this.sweep(Date.now()), Math.max(1000, this.#ttlMs));
    sweep.unref();
    signal.addEventListener('abort', () => clearInterval(sweep), { once: true });
  }

  /**
   * Takes one token for `source` and returns how long (ms) the request must wait for it. When that exceeds
   * `maxDelayMs` the token is given back (the request is refused instead), as Reservation.Cancel does.
   */
  reserve(source: string, now: number, maxDelayMs: number): number {
    let bucket = this.#buckets.get(source);
    if (bucket === undefined) {
      if (this.#buckets.size >= MAX_SOURCES) this.#evictOldest(now);
      bucket = { tokens: this.#burst, last: now, expires: 0 };
    } else {
      this.#buckets.delete(source);
      bucket.tokens = Math.min(this.#burst, bucket.tokens + ((now - bucket.last) / 1000) * this.#rate);
      bucket.last = now;
    }
    // Re-inserted on every use, so the Map's order is least recently used first.
    bucket.expires = now + this.#ttlMs;
    this.#buckets.set(source, bucket);
    bucket.tokens -= 1;
    const delay = bucket.tokens < 0 ? (-bucket.tokens / this.#rate) * 1000 : 0;
    if (delay > maxDelayMs) bucket.tokens += 1;
    return delay;
  }

  /** Drops expired buckets; returns how many are left. */
  sweep(now: number): number {
    for (const [source, bucket] of this.#buckets) if (bucket.expires <= now) this.#buckets.delete(source);
    return this.#buckets.size;
  }

  #evictOldest(now: number): void {
    if (this.sweep(now) < MAX_SOURCES) return;
    const oldest = this.#buckets.keys().next().value;
    if (oldest !== undefined) this.#buckets.delete(oldest);
  }
}

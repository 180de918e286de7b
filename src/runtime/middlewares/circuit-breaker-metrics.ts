import type { BreakerMetrics } from './circuit-breaker-expression.js';

/** A count over the last `buckets` × `resolutionMs`, as oxy's RollingCounter (10 × 1 s for the breaker). */
class RollingCounter {
  readonly #values: Float64Array;
  readonly #resolution: number;
  #last = 0;

  constructor(buckets: number, resolutionMs: number) {
    this.#values = new Float64Array(buckets);
    this.#resolution = resolutionMs;
  }

  inc(now: number): void {
    this.#cleanup(now);
    const slot = Math.floor(now / this.#resolution) % this.#values.length;
    this.#values[slot] = (this.#values[slot] as number) + 1;
  }

  count(now: number): number {
    this.#cleanup(now);
    let sum = 0;
    for (const value of this.#values) sum += value;
    return sum;
  }

  #cleanup(now: number): void {
    const current = Math.floor(now / this.#resolution);
    const last = Math.floor(this.#last / this.#resolution);
    // Buckets between the last update and now belong to periods that saw nothing.
    for (let period = current; period > last && period > current - this.#values.length; period--) {
      this.#values[period % this.#values.length] = 0;
    }
    this.#last = now;
  }
}

// Latencies go into logarithmic bins 2% wide, from 1 µs to an hour: a fixed, small memory per breaker
// (oxy uses an HDR histogram of 3 significant figures over the same range).
const GROWTH = Math.log(1.02);
const BINS = Math.ceil(Math.log(3_600_000_000) / GROWTH) + 1;

/** Latencies over the last 6 × 10 s, as oxy's rolling histogram. */
class RollingHistogram {
  readonly #bins: Uint32Array[] = Array.from({ length: 6 }, () => new Uint32Array(BINS));
  readonly #periods: number[] = new Array<number>(6).fill(-1);

  record(now: number, latencyMs: number): void {
    const period = Math.floor(now / 10_000);
    const slot = period % 6;
    const bins = this.#bins[slot] as Uint32Array;
    if (this.#periods[slot] !== period) {
      bins.fill(0);
      this.#periods[slot] = period;
    }
    const micros = Math.max(1, latencyMs * 1000);
    const bin = Math.min(BINS - 1, Math.floor(Math.log(micros) / GROWTH));
    bins[bin] = (bins[bin] as number) + 1;
  }

  /** The latency (ms) that `quantile` percent of recent requests stayed under. */
  quantileMs(now: number, quantile: number): number {
    const period = Math.floor(now / 10_000);
    const merged = new Float64Array(BINS);
    let total = 0;
    this.#bins.forEach((bins, slot) => {
      const age = period - (this.#periods[slot] as number);
      if (age < 0 || age >= 6) return;
      for (let i = 0; i < BINS; i++) merged[i] = (merged[i] as number) + (bins[i] as number);
    });
    for (const count of merged) total += count;
    if (total === 0) return 0;
    const wanted = Math.ceil((Math.min(100, Math.max(0, quantile)) / 100) * total);
    let seen = 0;
    for (let i = 0; i < BINS; i++) {
      seen += merged[i] as number;
      if (seen >= wanted && seen > 0) return Math.exp((i + 1) * GROWTH) / 1000;
    }
    return 0;
  }
}

/** The round-trip metrics of one circuit breaker (oxy's RTMetrics), on a clock the caller gives. */
export class RoundTripMetrics {
  #total = new RollingCounter(10, 1000);
  #networkErrors = new RollingCounter(10, 1000);
  #statuses = new Map<number, RollingCounter>();
  #latency = new RollingHistogram();

  record(now: number, status: number, latencyMs: number): void {
    this.#total.inc(now);
    // oxy counts 502 and 504 as network errors: that is what the proxy answers when the backend fails.
    if (status === 502 || status === 504) this.#networkErrors.inc(now);
    let counter = this.#statuses.get(status);
    if (counter === undefined) {
      counter = new RollingCounter(10, 1000);
      this.#statuses.set(status, counter);
    }
    counter.inc(now);
    this.#latency.record(now, latencyMs);
  }

  reset(): void {
    this.#total = new RollingCounter(10, 1000);
    this.#networkErrors = new RollingCounter(10, 1000);
    this.#statuses = new Map();
    this.#latency = new RollingHistogram();
  }

  /** A view for expressions, at time `now`. */
  at(now: number): BreakerMetrics {
    return {
      networkErrorRatio: () => {
        const total = this.#total.count(now);
        return total === 0 ? 0 : this.#networkErrors.count(now) / total;
      },
      responseCodeRatio: (fromA, toA, fromB, toB) => {
        let a = 0;
        let b = 0;
        for (const [code, counter] of this.#statuses) {
          const count = counter.count(now);
          // Ranges are half-open: [from, to).
          if (code >= fromA && code < toA) a += count;
          if (code >= fromB && code < toB) b += count;
        }
        return b === 0 ? 0 : a / b;
      },
      latencyAtQuantileMs: (quantile) => Math.trunc(this.#latency.quantileMs(now, quantile)),
      requestCount: () => this.#total.count(now),
    };
  }
}

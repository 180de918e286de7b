import type { Balancer, BalancerCandidate, BalancerFactory, BalancerOptions } from './balancer.js';

/**
 * Power of two random choices, as Traefik's p2c: two distinct random UP candidates, the one with fewer requests
 * in flight wins (the first on a tie). Weights are ignored, as in Traefik. Picks allocate nothing: the k-th UP
 * candidate is found by counting instead of building a list of healthy ones per request.
 */
export class P2cBalancer<C extends BalancerCandidate> implements Balancer<C> {
  readonly #candidates: readonly C[];
  readonly #random: () => number;

  constructor(candidates: readonly C[], options: BalancerOptions = {}) {
    this.#candidates = candidates;
    this.#random = options.random ?? Math.random;
  }

  pick(): C | undefined {
    let healthy = 0;
    for (const candidate of this.#candidates) if (candidate.state.up) healthy++;
    if (healthy === 0) return undefined;
    if (healthy === 1) return this.#nthUp(0);
    const n1 = Math.floor(this.#random() * healthy);
    let n2 = Math.floor(this.#random() * healthy);
    // Traefik draws twice and shifts the second index on a collision so that two distinct candidates compete.
    if (n2 === n1) n2 = (n2 + 1) % healthy;
    const first = this.#nthUp(n1) as C;
    const second = this.#nthUp(n2) as C;
    return second.state.inFlight < first.state.inFlight ? second : first;
  }

  #nthUp(n: number): C | undefined {
    let seen = 0;
    for (const candidate of this.#candidates) {
      if (!candidate.state.up) continue;
      if (seen === n) return candidate;
      seen++;
    }
    return undefined;
  }
}

export const createP2c: BalancerFactory = (candidates, options) => new P2cBalancer(candidates, options);

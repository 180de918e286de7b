import type { Balancer, BalancerCandidate, BalancerFactory } from './balancer.js';

/**
 * Least time, as Traefik's leasttime: the UP candidate with the lowest avgTTFB x (1 + in flight) / weight wins;
 * candidates tied on that score (all of them at cold start) are served in weighted round robin by earliest
 * deadline, so the tie-break follows the weights.
 */
export class LeastTimeBalancer<C extends BalancerCandidate> implements Balancer<C> {
  readonly #candidates: readonly C[];
  readonly #deadlines: Float64Array;

  constructor(candidates: readonly C[]) {
    this.#candidates = candidates;
    this.#deadlines = new Float64Array(candidates.length);
    // Traefik staggers initial deadlines by adding 1/weight to the previous server's deadline.
    let deadline = 0;
    candidates.forEach((candidate, i) => {
      deadline += 1 / candidate.weight;
      this.#deadlines[i] = deadline;
    });
  }

  pick(): C | undefined {
    const candidates = this.#candidates;
    let best = Infinity;
    let healthy = 0;
    let only = -1;
    for (let i = 0; i < candidates.length; i++) {
      const candidate = candidates[i] as C;
      if (!candidate.state.up) continue;
      healthy++;
      only = i;
      const score = (candidate.state.ttfbMs * (1 + candidate.state.inFlight)) / candidate.weight;
      if (score < best) best = score;
    }
    if (healthy === 0) return undefined;
    if (healthy === 1) return candidates[only];
    let chosen = -1;
    let earliest = Infinity;
    for (let i = 0; i < candidates.length; i++) {
      const candidate = candidates[i] as C;
      if (!candidate.state.up) continue;
      const score = (candidate.state.ttfbMs * (1 + candidate.state.inFlight)) / candidate.weight;
      const deadline = this.#deadlines[i] ?? 0;
      if (score === best && deadline < earliest) {
        earliest = deadline;
        chosen = i;
      }
    }
    const winner = candidates[chosen] as C;
    this.#deadlines[chosen] = earliest + 1 / winner.weight;
    return winner;
  }
}

export const createLeastTime: BalancerFactory = (candidates) => new LeastTimeBalancer(candidates);

import type { Balancer, BalancerCandidate, BalancerFactory, PickContext } from './balancer.js';
import { hashBytes, hashFraction, hashStart, hashText } from './rendezvous-hash.js';

/**
 * Highest random weight (rendezvous hashing) of the client IP, as Traefik's hrw: every UP candidate scores
 * weight / -ln(hash(ip + name)) and the highest wins. A client keeps its server while the set of UP servers is
 * unchanged, only the clients of a server that goes DOWN move, and shares follow the weights.
 */
export class HrwBalancer<C extends BalancerCandidate> implements Balancer<C> {
  readonly #candidates: readonly C[];
  readonly #names: readonly Uint8Array[];

  constructor(candidates: readonly C[]) {
    this.#candidates = candidates;
    this.#names = candidates.map((candidate) => Buffer.from(candidate.name, 'utf8'));
  }

  pick(ctx: PickContext): C | undefined {
    const prefix = hashText(hashStart(), ctx.clientIp);
    let best: C | undefined;
    let bestScore = 0;
    for (let i = 0; i < this.#candidates.length; i++) {
      const candidate = this.#candidates[i] as C;
      if (!candidate.state.up) continue;
      const fraction = hashFraction(hashBytes(prefix, this.#names[i] as Uint8Array));
      const score = candidate.weight / -Math.log(fraction);
      if (best === undefined || score > bestScore) {
        best = candidate;
        bestScore = score;
      }
    }
    return best;
  }
}

export const createHrw: BalancerFactory = (candidates) => new HrwBalancer(candidates);

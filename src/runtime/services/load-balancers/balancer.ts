import type { RequestContext } from '../../request-context.js';

/** What a balancer reads of a candidate at pick time; a ServerState for servers, a health view for child services. */
export interface CandidateState {
  readonly up: boolean;
  readonly inFlight: number;
  /** Average time to first byte in milliseconds; 0 when unknown. */
  readonly ttfbMs: number;
}

/** One thing a balancer chooses among: a server of a loadBalancer service, or a child of a weighted service. */
export interface BalancerCandidate {
  /** The server URL or the child service name: hashed by hrw and by sticky cookies. */
  readonly name: string;
  /** Strictly positive: the builder leaves weight-0 entries out, as Traefik does ("non-positive weight is meaningless"). */
  readonly weight: number;
  readonly state: CandidateState;
}

/** The part of the request context a strategy may look at. */
export type PickContext = Pick<RequestContext, 'clientIp'>;

/**
 * A load-balancing strategy over a fixed list of candidates, built once per generation. `pick` returns a
 * candidate whose state is UP, or undefined when none is (the service answers 503). It must not allocate on the
 * common path: it runs on every request.
 */
export interface Balancer<C extends BalancerCandidate> {
  pick(ctx: PickContext): C | undefined;
}

export interface BalancerOptions {
  /** Random source in [0, 1) for randomised strategies (p2c); tests pass a seeded one. */
  readonly random?: () => number;
  /**
   * Which candidate round robin starts from (wrr: ties go to candidate `rotation mod n` first). Each worker
   * process passes its own index, so workers that each take every other connection do not all send their first
   * requests to the first server.
   */
  readonly rotation?: number;
}

export type BalancerFactory = <C extends BalancerCandidate>(candidates: readonly C[], options?: BalancerOptions) => Balancer<C>;

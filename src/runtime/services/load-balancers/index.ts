import type { LoadBalancerConfig } from '../../../config/dynamic/http-service.js';
import type { BalancerFactory } from './balancer.js';
import { createHrw } from './hrw.js';
import { createLeastTime } from './leasttime.js';
import { createP2c } from './p2c.js';
import { createWrr } from './wrr.js';

export type { Balancer, BalancerCandidate, BalancerFactory, BalancerOptions, CandidateState, PickContext } from './balancer.js';

/** The loadBalancer strategies; `satisfies` makes a strategy added to the schema without a factory a compile error. */
export const BALANCERS = {
  wrr: createWrr,
  p2c: createP2c,
  hrw: createHrw,
  leasttime: createLeastTime,
} as const satisfies Record<LoadBalancerConfig['strategy'], BalancerFactory>;

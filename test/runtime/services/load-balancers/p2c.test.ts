import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createP2c } from '../../../../src/runtime/services/load-balancers/p2c.js';
import { candidate, runBalancerContract, seededRandom } from '../../../contracts/balancer.contract.js';

const LOCAL = { clientIp: '127.0.0.1' };

runBalancerContract({ name: 'p2c', create: createP2c, distribution: 'uniform', tolerance: 0.03 });

describe('p2c', () => {
  it('prefers the candidate with fewer requests in flight', () => {
    const busy = candidate('busy');
    busy.state.inFlight = 10;
    const idle = candidate('idle');
    const balancer = createP2c([busy, idle], { random: seededRandom(7) });
    for (let i = 0; i < 50; i++) assert.equal(balancer.pick(LOCAL)?.name, 'idle');
  });

  it('never sends to the busiest of three', () => {
    const servers = [candidate('a'), candidate('b'), candidate('c')];
    (servers[2] as ReturnType<typeof candidate>).state.inFlight = 5;
    const balancer = createP2c(servers, { random: seededRandom(3) });
    for (let i = 0; i < 200; i++) assert.notEqual(balancer.pick(LOCAL)?.name, 'c');
  });
});

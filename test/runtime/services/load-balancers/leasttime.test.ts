import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLeastTime } from '../../../../src/runtime/services/load-balancers/leasttime.js';
import { candidate, runBalancerContract } from '../../../contracts/balancer.contract.js';

const LOCAL = { clientIp: '127.0.0.1' };

runBalancerContract({ name: 'leasttime', create: createLeastTime, distribution: 'weighted', tolerance: 0.001 });

describe('leasttime', () => {
  it('prefers the lowest time to first byte', () => {
    const slow = candidate('slow');
    slow.state.ttfbMs = 50;
    const fast = candidate('fast');
    fast.state.ttfbMs = 5;
    const balancer = createLeastTime([slow, fast]);
    for (let i = 0; i < 10; i++) assert.equal(balancer.pick(LOCAL)?.name, 'fast');
  });

  it('weighs time by requests in flight and weight', () => {
    const a = candidate('a');
    a.state.ttfbMs = 10;
    a.state.inFlight = 3; // 10 x 4 = 40
    const b = candidate('b', 2);
    b.state.ttfbMs = 30; // 30 x 1 / 2 = 15
    assert.equal(createLeastTime([a, b]).pick(LOCAL)?.name, 'b');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createWrr } from '../../../../src/runtime/services/load-balancers/wrr.js';
import { candidate, runBalancerContract } from '../../../contracts/balancer.contract.js';

const LOCAL = { clientIp: '127.0.0.1' };

runBalancerContract({ name: 'wrr', create: createWrr, distribution: 'weighted', tolerance: 0.001 });

describe('wrr', () => {
  it('gives weights 3:1 exactly over 400 picks, without bursts', () => {
    const balancer = createWrr([candidate('a', 3), candidate('b', 1)]);
    const picks = Array.from({ length: 400 }, () => balancer.pick(LOCAL)?.name);
    assert.equal(picks.filter((name) => name === 'a').length, 300);
    assert.equal(picks.filter((name) => name === 'b').length, 100);
    // Smooth: never more than three a's in a row.
    assert.ok(!picks.join('').includes('aaaa'));
  });

  it('does not send a burst to a server coming back UP', () => {
    const servers = [candidate('a'), candidate('b')];
    const balancer = createWrr(servers);
    (servers[1] as ReturnType<typeof candidate>).state.up = false;
    for (let i = 0; i < 100; i++) balancer.pick(LOCAL);
    (servers[1] as ReturnType<typeof candidate>).state.up = true;
    const next = Array.from({ length: 10 }, () => balancer.pick(LOCAL)?.name);
    assert.equal(next.filter((name) => name === 'b').length, 5);
  });

  it('rotation picks which server starts, and keeps the weights (one start per worker process)', () => {
    const first = (rotation: number): Array<string | undefined> => {
      const balancer = createWrr([candidate('a'), candidate('b'), candidate('c')], { rotation });
      return Array.from({ length: 6 }, () => balancer.pick(LOCAL)?.name);
    };
    assert.deepEqual(first(0), ['a', 'b', 'c', 'a', 'b', 'c']);
    assert.deepEqual(first(1), ['b', 'c', 'a', 'b', 'c', 'a']);
    assert.deepEqual(first(5), ['c', 'a', 'b', 'c', 'a', 'b']);
    const weighted = createWrr([candidate('a', 3), candidate('b', 1)], { rotation: 1 });
    const picks = Array.from({ length: 400 }, () => weighted.pick(LOCAL)?.name);
    assert.equal(picks.filter((name) => name === 'a').length, 300);
  });
});

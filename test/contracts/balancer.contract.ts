import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BalancerCandidate, BalancerFactory, BalancerOptions } from '../../src/runtime/services/load-balancers/balancer.js';

/** A candidate whose state the test changes directly. */
export interface FakeCandidate extends BalancerCandidate {
  readonly state: { up: boolean; inFlight: number; ttfbMs: number };
}

export function candidate(name: string, weight = 1): FakeCandidate {
  return { name, weight, state: { up: true, inFlight: 0, ttfbMs: 0 } };
}

/** A small deterministic random source (mulberry32) so randomised strategies are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BalancerContractOptions {
  readonly name: string;
  readonly create: BalancerFactory;
  /** How picks spread over UP candidates when nothing else differs: by weight, or evenly (p2c ignores weights). */
  readonly distribution: 'weighted' | 'uniform';
  /** Allowed deviation of each candidate's share, as a fraction of all picks (0.02 = 2 points). */
  readonly tolerance: number;
}

/** Client IPs spread over many addresses, for strategies keyed by client (hrw). */
function clientIp(i: number): string {
  return `127.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

function options(): BalancerOptions {
  return { random: seededRandom(42) };
}

/**
 * The behaviour every load-balancing strategy shares (ARCHITECTURE.md, convention 7): only UP candidates are
 * picked, none means undefined, picks spread within tolerance, and a rebuild over the same servers behaves the
 * same. A new strategy's test file is one call to this plus its own specifics.
 */
export function runBalancerContract(contract: BalancerContractOptions): void {
  const { create } = contract;

  describe(`${contract.name} (balancer contract)`, () => {
    it('returns undefined when there is no candidate', () => {
      assert.equal(create([], options()).pick({ clientIp: '127.0.0.1' }), undefined);
    });

    it('returns undefined when every candidate is DOWN', () => {
      const servers = [candidate('a'), candidate('b')];
      for (const server of servers) server.state.up = false;
      const balancer = create(servers, options());
      for (let i = 0; i < 10; i++) assert.equal(balancer.pick({ clientIp: clientIp(i) }), undefined);
    });

    it('never picks a DOWN candidate, and picks it again once it is UP', () => {
      const servers = [candidate('a', 2), candidate('b'), candidate('c')];
      const down = servers[1] as FakeCandidate;
      down.state.up = false;
      const balancer = create(servers, options());
      for (let i = 0; i < 500; i++) assert.notEqual(balancer.pick({ clientIp: clientIp(i) })?.name, 'b');
      down.state.up = true;
      const names = new Set<string>();
      for (let i = 0; i < 500; i++) names.add(balancer.pick({ clientIp: clientIp(i) })?.name ?? '');
      assert.ok(names.has('b'), 'the candidate back UP is picked again');
    });

    it('spreads picks within tolerance', () => {
      const servers = [candidate('a', 3), candidate('b', 1), candidate('c', 2)];
      const balancer = create(servers, options());
      const picks = 6000;
      const counts = new Map<string, number>();
      for (let i = 0; i < picks; i++) {
        const name = balancer.pick({ clientIp: clientIp(i) })?.name ?? '';
        counts.set(name, (counts.get(name) ?? 0) + 1);
      }
      const totalWeight = servers.reduce((sum, s) => sum + s.weight, 0);
      for (const server of servers) {
        const expected = contract.distribution === 'weighted' ? server.weight / totalWeight : 1 / servers.length;
        const share = (counts.get(server.name) ?? 0) / picks;
        assert.ok(Math.abs(share - expected) <= contract.tolerance, `${server.name}: share ${share.toFixed(3)}, expected ${expected.toFixed(3)}`);
      }
    });

    it('behaves the same after a rebuild over the same servers', () => {
      const run = (): string[] => {
        const balancer = create([candidate('a', 2), candidate('b'), candidate('c')], options());
        return Array.from({ length: 50 }, (_, i) => balancer.pick({ clientIp: clientIp(i % 7) })?.name ?? '');
      };
      assert.deepEqual(run(), run());
    });

    it('keeps working when the only UP candidate changes', () => {
      const servers = [candidate('a'), candidate('b')];
      const balancer = create(servers, options());
      (servers[0] as FakeCandidate).state.up = false;
      assert.equal(balancer.pick({ clientIp: '127.0.0.1' })?.name, 'b');
      (servers[0] as FakeCandidate).state.up = true;
      (servers[1] as FakeCandidate).state.up = false;
      assert.equal(balancer.pick({ clientIp: '127.0.0.1' })?.name, 'a');
    });
  });
}

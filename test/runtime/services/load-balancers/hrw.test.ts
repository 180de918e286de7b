import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashBytes, hashFraction, hashStart, hashText } from '../../../../src/runtime/services/load-balancers/rendezvous-hash.js';
import { createHrw } from '../../../../src/runtime/services/load-balancers/hrw.js';
import { candidate, runBalancerContract } from '../../../contracts/balancer.contract.js';

runBalancerContract({ name: 'hrw', create: createHrw, distribution: 'weighted', tolerance: 0.03 });

describe('hrw', () => {
  it('hashes text and bytes alike, and spreads neighbouring names over the whole range', () => {
    assert.equal(hashText(hashStart(), 'x\u00e9'), hashBytes(hashStart(), Buffer.from('x\u00e9', 'utf8')));
    // FNV-1a 32 of "a" is 0xe40c292c: the finalizer runs on top of the standard hash.
    assert.equal(hashText(hashStart(), 'a') >>> 0, 0xe40c292c);
    const fractions = ['a', 'b', 'c', 'd'].map((name) => hashFraction(hashText(hashStart(), `127.0.0.1${name}`)));
    const spread = Math.max(...fractions) - Math.min(...fractions);
    assert.ok(spread > 0.1, `fractions of names differing in the last byte are spread: ${fractions.join(', ')}`);
    for (const f of fractions) assert.ok(f > 0 && f < 1);
  });

  it('sends a client to the same server every time', () => {
    const balancer = createHrw([candidate('http://a'), candidate('http://b'), candidate('http://c')]);
    const first = balancer.pick({ clientIp: '192.0.2.7' })?.name;
    for (let i = 0; i < 20; i++) assert.equal(balancer.pick({ clientIp: '192.0.2.7' })?.name, first);
  });

  it('moves only the clients of a server that goes DOWN', () => {
    const servers = [candidate('http://a'), candidate('http://b'), candidate('http://c')];
    const balancer = createHrw(servers);
    const ips = Array.from({ length: 300 }, (_, i) => `192.0.2.${i % 250}-${i}`);
    const before = ips.map((clientIp) => balancer.pick({ clientIp })?.name);
    (servers[1] as ReturnType<typeof candidate>).state.up = false;
    const after = ips.map((clientIp) => balancer.pick({ clientIp })?.name);
    ips.forEach((_, i) => {
      if (before[i] !== 'http://b') assert.equal(after[i], before[i]);
      else assert.notEqual(after[i], 'http://b');
    });
  });
});

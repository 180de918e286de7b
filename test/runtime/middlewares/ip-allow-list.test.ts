import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { IpChecker, formatIp, parseIp } from '../../../src/runtime/middlewares/ip.js';
import { createIpStrategy } from '../../../src/runtime/middlewares/ip-strategy.js';
import type { RequestContext } from '../../../src/runtime/request-context.js';
import { buildErrors, send, serveMiddleware } from './harness.js';

// traefik/traefik pkg/ip/checker_test.go
test('IpChecker: IPv4, IPv6, mixed ranges and zones', () => {
  const cases: Array<[string[], string[], string[]]> = [
    [['1.2.3.4/24'], ['1.2.3.1', '1.2.3.32', '1.2.3.156', '1.2.3.255'], ['1.2.16.1', '1.2.32.1', '127.0.0.1', '8.8.8.8']],
    [['8.8.8.8'], ['8.8.8.8'], ['8.8.8.7', '8.8.8.9', '8.8.8.0', '8.8.8.255', '4.4.4.4', '127.0.0.1']],
    [['8.8.8.8/32'], ['8.8.8.8'], ['8.8.8.7', '8.8.8.9']],
    [['1.2.3.4/24', '8.8.8.8/8'], ['1.2.3.1', '8.8.4.4', '8.0.0.1', '8.32.42.128', '8.255.255.255'], ['1.2.16.1', '4.4.4.4', '4.8.8.8']],
    [['2a03:4000:6:d080::/64'], ['2a03:4000:6:d080::', '2a03:4000:6:d080::1', '2a03:4000:6:d080:dead:beef:ffff:ffff'], ['2a03:4000:7:d080::', 'fe80::', '4242::1']],
    [['2a03:4000:6:d080::42/128'], ['2a03:4000:6:d080::42'], ['2a03:4000:6:d080::1', '2a03:4000:6:d080::43']],
    [['2a03:4000:6:d080::/64', 'fe80::/16', '1.2.3.4/24'], ['fe80:aa00:00bb:4232:ff00:eeee:00ff:1111', 'fe80:aa00:00bb:4232:ff00:eeee:00ff:1111%vEthernet', 'fe80::fe80', '1.2.3.1', '::ffff:1.2.3.9'], ['2a03:4000:7:d080::1%vmnet1', '4242::1', '127.0.0.1']],
  ];
  for (const [ranges, pass, reject] of cases) {
    const checker = new IpChecker(ranges, 'sourceRange');
    for (const ip of pass) assert.equal(checker.contains(ip), true, `${ip} in ${ranges.join(',')}`);
    for (const ip of reject) assert.equal(checker.contains(ip), false, `${ip} not in ${ranges.join(',')}`);
  }
  const checker = new IpChecker(['1.2.3.4/24'], 'sourceRange');
  for (const broken of ['foo', '10.0.0.350', 'fe:::80', '', '\\&$§&/(', '0127.2.3.1']) assert.equal(checker.contains(broken), undefined, broken);
  assert.throws(() => new IpChecker(['10.10.10.10', 'foo'], 'sourceRange'), /sourceRange\[1\]: "foo" is neither an IP address nor a CIDR range/);
  assert.throws(() => new IpChecker(['10.0.0.0/33'], 'sourceRange'), /sourceRange\[0\]/);
  // Go's IPNet.Contains: an IPv6 range never holds an IPv4 client, so "::/0" alone does not allow everyone.
  assert.equal(new IpChecker(['::/0'], 'sourceRange').contains('10.1.2.3'), false);
  assert.equal(new IpChecker(['::/0', '0.0.0.0/0'], 'sourceRange').contains('10.1.2.3'), true);
  // Go's ParseIP and ParseCIDR refuse a zone in the configured value.
  assert.throws(() => new IpChecker(['fe80::1%eth0'], 'sourceRange'), /sourceRange\[0\]: "fe80::1%eth0"/);
});

test('IPv6 addresses are formatted as Go does', () => {
  for (const [input, output] of [['::abcd:ffff:c0a8:1', '::abcd:ffff:c0a8:1'], ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], ['::1', '::1'], ['::', '::'], ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'], ['::ffff:10.0.0.1', '10.0.0.1'], ['64:ff9b::192.0.2.33', '64:ff9b::c000:221']]) {
    const parsed = parseIp(input as string);
    assert.ok(parsed, input);
    assert.equal(formatIp(parsed), output);
  }
});

// traefik/traefik pkg/ip/strategy_test.go
test('ipStrategy: remote address, depth, excludedIPs and ipv6Subnet', () => {
  const ctx = (clientIp: string, trust = true) => ({ clientIp, trustForwardHeaders: trust }) as RequestContext;
  const req = (xff: string) => ({ headers: { 'x-forwarded-for': xff } }) as unknown as IncomingMessage;
  assert.equal(createIpStrategy(undefined, 's')(req(''), ctx('192.0.2.1')), '192.0.2.1');
  assert.equal(createIpStrategy(undefined, 's')(req(''), ctx('::ffff:192.0.2.1')), '192.0.2.1');
  assert.equal(createIpStrategy({ depth: 0, ipv6Subnet: 24 }, 's')(req(''), ctx('192.0.2.1')), '192.0.2.1');
  assert.equal(createIpStrategy({ depth: 0, ipv6Subnet: 80 }, 's')(req(''), ctx('::abcd:ffff:c0a8:1')), '::abcd:0:0:0');
  assert.equal(createIpStrategy({ depth: 3 }, 's')(req('10.0.0.4,10.0.0.3,10.0.0.2,10.0.0.1'), ctx('1.1.1.1')), '10.0.0.3');
  assert.equal(createIpStrategy({ depth: 2 }, 's')(req(''), ctx('1.1.1.1')), '');
  assert.equal(createIpStrategy({ depth: 2 }, 's')(req('10.0.0.2,10.0.0.1'), ctx('1.1.1.1')), '10.0.0.2');
  assert.equal(createIpStrategy({ depth: 2, ipv6Subnet: 80 }, 's')(req('10.0.0.3,::abcd:ffff:c0a8:1,10.0.0.1'), ctx('1.1.1.1')), '::abcd:0:0:0');
  assert.equal(createIpStrategy({ depth: 1 }, 's')(req('10.0.0.1'), ctx('1.1.1.1', false)), '', 'X-Forwarded-For from an untrusted client is ignored');
  const excluded = (ips: string[], xff: string) => createIpStrategy({ depth: 0, excludedIPs: ips }, 's')(req(xff), ctx('1.1.1.1'));
  assert.equal(excluded(['10.0.0.4', '10.0.0.3', '10.0.0.2', '10.0.0.1'], '10.0.0.4,10.0.0.3,10.0.0.2,10.0.0.1'), '');
  assert.equal(excluded(['10.0.0.2', '10.0.0.1'], '10.0.0.4,10.0.0.3,10.0.0.2,10.0.0.1'), '10.0.0.3');
  assert.equal(excluded(['10.0.0.1/24'], '127.0.0.1,10.0.0.4,10.0.0.3,10.0.0.2,10.0.0.1'), '127.0.0.1');
  assert.throws(() => createIpStrategy({ depth: 0, ipv6Subnet: 0 }, 'ipStrategy'), /ipStrategy.ipv6Subnet: 0 is not a prefix length/);
});

// traefik/traefik pkg/middlewares/ipallowlist/ip_allowlist_test.go, through a real socket from 127.0.0.1.
test('ipAllowList: allows listed clients, rejects others with 403 or rejectStatusCode', async () => {
  const cases: Array<[Record<string, unknown>, Record<string, string>, number]> = [
    [{ sourceRange: ['127.0.0.1'] }, {}, 200],
    [{ sourceRange: ['127.0.0.0/8', '::1'] }, {}, 200],
    [{ sourceRange: ['20.20.20.20'] }, {}, 403],
    [{ sourceRange: ['20.20.20.20'], rejectStatusCode: 404 }, {}, 404],
    [{ sourceRange: ['20.20.20.20'], ipStrategy: { depth: 1 } }, { 'x-forwarded-for': '20.20.20.20' }, 200],
    [{ sourceRange: ['20.20.20.20'], ipStrategy: { depth: 1 } }, { 'x-forwarded-for': '20.20.20.21' }, 403],
    [{ sourceRange: ['20.20.20.20'], ipStrategy: { depth: 2 } }, { 'x-forwarded-for': '20.20.20.21' }, 403],
    [{ sourceRange: ['20.20.20.20'], ipStrategy: { excludedIPs: ['10.0.0.0/8'] } }, { 'x-forwarded-for': '20.20.20.20, 10.0.0.1' }, 200],
  ];
  for (const [config, headers, status] of cases) {
    const served = await serveMiddleware({ ipAllowList: config }, undefined, { trustForwardHeaders: true });
    try {
      const reply = await send(served.url, { headers });
      assert.equal(reply.status, status, JSON.stringify(config));
      if (status === 403) assert.equal(reply.text, 'Forbidden');
    } finally {
      await served.close();
    }
  }
});

test('ipAllowList: build errors', () => {
  assert.match(buildErrors({ ipAllowList: { sourceRange: ['foo'] } })[0] ?? '', /sourceRange\[0\]: "foo"/);
  assert.match(buildErrors({ ipAllowList: { sourceRange: [] } })[0] ?? '', /sourceRange: no IP address or range given/);
});

test('ipWhiteList is the deprecated alias (always 403)', async () => {
  const served = await serveMiddleware({ ipWhiteList: { sourceRange: ['20.20.20.20'] } });
  try {
    assert.equal((await send(served.url)).status, 403);
  } finally {
    await served.close();
  }
});

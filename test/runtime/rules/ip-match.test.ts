import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileIpList, compileIpMatcher, mappedIPv4, unmapIPv4 } from '../../../src/runtime/rules/ip-match.js';

// ClientIP's matching table lives in http-matchers-fields.test.ts (through the rule compiler); these cover the
// list form (forwardedHeaders.trustedIPs) and the address helpers.

test('mappedIPv4: the IPv4 address inside an IPv4-mapped IPv6 address', () => {
  assert.equal(mappedIPv4('::ffff:127.0.0.1'), '127.0.0.1');
  assert.equal(mappedIPv4('::FFFF:7f00:1'), '127.0.0.1');
  assert.equal(mappedIPv4('0:0:0:0:0:ffff:a00:1'), '10.0.0.1');
  assert.equal(mappedIPv4('0:0:0:0:0:ffff::'), '0.0.0.0');
  assert.equal(mappedIPv4('0:0:0:0:0:ffff::5'), '0.0.0.5');
  assert.equal(mappedIPv4('::1'), undefined);
  assert.equal(mappedIPv4('::127.0.0.1'), undefined);
  assert.equal(mappedIPv4('2001:db8::ffff:1:2'), undefined);
});

test('unmapIPv4: a dual-stack socket\'s IPv4 client reads as IPv4; anything else unchanged', () => {
  assert.equal(unmapIPv4('::ffff:10.0.0.1'), '10.0.0.1');
  assert.equal(unmapIPv4('10.0.0.1'), '10.0.0.1');
  assert.equal(unmapIPv4('::1'), '::1');
  assert.equal(unmapIPv4(''), '');
});

test('compileIpList: addresses and ranges of both families, mapped clients, trimmed entries', () => {
  const list = compileIpList(['127.0.0.1', ' 10.0.0.0/8 ', '2001:db8::/32', '::ffff:192.0.2.0/120']);
  assert.ok(list.ok);
  const table: ReadonlyArray<readonly [string, boolean]> = [
    ['127.0.0.1', true],
    ['::ffff:127.0.0.1', true],
    ['127.0.0.2', false],
    ['10.200.3.4', true],
    ['::ffff:10.200.3.4', true],
    ['11.0.0.1', false],
    ['2001:db8:5::1', true],
    ['2001:db9::1', false],
    ['192.0.2.77', true],
    ['192.0.3.1', false],
    ['', false],
    ['not-an-ip', false],
  ];
  for (const [ip, expected] of table) assert.equal(list.contains(ip), expected, ip);
});

test('compileIpList: an IPv6 range contains no IPv4 client (Go semantics, as Traefik\'s trustedIPs)', () => {
  const list = compileIpList(['::/0']);
  assert.ok(list.ok);
  assert.equal(list.contains('2001:db8::1'), true);
  assert.equal(list.contains('10.0.0.1'), false);
  assert.equal(list.contains('::ffff:10.0.0.1'), false);
});

test('compileIpList: an empty list contains nothing', () => {
  const list = compileIpList([]);
  assert.ok(list.ok);
  assert.equal(list.contains('127.0.0.1'), false);
});

test('compileIpList: every invalid entry is reported, as written', () => {
  const list = compileIpList(['10.0.0.0/8', '10.0.0.0/33', 'localhost', '::1/129', '10.0.0.0/', 'fe80::1%eth0', '1.2.3.4/x']);
  assert.equal(list.ok, false);
  assert.ok(!list.ok);
  assert.deepEqual(list.invalid, ['10.0.0.0/33', 'localhost', '::1/129', '10.0.0.0/', 'fe80::1%eth0', '1.2.3.4/x']);
});

test('compileIpMatcher: a ClientIP value is not trimmed (Go\'s net.ParseIP refuses spaces)', () => {
  assert.equal(compileIpMatcher(' 10.0.0.1').ok, false);
  const result = compileIpMatcher('10.0.0.0/8');
  assert.ok(result.ok);
  assert.equal(result.contains('10.1.1.1'), true);
});

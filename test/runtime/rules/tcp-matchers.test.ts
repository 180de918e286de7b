import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTcpRule, defaultTcpPriority, type TcpMatchInput, type TcpMatcher } from '../../../src/runtime/rules/tcp-matchers.js';
import { parsed } from './rule-helpers.js';

function compiled(rule: string, tls = true): TcpMatcher {
  const result = compileTcpRule(parsed(rule), { tls });
  assert.ok(result.ok, `${rule}: ${result.ok ? '' : result.message}`);
  return result.match;
}

function conn(input: Partial<TcpMatchInput>): TcpMatchInput {
  return { serverName: '', clientIp: '127.0.0.1', alpn: [], ...input };
}

function rejects(rule: string, message: RegExp, tls = true): void {
  const result = compileTcpRule(parsed(rule), { tls });
  assert.ok(!result.ok, `${rule} should not compile`);
  assert.match(result.message, message, rule);
}

test('HostSNI: case-insensitive rule value, trailing dot on the rule, one-label wildcard, `*` catch-all', () => {
  const table: ReadonlyArray<readonly [rule: string, serverName: string, expected: boolean]> = [
    ['HostSNI(`example.com`)', 'example.com', true],
    ['HostSNI(`example.com`)', 'example.org', false],
    ['HostSNI(`example.com`)', '', false],
    ['HostSNI(`EXAMPLE.com`)', 'example.com', true],
    ['HostSNI(`example.com.`)', 'example.com', true],
    ['HostSNI(`foo.example.com`)', 'foo.example.com', true],
    ['HostSNI(`foo_bar.example.com`)', 'foo_bar.example.com', true],
    ['HostSNI(`xn--9t9h.com`)', 'xn--9t9h.com', true],
    ['HostSNI(`xn--9t9h.com`)', '🦭.com', false],
    ['HostSNI(`*.example.com`)', 'foo.example.com', true],
    ['HostSNI(`*.example.com`)', 'example.com', false],
    ['HostSNI(`*.example.com`)', 'a.foo.example.com', false],
    ['HostSNI(`*`)', 'example.com', true],
    ['HostSNI(`*`)', '', true],
    ['HostSNI(`10.0.0.1`)', '10.0.0.1', true],
  ];
  for (const [rule, serverName, expected] of table) {
    assert.equal(compiled(rule)(conn({ serverName })), expected, `${rule} on "${serverName}"`);
  }
  rejects('HostSNI(`🦭.com`)', /column 1: HostSNI value "🦭.com" is not a valid host name/);
  rejects('HostSNI(`*.*.example.com`)', /is not a valid host name/);
  rejects('HostSNI(`a b`)', /is not a valid host name/);
});

test('HostSNIRegexp: unanchored RE2 on the server name', () => {
  const match = compiled('HostSNIRegexp(`^example\\.(com|org)$`)');
  const cases: ReadonlyArray<readonly [string, boolean]> = [
    ['example.com', true],
    ['example.com.', false],
    ['EXAMPLE.com', false],
    ['example.org', true],
    ['exampleuorg', false],
    ['', false],
  ];
  for (const [serverName, expected] of cases) assert.equal(match(conn({ serverName })), expected, serverName);
  assert.equal(compiled('HostSNIRegexp(`example.{tld:(com|org)}`)')(conn({ serverName: 'example.com' })), false);
  rejects('HostSNIRegexp(`(example.com`)', /invalid regular expression/);
  rejects('HostSNIRegexp(`🦭.com`)', /non-ASCII/);
});

test('ClientIP and ALPN', () => {
  const ip = compiled('ClientIP(`20.20.20.20/24`)');
  assert.equal(ip(conn({ clientIp: '20.20.20.40' })), true);
  assert.equal(ip(conn({ clientIp: '::ffff:20.20.20.40' })), true);
  assert.equal(ip(conn({ clientIp: '10.10.10.10' })), false);
  rejects('ClientIP(`🦭/32`)', /not an IP address or CIDR range/);
  const alpn = compiled('ALPN(`h2`)');
  assert.equal(alpn(conn({ alpn: ['h2'] })), true);
  assert.equal(alpn(conn({ alpn: ['http/1.1', 'h2'] })), true);
  assert.equal(alpn(conn({ alpn: ['mqtt'] })), false);
  assert.equal(alpn(conn({ alpn: [] })), false);
  rejects('ALPN(`acme-tls/1`)', /ALPN\(`acme-tls\/1`\) is not allowed: the protocol is reserved for ACME TLS challenges/);
});

test('without TLS only HostSNI(`*`) is allowed, judged on the first HostSNI as Traefik does', () => {
  assert.ok(compileTcpRule(parsed('HostSNI(`*`)'), { tls: false }).ok);
  assert.ok(compileTcpRule(parsed('ClientIP(`10.0.0.0/8`)'), { tls: false }).ok);
  assert.ok(compileTcpRule(parsed('HostSNI(`*`) && ClientIP(`10.0.0.0/8`)'), { tls: false }).ok);
  assert.ok(compileTcpRule(parsed('HostSNI(`*`) || HostSNI(`a.com`)'), { tls: false }).ok);
  rejects('HostSNI(`a.com`)', /^column 1: HostSNI\(`a.com`\) needs TLS on the router: .* only HostSNI\(`\*`\) is allowed/, false);
  rejects('ClientIP(`10.0.0.0/8`) && HostSNI(`a.com`) || HostSNI(`*`)', /^column 27: HostSNI\(`a.com`\) needs TLS/, false);
  assert.ok(compileTcpRule(parsed('HostSNI(`a.com`)'), { tls: true }).ok);
});

test('HTTP matchers in a TCP rule are errors naming the matcher', () => {
  rejects('Host(`a.com`)', /^column 1: Host is an HTTP matcher and cannot be used in a TCP rule; TCP rules use ClientIP, HostSNI, HostSNIRegexp, ALPN \(HostSNI matches the TLS server name\)/);
  rejects('HostSNI(`a.com`) && PathPrefix(`/`)', /^column 21: PathPrefix is an HTTP matcher/);
});

test('hosts, catchAll and the default TCP priority', () => {
  const result = compileTcpRule(parsed('HostSNI(`A.com`) || !HostSNI(`b.com`) && ALPN(`h2`)'), { tls: true });
  assert.ok(result.ok);
  assert.deepEqual(result.hosts, ['a.com', 'b.com']);
  assert.equal(result.catchAll, false);
  const catchAll = compileTcpRule(parsed('HostSNI(`*`)'), { tls: false });
  assert.ok(catchAll.ok);
  assert.equal(catchAll.catchAll, true);
  assert.equal(defaultTcpPriority('HostSNI(`*`)', parsed('HostSNI(`*`)')), -1);
  assert.equal(defaultTcpPriority('hostsni(`*`)', parsed('hostsni(`*`)')), -1);
  assert.equal(defaultTcpPriority('HostSNI(`*`) && ALPN(`h2`)', parsed('HostSNI(`*`) && ALPN(`h2`)')), 26);
  assert.equal(defaultTcpPriority('HostSNI(`a.com`)', parsed('HostSNI(`a.com`)')), 16);
});

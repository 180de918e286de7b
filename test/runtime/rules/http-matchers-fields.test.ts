import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileHttpRule, type HttpMatchInput } from '../../../src/runtime/rules/http-matchers.js';
import { compiledHttp as compiled, parsed, request } from './rule-helpers.js';

function withHeaders(lines: ReadonlyArray<readonly [string, string]>): HttpMatchInput {
  return request('https://example.com/', { headers: lines });
}

test('Header: canonical name, exact value, any of the header lines', () => {
  for (const rule of ['Header(`X-Forwarded-Proto`, `https`)', 'Header(`x-forwarded-proto`, `https`)']) {
    const match = compiled(rule);
    assert.equal(match(withHeaders([['X-Forwarded-Proto', 'https']])), true, rule);
    assert.equal(match(withHeaders([['x-forwarded-proto', 'https']])), true, rule);
    assert.equal(match(withHeaders([['X-Forwarded-Proto', 'http'], ['X-Forwarded-Proto', 'https']])), true, rule);
    assert.equal(match(withHeaders([['X-Forwarded-Proto', 'https'], ['X-Forwarded-Proto', 'http']])), true, rule);
    assert.equal(match(withHeaders([['X-Forwarded-Proto', 'HTTPS']])), false, rule);
    assert.equal(match(withHeaders([['X-Forwarded-Proto', 'http, https']])), false, rule);
    assert.equal(match(withHeaders([['X-Forwarded-Host', 'https']])), false, rule);
  }
});

test('Header without rawHeaders reads Node\'s header object: strings exactly, arrays by element', () => {
  const noRaw = (headers: HttpMatchInput['headers']): HttpMatchInput => ({ host: '', method: 'GET', path: '/', headers, rawQuery: '', clientIp: '' });
  const match = compiled('Header(`Set-Cookie`, `a=1`)');
  assert.equal(match(noRaw({ 'set-cookie': ['b=2', 'a=1'] })), true);
  assert.equal(match(noRaw({ 'set-cookie': ['b=2'] })), false);
  const value = compiled('Header(`X-A`, `1, 2`)');
  assert.equal(value(noRaw({ 'x-a': '1, 2' })), true);
  assert.equal(value(noRaw({ 'x-a': '1' })), false);
  assert.equal(value(noRaw({})), false);
});

test('Header never matches Host or HTTP/2 pseudo-headers, which Go keeps out of the Header map', () => {
  const host = compiled('Header(`Host`, `example.com`)');
  assert.equal(host(withHeaders([['Host', 'example.com']])), false);
  const authority = compiled('Header(`:authority`, `example.com`)');
  assert.equal(authority(withHeaders([[':authority', 'example.com']])), false);
});

test('HeaderRegexp: any header line matches the unanchored regex', () => {
  const match = compiled('HeaderRegexp(`X-Forwarded-Proto`, `^https?$`)');
  assert.equal(match(withHeaders([['X-Forwarded-Proto', 'http']])), true);
  assert.equal(match(withHeaders([['X-Forwarded-Proto', 'https']])), true);
  assert.equal(match(withHeaders([['X-Forwarded-Proto', 'HTTPS']])), false);
  assert.equal(match(withHeaders([['X-Forwarded-Proto', 'ws'], ['X-Forwarded-Proto', 'https']])), true);
  assert.equal(match(withHeaders([['X-Forwarded-Host', 'http']])), false);
  const v2 = compiled('HeaderRegexp(`X-Forwarded-Proto`, `http{secure:s?}`)');
  assert.equal(v2(withHeaders([['X-Forwarded-Proto', 'https']])), false);
  assert.equal(v2(withHeaders([['X-Forwarded-Proto', 'http{secure:s}']])), true);
  const result = compileHttpRule(parsed('HeaderRegexp(`X-Forwarded-Host`, `(example.com`)'));
  assert.ok(!result.ok);
  assert.match(result.message, /^column 1: invalid regular expression/);
});

test('Query: key with the value (Go ParseQuery; `;` separates like `&`, `+` is a space)', () => {
  const match = compiled('Query(`q`, `traefik`)');
  const cases: ReadonlyArray<readonly [string, boolean]> = [
    ['/', false],
    ['/?q=traefik', true],
    ['/?rel=ddg&q=traefik', true],
    ['/?q=traefik&q=proxy', true],
    ['/?q=awesome&q=traefik', true],
    ['/?q=nginx', false],
    ['/?q=TRAEFIK', false],
    ['/?Q=traefik', false],
    ['/?rel=traefik', false],
    ['/?a=1;q=traefik', true],
    ['/?q=%74raefik', true],
    ['/?%71=traefik', true],
    ['/?q=traefik%zz', false],
    ['/?q=traefik&bad=%zz', true],
  ];
  for (const [target, expected] of cases) assert.equal(match(request(target)), expected, target);
  const spaced = compiled('Query(`q`, `a b`)');
  assert.equal(spaced(request('/?q=a+b')), true);
  assert.equal(spaced(request('/?q=a%20b')), true);
  const mobile = compiled('Query(`mobile`)');
  assert.equal(mobile(request('/?mobile')), true);
  assert.equal(mobile(request('/?mobile=')), true);
  assert.equal(mobile(request('/?mobile=true')), false);
  assert.equal(mobile(request('/')), false);
});

test('QueryRegexp: any value of the key matches; one argument means an empty value', () => {
  const match = compiled('QueryRegexp(`q`, `^(traefik|nginx)$`)');
  const cases: ReadonlyArray<readonly [string, boolean]> = [
    ['/', false],
    ['/?q=traefik', true],
    ['/?q=awesome&q=nginx', true],
    ['/?q=NGINX', false],
    ['/?Q=nginx', false],
    ['/?q=haproxy', false],
  ];
  for (const [target, expected] of cases) assert.equal(match(request(target)), expected, target);
  const any = compiled('QueryRegexp(`q`, `^.*$`)');
  assert.equal(any(request('/?q=')), true);
  assert.equal(any(request('/?rel=x')), false);
  const bare = compiled('QueryRegexp(`mobile`)');
  assert.equal(bare(request('/?mobile')), true);
  assert.equal(bare(request('/?mobile=1')), false);
  const v2 = compiled('QueryRegexp(`q`, `{value:(traefik|nginx)}`)');
  assert.equal(v2(request('/?q=traefik')), false);
  assert.equal(v2(request('/?q={value:traefik}')), true);
});

test('the query is parsed once per request and shared by every Query matcher', () => {
  const match = compiled('Query(`a`, `1`) && Query(`b`, `2`) && QueryRegexp(`c`, `^3$`)');
  const input = request('/?a=1&b=2&c=3');
  const memo = (): URLSearchParams | undefined => input.query;
  assert.equal(memo(), undefined);
  assert.equal(match(input), true);
  const parsedOnce = memo();
  assert.ok(parsedOnce instanceof URLSearchParams);
  assert.equal(match(input), true);
  assert.equal(memo(), parsedOnce);
});

test('ClientIP: addresses and CIDR ranges, IPv4 and IPv6, with Go\'s IPv4-mapped semantics', () => {
  const table: ReadonlyArray<readonly [rule: string, ip: string, expected: boolean]> = [
    ['ClientIP(`127.0.0.1`)', '127.0.0.1', true],
    ['ClientIP(`127.0.0.1`)', '192.168.1.1', false],
    ['ClientIP(`127.0.0.1`)', '::ffff:127.0.0.1', true],
    ['ClientIP(`127.0.0.1`)', '1', false],
    ['ClientIP(`127.0.0.1`)', '', false],
    ['ClientIP(`192.168.1.0/24`)', '192.168.1.1', true],
    ['ClientIP(`192.168.1.0/24`)', '192.168.1.100', true],
    ['ClientIP(`192.168.1.0/24`)', '192.168.2.1', false],
    ['ClientIP(`192.168.1.7/24`)', '192.168.1.200', true],
    ['ClientIP(`127.0.0.0/8`)', '::ffff:127.0.0.1', true],
    ['ClientIP(`127.0.0.0/8`)', '::FFFF:7f00:1', true],
    ['ClientIP(`0.0.0.0/0`)', '::1', false],
    ['ClientIP(`::1`)', '::1', true],
    ['ClientIP(`::1`)', '127.0.0.1', false],
    ['ClientIP(`2001:db8::/32`)', '2001:db8:1::5', true],
    ['ClientIP(`2001:db8::/32`)', '2001:db9::5', false],
    ['ClientIP(`fe80::/10`)', 'fe80::1%eth0', true],
    // Go: an IPv6 range does not contain IPv4 clients, unless written in IPv4-mapped form.
    ['ClientIP(`::/0`)', '10.0.0.1', false],
    ['ClientIP(`::/0`)', '::ffff:10.0.0.1', false],
    ['ClientIP(`::/0`)', '2001:db8::1', true],
    ['ClientIP(`::ffff:10.0.0.0/104`)', '10.1.2.3', true],
    ['ClientIP(`::ffff:10.0.0.0/104`)', '11.1.2.3', false],
    ['ClientIP(`::ffff:10.0.0.1`)', '10.0.0.1', true],
  ];
  for (const [rule, ip, expected] of table) {
    assert.equal(compiled(rule)(request('/', { clientIp: ip })), expected, `${rule} on ${ip}`);
  }
  for (const bad of ['1', '10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/x', 'example.com', '010.0.0.1', 'fe80::1%eth0', '🦭/32']) {
    const result = compileHttpRule(parsed(`ClientIP(\`${bad}\`)`));
    assert.ok(!result.ok, bad);
    assert.match(result.message, /^column 1: ClientIP value ".*" is not an IP address or CIDR range/, bad);
  }
});

test('operators combine matchers as written, negation included', () => {
  const table: ReadonlyArray<readonly [rule: string, url: string, expected: boolean]> = [
    ['Host(`example.com`) || (Host(`example.org`) && Path(`/css`))', 'https://example.com/js', true],
    ['Host(`example.com`) || (Host(`example.org`) && Path(`/css`))', 'https://example.org/js', false],
    ['Host(`example.com`) || Host(`example.org`) && Path(`/css`)', 'https://example.org/css', true],
    ['(Host(`example.com`) || Host(`example.org`)) && Path(`/css`)', 'https://example.com/js', false],
    ['!Host(`example.com`)', 'https://example.org', true],
    ['!Host(`example.com`)', 'https://example.com', false],
    ['!(Host(`example.com`) || Host(`example.org`))', 'https://example.eu/js', true],
    ['!(Host(`example.com`) || Host(`example.org`))', 'https://example.org/js', false],
    ['!(Host(`example.com`) && Path(`/css`))', 'https://example.com/js', true],
    ['!(Host(`example.com`) && Path(`/css`))', 'https://example.com/css', false],
    ['!(Host(`example.com`) && !Path(`/css`))', 'https://example.org/css', true],
    ['!(Host(`example.com`) && !Path(`/css`))', 'https://example.com/js', false],
    ['!(!(Host(`example.com`) && Pathprefix(`/css`)))', 'https://example.com/css', true],
    ['!(!(Host(`example.com`) && Pathprefix(`/css`)))', 'https://example.org/css', false],
    ['PATHPREFIX(`/css`) && host(`example.com`)', 'https://example.com/css/x', true],
  ];
  for (const [rule, url, expected] of table) assert.equal(compiled(rule)(request(url)), expected, `${rule} on ${url}`);
});

test('hosts lists every Host() value lower-cased, whatever the operators, HostRegexp ignored', () => {
  const hosts = (rule: string): string[] => {
    const result = compileHttpRule(parsed(rule));
    assert.ok(result.ok);
    return result.hosts;
  };
  assert.deepEqual(hosts('Path(`/test`)'), []);
  assert.deepEqual(hosts('Host(`foo.bar`) && Path(`/test`)'), ['foo.bar']);
  assert.deepEqual(hosts('Host(`Foo.Bar`) || Host(`bar.buz`) && Path(`/test`)'), ['foo.bar', 'bar.buz']);
  assert.deepEqual(hosts('!Host(`A.example`) && HostRegexp(`b`) || Host(`*.C.example`)'), ['a.example', '*.c.example']);
});

test('TCP matchers in an HTTP rule are errors naming the matcher', () => {
  for (const [rule, message] of [
    ['HostSNI(`a.com`)', /^column 1: HostSNI is a TCP matcher and cannot be used in an HTTP rule; HTTP rules use Host, .*\(Host matches the request host\)/],
    ['Path(`/`) && ALPN(`h2`)', /^column 14: ALPN is a TCP matcher/],
    ['Path(`/`) || HostSNIRegexp(`a`)', /^column 14: HostSNIRegexp is a TCP matcher/],
  ] as const) {
    const result = compileHttpRule(parsed(rule));
    assert.ok(!result.ok, rule);
    assert.match(result.message, message);
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileHttpRule } from '../../../src/runtime/rules/http-matchers.js';
import { compiledHttp as compiled, parsed, request, type RequestSpec } from './rule-helpers.js';

type Case = readonly [target: string, expected: boolean, spec?: RequestSpec];

function check(rule: string, cases: readonly Case[]): void {
  const match = compiled(rule);
  for (const [target, expected, spec] of cases) {
    assert.equal(match(request(target, spec)), expected, `${rule} on ${target} ${spec === undefined ? '' : JSON.stringify(spec)}`);
  }
}

function rejects(rule: string, message: RegExp): void {
  const result = compileHttpRule(parsed(rule));
  assert.ok(!result.ok, `${rule} should not compile`);
  assert.match(result.message, message, rule);
}

test('Host: case-insensitive, port ignored, trailing dot tolerated on either side', () => {
  check('Host(`example.com`)', [
    ['https://example.com', true],
    ['https://example.com:8080', true],
    ['https://example.com/path', true],
    ['https://EXAMPLE.COM/path', true],
    ['https://example.com.', true],
    ['https://example.com./path', true],
    ['https://example.org', false],
    ['https://example.org.', false],
    ['https://www.example.com', false],
    ['/path', true, { headers: [['Host', 'Example.Com:443']] }],
    ['/path', false, { headers: [['Host', 'example.org']] }],
    ['/path', false],
  ]);
  check('Host(`example.com.`)', [
    ['https://example.com', true],
    ['https://example.com.', true],
    ['https://example.org.', false],
  ]);
  check('Host(`EXAMPLE.COM`)', [
    ['https://example.com', true],
    ['https://example.org', false],
  ]);
});

test('Host: IP literals, punycode and the absolute-form authority', () => {
  check('Host(`127.0.0.1`)', [['http://127.0.0.1/foo', true], ['http://127.0.0.1:8080/foo', true], ['http://127.0.0.2/foo', false]]);
  check('Host(`10::10`)', [['http://[10::10]/foo', true], ['http://[10::10]:80/foo', true], ['http://[10::11]/foo', false]]);
  check('Host(`xn--9t9h.com`)', [['https://xn--9t9h.com/path', true], ['https://example.com', false]]);
  // The URL's authority wins over the Host header; an empty one (`http://@/`) falls back to the header.
  check('Host(`example.com`)', [
    ['http://example.com/', true, { headers: [['Host', 'example.org']] }],
    ['http://@/', true, { headers: [['Host', 'example.com']] }],
  ]);
  check('Host(`example.org`)', [['http://example.com/', false, { headers: [['Host', 'example.org']] }]]);
  rejects('Host(`🦭.com`)', /column 1: Host value "🦭.com" has non-ASCII characters; write the domain in punycode/);
});

test('Host: `*.example.com` matches exactly one extra label; `*` matches every host, even none', () => {
  check('Host(`*.example.com`)', [
    ['https://test.example.com', true],
    ['https://OTHER.example.com:443', true],
    ['https://test.example.com.', true],
    ['https://example.com', false],
    ['https://a.b.example.com', false],
    ['https://test.otherexample.com', false],
    ['https://testexample.com', false],
  ]);
  check('Host(`*.example.com.`)', [['https://test.example.com', true]]);
  check('Host(`*`)', [
    ['https://test.example.com', true],
    ['https://localhost', true],
    ['/', true],
  ]);
  // Accepted by Traefik, matches nothing: only `*.` makes a wildcard.
  check('Host(`*example.com`)', [['https://example.com', false], ['https://aexample.com', false], ['https://a.example.com', false]]);
});

test('HostRegexp: unanchored RE2 on the canonical host, case-sensitive, v2 placeholders are literal', () => {
  check('HostRegexp(`^[a-zA-Z-]+\\.com$`)', [
    ['https://example.com', true],
    ['https://example.com:8080', true],
    ['https://example.com./x', true],
    ['https://example.org', false],
  ]);
  check('HostRegexp(`^[A-Z]+\\.com$`)', [['https://example.com', false], ['https://EXAMPLE.com', false]]);
  check('HostRegexp(`example`)', [['https://www.example.org', true]]);
  check('HostRegexp(`{domain:[a-zA-Z-]+\\.com}`)', [['https://example.com', false]]);
  rejects('HostRegexp(`(example.com`)', /column 1: invalid regular expression `\(example\.com`/);
  rejects('HostRegexp(`🦭.com`)', /non-ASCII/);
});

test('Path and PathPrefix compare the routing path; the value must start with /', () => {
  check('Path(`/css`)', [
    ['https://example.com', false],
    ['https://example.com/html', false],
    ['https://example.org/css', true],
    ['https://example.com/css/', false],
    ['https://example.com/css/main.css', false],
    ['/css?x=1', true],
    ['/a/../css', true],
    ['/%63ss', true],
  ]);
  check('PathPrefix(`/css`)', [
    ['https://example.com', false],
    ['https://example.com/html', false],
    ['https://example.com/css', true],
    ['https://example.com/css/main.css', true],
    // A plain string prefix, as in Traefik v3.
    ['https://example.com/css-for-sale', true],
    ['https://example.com/CSS', false],
  ]);
  check('PathPrefix(`/foo bar`)', [['/foo%20bar/x', true], ['/foo+bar', false]]);
  check('Path(`/a%2Fb`)', [['/a%2Fb', true], ['/a%2fb', true], ['/a/b', false]]);
  check('PathPrefix(`/`)', [['http://example.com', true], ['*', false]]);
  rejects('Path(`css`)', /column 1: Path value "css" must start with '\/' \(Path\(`\/css`\)\)/);
  rejects('Host(`a`) && PathPrefix(`css`)', /column 14: PathPrefix value "css" must start with '\/'/);
});

test('PathRegexp: unanchored, case-sensitive, on the decoded routing path', () => {
  check('PathRegexp(`^/(css|js)`)', [
    ['https://example.com', false],
    ['https://example.com/html', false],
    ['https://example.com/CSS', false],
    ['https://example.com/css', true],
    ['https://example.com/css/main.css', true],
    ['https://example.com/js/', true],
  ]);
  check('PathRegexp("/{path:(css|js)}")', [
    ['https://example.com/css', false],
    ['https://example.com/{path:css}', true],
    ['https://example.com/%7Bpath:css%7D/', true],
    ['https://example.com/{path:js}', true],
  ]);
  rejects('PathRegexp(`/(css`)', /invalid regular expression/);
  rejects('PathRegexp(`^/(?=a)`)', /lookarounds and backreferences are not supported/);
});

test('regexes run in linear time: a catastrophic-backtracking pattern answers correctly', () => {
  const match = compiled('PathRegexp(`^/(a+)+$`)');
  assert.equal(match(request(`/${'a'.repeat(50)}b`)), false);
  assert.equal(match(request(`/${'a'.repeat(50)}`)), true);
  const header = compiled('HeaderRegexp(`X-A`, `^(a|a)*$`)');
  assert.equal(header(request('/', { headers: [['X-A', `${'a'.repeat(50)}b`]] })), false);
  assert.equal(header(request('/', { headers: [['X-A', 'a'.repeat(50)]] })), true);
});

test('Method: the value is upper-cased, the request method compared exactly', () => {
  check('Method(`GET`)', [['/', true, { method: 'GET' }], ['/', false, { method: 'POST' }], ['/', false, { method: 'get' }]]);
  check('Method(`get`)', [['/', true, { method: 'GET' }], ['/', false, { method: 'get' }]]);
  check('Method(`PURGE`)', [['/', true, { method: 'PURGE' }]]);
});

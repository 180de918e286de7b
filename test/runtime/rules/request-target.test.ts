import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalHost, requestHost, routingPath, targetAuthority, targetQuery } from '../../../src/runtime/rules/request-target.js';
import { parseQuery } from '../../../src/runtime/rules/query.js';

test('canonicalHost: lower-case, port stripped (IPv6 too), trailing dot removed', () => {
  const table: ReadonlyArray<readonly [string | undefined, string]> = [
    [undefined, ''],
    ['', ''],
    ['example.com', 'example.com'],
    ['Example.COM', 'example.com'],
    ['example.com:8080', 'example.com'],
    ['example.com:', 'example.com'],
    ['example.com.', 'example.com'],
    ['EXAMPLE.com.:443', 'example.com'],
    [' example.com ', 'example.com'],
    ['127.0.0.1:80', '127.0.0.1'],
    ['[::1]:80', '::1'],
    ['[::1]', '::1'],
    ['[2001:DB8::1]:8443', '2001:db8::1'],
    // Go's SplitHostPort cannot split these; Traefik keeps them whole.
    ['::1', '::1'],
    ['2001:db8::1', '2001:db8::1'],
    ['[::1]x:80', '[::1]x:80'],
    ['a:b:c', 'a:b:c'],
  ];
  for (const [input, expected] of table) assert.equal(canonicalHost(input), expected, String(input));
});

test('requestHost: an absolute-form authority wins over the Host header', () => {
  assert.equal(requestHost('/x', 'Example.com:80'), 'example.com');
  assert.equal(requestHost('http://Example.org:8080/x', 'example.com'), 'example.org');
  assert.equal(requestHost('http://user:pw@example.org/x', 'example.com'), 'example.org');
  assert.equal(requestHost('http://@/', 'example.com'), 'example.com');
  assert.equal(requestHost('https://[::1]:8443?x', undefined), '::1');
  assert.equal(requestHost('/x', undefined), '');
  assert.equal(targetAuthority('/x'), '');
  assert.equal(targetAuthority('http://a.example:81/p?q'), 'a.example:81');
  assert.equal(targetAuthority('http://a.example?q'), 'a.example');
});

test('targetQuery: everything after the first ?', () => {
  assert.equal(targetQuery('/a'), '');
  assert.equal(targetQuery('/a?'), '');
  assert.equal(targetQuery('/a?b=1&c=2'), 'b=1&c=2');
  assert.equal(targetQuery('/a?b=1?c'), 'b=1?c');
  assert.equal(targetQuery('http://h/p?x=%20'), 'x=%20');
});

const paths: ReadonlyArray<readonly [target: string, expected: string | undefined]> = [
  ['/', '/'],
  ['/foo', '/foo'],
  ['/foo?x=1', '/foo'],
  // Escapes of unreserved and other non-reserved characters are decoded; reserved ones stay encoded.
  ['/foo%20bar', '/foo bar'],
  ['/foo%2Fbar', '/foo%2Fbar'],
  ['/foo%2fbar', '/foo%2Fbar'],
  ['/foo%20bar%2Fbaz%23qux', '/foo bar%2Fbaz%23qux'],
  ['/%41%62%63', '/Abc'],
  ['/%7e%5F%2D', '/~_-'],
  ['/a%3Fb%25c%3Bd%3A%40%21%24%26%27%28%29%2A%2B%2C%3D%5B%5D', '/a%3Fb%25c%3Bd%3A%40%21%24%26%27%28%29%2A%2B%2C%3D%5B%5D'],
  ['/%7Bpath:css%7D', '/{path:css}'],
  ['/caf%C3%A9', '/café'],
  ['/caf%c3%a9', '/café'],
  ['/%22q%22%3C%3E', '/"q"<>'],
  // Raw characters Go's validEncoded refuses make Go re-encode the decoded path: %2F then splits a segment.
  ['/{x}', '/{x}'],
  ['/a%2Fb/{x}', '/a/b/{x}'],
  ['/a b', '/a b'],
  // Sub-delims, ':' and '@' stay as they are.
  ["/a!$&'()*+,;=:@b", "/a!$&'()*+,;=:@b"],
  ['/a[1]', '/a[1]'],
  // sanitizePath: '.', '..' and '//' cleaned, the trailing slash kept.
  ['/a/./b/../c//d', '/a/c/d'],
  ['/a/./b/../c//d/', '/a/c/d/'],
  ['//foo/bar', '/foo/bar'],
  ['/..', '/'],
  ['/../../etc/passwd', '/etc/passwd'],
  ['/a/..', '/'],
  ['/a/.', '/a'],
  ['/a/./', '/a/'],
  ['/a/...', '/a/...'],
  ['/a/.b/..c', '/a/.b/..c'],
  ['/%2e%2e/secret', '/secret'],
  ['/a/%2E/b', '/a/b'],
  ['/a/..%2Fb', '/a/..%2Fb'],
  ['/a%2F..%2Fb', '/a%2F..%2Fb'],
  // Absolute-form and asterisk-form targets.
  ['http://example.com/a/b?c', '/a/b'],
  ['https://example.com:8443/a%20b', '/a b'],
  ['http://example.com', '/'],
  ['http://example.com?x=1', '/'],
  ['HTTP://example.com/x', '/x'],
  ['*', '*'],
  // Targets Traefik answers with 400, or that carry no path.
  ['/a#b', undefined],
  ['/a%zz', undefined],
  ['/a%2', undefined],
  ['/a%', undefined],
  ['/a\u0000b', undefined],
  ['/a\u007fb', undefined],
  ['example.com:443', undefined],
  ['mailto:x', undefined],
  ['a/b', undefined],
  ['', undefined],
];

test('routingPath: Traefik\'s normalisation, sanitising and selective decoding of the request path', () => {
  for (const [target, expected] of paths) assert.equal(routingPath(target), expected, target);
});

test('routingPath: sanitizePath can be turned off, as entryPoints.<name>.http.sanitizePath=false does', () => {
  const raw = { sanitizePath: false };
  assert.equal(routingPath('/a/./b/../c//d', raw), '/a/./b/../c//d');
  assert.equal(routingPath('/%2e%2e/x', raw), '/../x');
  assert.equal(routingPath('/foo%20bar', raw), '/foo bar');
  assert.equal(routingPath('http://example.com', raw), '');
});

test('parseQuery: Go ParseQuery semantics after AllowQuerySemicolons', () => {
  const pairs = (raw: string): string[][] => [...parseQuery(raw)].map(([k, v]) => [k, v]);
  assert.deepEqual(pairs(''), []);
  assert.deepEqual(pairs('a=1&b=2'), [['a', '1'], ['b', '2']]);
  assert.deepEqual(pairs('a=1;b=2'), [['a', '1'], ['b', '2']]);
  assert.deepEqual(pairs('a&&b='), [['a', ''], ['b', '']]);
  assert.deepEqual(pairs('a=x=y'), [['a', 'x=y']]);
  assert.deepEqual(pairs('a+b=c+d%2B'), [['a b', 'c d+']]);
  assert.deepEqual(pairs('k=%C3%A9'), [['k', 'é']]);
  assert.deepEqual(pairs('bad=%zz&ok=1&%=2'), [['ok', '1']]);
  assert.deepEqual(pairs('a=%3B'), [['a', ';']]);
});

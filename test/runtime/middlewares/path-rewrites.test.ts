import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildErrors, send, serveMiddleware } from './harness.js';

async function through(config: unknown, path: string): Promise<{ status: number; url: string; replaced: unknown; text: string }> {
  const served = await serveMiddleware(config);
  try {
    const reply = await send(served.url, { path });
    if (reply.status !== 200) return { status: reply.status, url: '', replaced: undefined, text: reply.text };
    return { status: 200, url: reply.echoed.url, replaced: reply.echoed.headers['x-replaced-path'], text: reply.text };
  } finally {
    await served.close();
  }
}

// traefik/traefik pkg/middlewares/addprefix/add_prefix_test.go
test('addPrefix works with a regular path, a missing leading slash and a raw path', async () => {
  assert.equal((await through({ addPrefix: { prefix: '/a' } }, '/b')).url, '/a/b');
  assert.equal((await through({ addPrefix: { prefix: 'a' } }, '/')).url, '/a/');
  assert.equal((await through({ addPrefix: { prefix: '/a' } }, '/b%2Fc?x=1')).url, '/a/b%2Fc?x=1');
});

test('addPrefix fails to build with an empty prefix', () => {
  assert.throws(() => buildErrors({ addPrefix: { prefix: '' } }), /prefix/);
});

// traefik/traefik pkg/middlewares/replacepath/replace_path_test.go
test('replacePath replaces the path, keeps the query and passes the original path', async () => {
  const cases: Array<[string, string, string, string]> = [
    ['/example', '/replacement-path', '/replacement-path', '/example'],
    ['/some/really/long/path', '/replacement-path', '/replacement-path', '/some/really/long/path'],
    ['/foo%2Fbar', '/replacement-path', '/replacement-path', '/foo%2Fbar'],
    ['/path', '/foo%2Fbar', '/foo%2Fbar', '/path'],
    ['/path/%08bar', '/path/%08bar', '/path/%08bar', '/path/%08bar'],
    ['/a?q=1', '/b', '/b?q=1', '/a'],
    ['/a', '/with space', '/with%20space', '/a'],
  ];
  for (const [path, replacement, url, original] of cases) {
    const result = await through({ replacePath: { path: replacement } }, path);
    assert.equal(result.url, url, `${path} -> ${replacement}`);
    assert.equal(result.replaced, original);
  }
});

test('replacePath with an invalid escape is a build error instead of a 500 on every request', () => {
  assert.match(buildErrors({ replacePath: { path: '/a%zz' } })[0] ?? '', /invalid percent-escape/);
});

// traefik/traefik pkg/middlewares/replacepathregex/replace_path_regex_test.go
test('replacePathRegex rewrites matching paths', async () => {
  const cases: Array<{ path: string; regex: string; replacement: string; url?: string; replaced?: string; status?: number }> = [
    { path: '/whoami/and/whoami', regex: '^/whoami/(.*)', replacement: '/who-am-i/$1', url: '/who-am-i/and/whoami', replaced: '/whoami/and/whoami' },
    { path: '/whoami/and/whoami', regex: '/whoami', replacement: '/who-am-i', url: '/who-am-i/and/who-am-i', replaced: '/whoami/and/whoami' },
    { path: '/whoami/and/whoami', regex: '/whoami', replacement: '', url: '/and', replaced: '/whoami/and/whoami' },
    { path: '/whoami/and/whoami', regex: '/whoami', replacement: ' ', url: '/and', replaced: '/whoami/and/whoami' },
    { path: '/whoami/and/whoami', regex: '/no-match', replacement: '/whoami', url: '/whoami/and/whoami' },
    { path: '/downloads/src/source.go', regex: '^(?i)/downloads/([^/]+)/([^/]+)$', replacement: '/downloads/$1-$2', url: '/downloads/src-source.go', replaced: '/downloads/src/source.go' },
    { path: '/aaa/bbb', regex: '/aaa/bbb', replacement: '/foo%2Fbar', url: '/foo%2Fbar', replaced: '/aaa/bbb' },
    { path: '/aaa%2Fbbb', regex: '/aaa%2Fbbb', replacement: '/foo/bar', url: '/foo/bar', replaced: '/aaa%2Fbbb' },
    { path: '/aaa%2Fbbb', regex: '/aaa/bbb', replacement: '/foo/bar', url: '/aaa%2Fbbb' },
    { path: '/foo/%08bar', regex: '^/foo/(.*)', replacement: '/$1', url: '/%08bar', replaced: '/foo/%08bar' },
    { path: '/foo../bar', regex: '^/foo(.*)', replacement: '/$1', status: 400 },
    { path: '/a/b?x=%2F', regex: '^/a/(.*)', replacement: '/${1}x', url: '/bx?x=%2F', replaced: '/a/b' },
  ];
  for (const c of cases) {
    const result = await through({ replacePathRegex: { regex: c.regex, replacement: c.replacement } }, c.path);
    assert.equal(result.status, c.status ?? 200, JSON.stringify(c));
    if (result.status !== 200) continue;
    assert.equal(result.url, c.url, JSON.stringify(c));
    assert.equal(result.replaced, c.replaced, JSON.stringify(c));
  }
});

test('replacePathRegex with an invalid regex is a build error', () => {
  assert.match(buildErrors({ replacePathRegex: { regex: '^(?err)/invalid/regexp/([^/]+)$', replacement: '/x' } })[0] ?? '', /regex: invalid regular expression/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { send, serveMiddleware } from './harness.js';

// Cases from traefik/traefik pkg/middlewares/stripprefix/strip_prefix_test.go; `url` is the request-target the
// backend receives (Go's RequestURI), `prefix` the X-Forwarded-Prefix it sees.
const cases: Array<{ desc: string; prefixes: string[]; path: string; status?: number; url?: string; prefix?: string }> = [
  { desc: 'no prefixes configured', prefixes: [], path: '/noprefixes', url: '/noprefixes' },
  { desc: 'wildcard (.*) requests', prefixes: ['/'], path: '/', url: '/', prefix: '/' },
  { desc: 'prefix and path matching', prefixes: ['/stat'], path: '/stat', url: '/', prefix: '/stat' },
  { desc: 'path prefix on exactly matching path', prefixes: ['/stat/'], path: '/stat/', url: '/', prefix: '/stat/' },
  { desc: 'path prefix on matching longer path', prefixes: ['/stat/'], path: '/stat/us', url: '/us', prefix: '/stat/' },
  { desc: 'path prefix on mismatching path', prefixes: ['/stat/'], path: '/status', url: '/status' },
  { desc: 'general prefix on matching path', prefixes: ['/stat'], path: '/stat/', url: '/', prefix: '/stat' },
  { desc: 'earlier prefix matching', prefixes: ['/stat', '/stat/us'], path: '/stat/us', url: '/us', prefix: '/stat' },
  { desc: 'later prefix matching', prefixes: ['/mismatch', '/stat'], path: '/stat', url: '/', prefix: '/stat' },
  { desc: 'prefix matching within slash boundaries', prefixes: ['/stat'], path: '/status', url: '/us', prefix: '/stat' },
  { desc: 'raw path is also stripped', prefixes: ['/stat'], path: '/stat/a%2Fb', url: '/a%2Fb', prefix: '/stat' },
  { desc: 'encoded char in prefix segment of raw path', prefixes: ['/api/'], path: '/ap%69/a%2Fb', url: '/a%2Fb', prefix: '/api/' },
  { desc: 'dot in the path not stripped by the prefix', prefixes: ['/api'], path: '/api./foo', status: 400 },
  { desc: 'multiple dots in the path not stripped by the prefix', prefixes: ['/api'], path: '/api../foo', status: 400 },
  { desc: 'query is kept', prefixes: ['/api'], path: '/api/x?a=1&b=%2F', url: '/x?a=1&b=%2F', prefix: '/api' },
  { desc: 'double slash after the prefix is rejected', prefixes: ['/api'], path: '/api//x', status: 400 },
];

for (const c of cases) {
  test(`stripPrefix: ${c.desc}`, async () => {
    const served = await serveMiddleware({ stripPrefix: { prefixes: c.prefixes } });
    try {
      const reply = await send(served.url, { path: c.path });
      assert.equal(reply.status, c.status ?? 200);
      if (reply.status !== 200) {
        assert.equal(reply.text, 'Bad Request\n');
        return;
      }
      assert.equal(reply.echoed.url, c.url);
      assert.equal(reply.echoed.headers['x-forwarded-prefix'], c.prefix);
    } finally {
      await served.close();
    }
  });
}

test('stripPrefix: two stripPrefix middlewares in a chain add both prefixes', async () => {
  const { chainOf, serve } = await import('./harness.js');
  const handler = chainOf({ a: { stripPrefix: { prefixes: ['/a'] } }, b: { stripPrefix: { prefixes: ['/b'] } } }, ['a', 'b']);
  const served = await serve(handler);
  try {
    const reply = await send(served.url, { path: '/a/b/c' });
    assert.equal(reply.echoed.url, '/c');
    assert.equal(reply.echoed.headers['x-forwarded-prefix'], '/a, /b');
  } finally {
    await served.close();
  }
});

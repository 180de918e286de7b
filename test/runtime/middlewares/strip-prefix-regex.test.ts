import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildErrors, send, serveMiddleware } from './harness.js';

// Cases from traefik/traefik pkg/middlewares/stripprefixregex/strip_prefix_regex_test.go.
const cases: Array<{ regex: string[]; path: string; status?: number; url?: string; prefix?: string }> = [
  { regex: ['/a/api/'], path: '/a/test', url: '/a/test' },
  { regex: ['/a/api/'], path: '/a/test/', url: '/a/test/' },
  { regex: ['/a/api/'], path: '/a/api/', url: '/', prefix: '/a/api/' },
  { regex: ['/a/api/'], path: '/a/api/test', url: '/test', prefix: '/a/api/' },
  { regex: ['/a/api/'], path: '/a/api/test/', url: '/test/', prefix: '/a/api/' },
  { regex: ['/b/([a-z0-9]+)/'], path: '/b/api/', url: '/', prefix: '/b/api/' },
  { regex: ['/b/([a-z0-9]+)/'], path: '/b/api', url: '/b/api' },
  { regex: ['/b/([a-z0-9]+)/'], path: '/b/api/test1', url: '/test1', prefix: '/b/api/' },
  { regex: ['/b/([a-z0-9]+)/'], path: '/b/api2/test2', url: '/test2', prefix: '/b/api2/' },
  { regex: ['/c/[a-z0-9]+/[0-9]+/'], path: '/c/api/123/', url: '/', prefix: '/c/api/123/' },
  { regex: ['/c/[a-z0-9]+/[0-9]+/'], path: '/c/api/123', url: '/c/api/123' },
  { regex: ['/c/[a-z0-9]+/[0-9]+/'], path: '/c/api/123/test3', url: '/test3', prefix: '/c/api/123/' },
  { regex: ['/c/[a-z0-9]+/[0-9]+/'], path: '/c/api/abc/test4', url: '/c/api/abc/test4' },
  { regex: ['/a/api/'], path: '/a/api/a%2Fb', url: '/a%2Fb', prefix: '/a/api/' },
  { regex: ['/b/([a-z0-9]+)/'], path: '/b/ap%69/test', url: '/test', prefix: '/b/api/' },
  { regex: ['/t'], path: '/test/t', url: '/est/t', prefix: '/t' },
  { regex: ['/x'], path: '/a/x/b', url: '/a/x/b' },
  { regex: ['/api'], path: '/api../foo', status: 400 },
];

for (const c of cases) {
  test(`stripPrefixRegex ${JSON.stringify(c.regex)} on ${c.path}`, async () => {
    const served = await serveMiddleware({ stripPrefixRegex: { regex: c.regex } });
    try {
      const reply = await send(served.url, { path: c.path });
      assert.equal(reply.status, c.status ?? 200);
      if (reply.status !== 200) return;
      assert.equal(reply.echoed.url, c.url);
      assert.equal(reply.echoed.headers['x-forwarded-prefix'], c.prefix);
    } finally {
      await served.close();
    }
  });
}

test('stripPrefixRegex: an invalid or non-RE2 regex is a build error naming the option', () => {
  const errors = buildErrors({ stripPrefixRegex: { regex: ['/ok', '/(?<=x)y'] } });
  assert.equal(errors.length, 1);
  assert.match(errors[0] ?? '', /BERTH_ERR_INVALID_VALUE: middleware "m@test": regex\[1\]: invalid regular expression/);
});

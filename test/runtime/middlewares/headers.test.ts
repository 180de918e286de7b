import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import type { Handler } from '../../../src/runtime/handler.js';
import { buildErrors, echo, send, serveMiddleware, tlsOptions, type SendOptions, type ServeOptions } from './harness.js';

/** A backend that answers 200 with the given headers set through setHeader (as a proxy does). */
function backendWith(headers: Record<string, string>): Handler {
  return (_req, res) => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.statusCode = 200;
    res.end('ok');
  };
}

const ignored = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-type']);
/** The response headers a test cares about: everything but what Node adds on its own. */
function significant(headers: IncomingHttpHeaders): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !ignored.has(name)));
}

async function call(config: Record<string, unknown>, request: SendOptions, backend: Handler = backendWith({}), serveOptions: ServeOptions = {}) {
  const served = await serveMiddleware({ headers: config }, backend, serveOptions);
  try {
    return await send(served.url, request);
  } finally {
    await served.close();
  }
}

// traefik/traefik pkg/middlewares/headers/header_test.go, TestNewHeader_CORSPreflights
const preflight = { 'access-control-request-headers': 'origin', 'access-control-request-method': 'GET', origin: 'https://foo.bar.org' };
const preflights: Array<{ desc: string; config: Record<string, unknown>; headers?: Record<string, string>; expected: Record<string, string> }> = [
  {
    desc: 'Test Simple Preflight',
    config: { accessControlAllowMethods: ['GET', 'OPTIONS', 'PUT'], accessControlAllowOriginList: ['https://foo.bar.org'], accessControlMaxAge: 600 },
    expected: { 'access-control-allow-origin': 'https://foo.bar.org', 'access-control-max-age': '600', 'access-control-allow-methods': 'GET,OPTIONS,PUT' },
  },
  {
    desc: 'Wildcard origin Preflight',
    config: { accessControlAllowMethods: ['GET', 'OPTIONS', 'PUT'], accessControlAllowOriginList: ['*'], accessControlMaxAge: 600 },
    expected: { 'access-control-allow-origin': '*', 'access-control-max-age': '600', 'access-control-allow-methods': 'GET,OPTIONS,PUT' },
  },
  {
    desc: 'Allow Credentials Preflight',
    config: { accessControlAllowMethods: ['GET', 'OPTIONS', 'PUT'], accessControlAllowOriginList: ['*'], accessControlAllowCredentials: true, accessControlMaxAge: 600 },
    expected: { 'access-control-allow-origin': 'https://foo.bar.org', 'access-control-max-age': '600', 'access-control-allow-methods': 'GET,OPTIONS,PUT', 'access-control-allow-credentials': 'true' },
  },
  {
    desc: 'Allow Headers Preflight',
    config: { accessControlAllowMethods: ['GET', 'OPTIONS', 'PUT'], accessControlAllowOriginList: ['*'], accessControlAllowHeaders: ['origin', 'X-Forwarded-For'], accessControlMaxAge: 600 },
    expected: { 'access-control-allow-origin': '*', 'access-control-max-age': '600', 'access-control-allow-methods': 'GET,OPTIONS,PUT', 'access-control-allow-headers': 'origin,X-Forwarded-For' },
  },
  {
    desc: 'No Request Headers Preflight',
    config: { accessControlAllowMethods: ['GET', 'OPTIONS', 'PUT'], accessControlAllowOriginList: ['*'], accessControlAllowHeaders: ['origin', 'X-Forwarded-For'], accessControlMaxAge: 600 },
    headers: { 'access-control-request-method': 'GET', origin: 'https://foo.bar.org' },
    expected: { 'access-control-allow-origin': '*', 'access-control-max-age': '600', 'access-control-allow-methods': 'GET,OPTIONS,PUT', 'access-control-allow-headers': 'origin,X-Forwarded-For' },
  },
  {
    desc: 'Nil MaxAge Preflight',
    config: { accessControlAllowMethods: ['GET', 'OPTIONS', 'PUT'], accessControlAllowOriginList: ['*'] },
    headers: { 'access-control-request-method': 'GET', origin: 'https://foo.bar.org' },
    expected: { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET,OPTIONS,PUT' },
  },
  {
    desc: 'wildcard headers and methods with credentials echo the request',
    config: { accessControlAllowMethods: ['*'], accessControlAllowHeaders: ['*'], accessControlAllowCredentials: true, accessControlAllowOriginList: ['https://foo.bar.org'] },
    expected: { 'access-control-allow-origin': 'https://foo.bar.org', 'access-control-allow-methods': 'GET', 'access-control-allow-headers': 'origin', 'access-control-allow-credentials': 'true' },
  },
];

for (const c of preflights) {
  test(`headers CORS preflight: ${c.desc}`, async () => {
    let reached = false;
    const reply = await call(c.config, { method: 'OPTIONS', path: '/foo', headers: c.headers ?? preflight }, () => {
      reached = true;
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-length'], '0');
    assert.deepEqual(significant(reply.headers), c.expected);
    assert.equal(reached, false, 'a preflight never reaches the backend');
  });
}

// TestNewHeader_CORSResponses
const responses: Array<{ desc: string; config: Record<string, unknown>; backend?: Record<string, string>; origin?: string; expected: Record<string, string> }> = [
  { desc: 'Test Simple Request', config: { accessControlAllowOriginList: ['https://foo.bar.org'] }, origin: 'https://foo.bar.org', expected: { 'access-control-allow-origin': 'https://foo.bar.org' } },
  { desc: 'Wildcard origin Request', config: { accessControlAllowOriginList: ['*'] }, origin: 'https://foo.bar.org', expected: { 'access-control-allow-origin': '*' } },
  { desc: 'Regexp Origin Request', config: { accessControlAllowOriginListRegex: ['^https?://([a-z]+)\\.bar\\.org$'] }, origin: 'https://foo.bar.org', expected: { 'access-control-allow-origin': 'https://foo.bar.org' } },
  { desc: 'Partial Regexp Origin Request', config: { accessControlAllowOriginListRegex: ['([a-z]+)\\.bar'] }, origin: 'https://foo.bar.org', expected: { 'access-control-allow-origin': 'https://foo.bar.org' } },
  { desc: 'Regexp Origin Request without matching', config: { accessControlAllowOriginListRegex: ['([a-z]+)\\.bar\\.org'] }, origin: 'https://bar.org', expected: {} },
  { desc: 'Empty origin Request', config: { accessControlAllowOriginList: ['https://foo.bar.org'] }, expected: {} },
  { desc: 'Allow Credentials Request', config: { accessControlAllowOriginList: ['*'], accessControlAllowCredentials: true }, origin: 'https://foo.bar.org', expected: { 'access-control-allow-origin': 'https://foo.bar.org', 'access-control-allow-credentials': 'true' } },
  { desc: 'Expose Headers Request', config: { accessControlAllowOriginList: ['*'], accessControlExposeHeaders: ['origin', 'X-Forwarded-For'] }, origin: 'https://foo.bar.org', expected: { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'origin,X-Forwarded-For' } },
  { desc: 'Test Simple Request with Vary Headers', config: { accessControlAllowOriginList: ['https://foo.bar.org'], addVaryHeader: true }, origin: 'https://foo.bar.org', expected: { 'access-control-allow-origin': 'https://foo.bar.org', vary: 'Origin' } },
  { desc: 'Vary Headers and non-empty response', config: { accessControlAllowOriginList: ['https://foo.bar.org'], addVaryHeader: true }, backend: { Vary: 'Testing' }, origin: 'https://foo.bar.org', expected: { 'access-control-allow-origin': 'https://foo.bar.org', vary: 'Testing,Origin' } },
  { desc: 'Vary Headers and existing vary:origin response', config: { accessControlAllowOriginList: ['https://foo.bar.org'], addVaryHeader: true }, backend: { Vary: 'Origin' }, origin: 'https://foo.bar.org', expected: { 'access-control-allow-origin': 'https://foo.bar.org', vary: 'Origin' } },
  { desc: 'non-empty response: set ACAO', config: { accessControlAllowOriginList: ['*'] }, backend: { 'Access-Control-Allow-Origin': 'http://foo.bar.org' }, origin: 'https://foo.bar.org', expected: { 'access-control-allow-origin': '*' } },
];

for (const c of responses) {
  test(`headers CORS response: ${c.desc}`, async () => {
    const reply = await call(c.config, { path: '/foo', headers: c.origin === undefined ? {} : { origin: c.origin } }, backendWith(c.backend ?? {}));
    assert.equal(reply.status, 200);
    assert.deepEqual(significant(reply.headers), c.expected);
  });
}

test('headers: an OPTIONS request is not a preflight when no CORS option is set', async () => {
  const reply = await call({ customRequestHeaders: { foo: 'bar' } }, { method: 'OPTIONS', path: '/foo', headers: preflight }, echo);
  assert.equal(reply.echoed.method, 'OPTIONS');
  assert.equal(reply.echoed.headers['foo'], 'bar');
});

// TestNewHeader_customResponseHeaders and custom request headers
test('headers: custom response headers are set, an empty value removes one', async () => {
  const backend = backendWith({ Foo: 'bar' });
  assert.deepEqual(significant((await call({ customResponseHeaders: { Testing: 'foo', Testing2: 'bar' } }, {}, backend)).headers), { foo: 'bar', testing: 'foo', testing2: 'bar' });
  assert.deepEqual(significant((await call({ customResponseHeaders: { Testing: 'foo', Testing2: '' } }, {}, backend)).headers), { foo: 'bar', testing: 'foo' });
  assert.deepEqual(significant((await call({ customResponseHeaders: { Testing: 'foo', Foo: '' } }, {}, backend)).headers), { testing: 'foo' });
});

test('headers: custom request headers are set, replaced (Host too) or removed', async () => {
  const reply = await call({ customRequestHeaders: { 'X-Custom': 'test_request', 'X-Remove': '', 'X-Forwarded-For': '', Host: 'custom.example' } }, {
    headers: { 'x-custom': 'old', 'x-remove': 'gone', 'x-forwarded-for': '1.2.3.4', host: 'example.org' },
  }, echo);
  assert.equal(reply.echoed.headers['x-custom'], 'test_request');
  assert.equal(reply.echoed.headers['x-remove'], undefined);
  assert.equal(reply.echoed.headers['x-forwarded-for'], undefined);
  assert.equal(reply.echoed.headers.host, 'custom.example');
});

// traefik/traefik pkg/middlewares/headers/secure_test.go and headers_test.go
test('headers: security headers', async () => {
  const cases: Array<[Record<string, unknown>, Record<string, string>]> = [
    [{ permissionsPolicy: 'microphone=(),' }, { 'permissions-policy': 'microphone=(),' }],
    [{ stsSeconds: 1, forceSTSHeader: true }, { 'strict-transport-security': 'max-age=1' }],
    [{ stsSeconds: 1, forceSTSHeader: true, stsPreload: true }, { 'strict-transport-security': 'max-age=1; preload' }],
    [{ stsSeconds: 1, forceSTSHeader: true, stsIncludeSubdomains: true }, { 'strict-transport-security': 'max-age=1; includeSubDomains' }],
    [{ stsSeconds: 1 }, {}],
    [{ customFrameOptionsValue: 'foo' }, { 'x-frame-options': 'foo' }],
    [{ frameDeny: true }, { 'x-frame-options': 'DENY' }],
    [{ frameDeny: true, customFrameOptionsValue: 'SAMEORIGIN' }, { 'x-frame-options': 'SAMEORIGIN' }],
    [{ contentTypeNosniff: true }, { 'x-content-type-options': 'nosniff' }],
    [{ browserXssFilter: true }, { 'x-xss-protection': '1; mode=block' }],
    [{ browserXssFilter: true, customBrowserXSSValue: '0' }, { 'x-xss-protection': '0' }],
    [{ contentSecurityPolicy: "default-src 'self'", contentSecurityPolicyReportOnly: 'default-src *' }, { 'content-security-policy': "default-src 'self'", 'content-security-policy-report-only': 'default-src *' }],
    [{ referrerPolicy: 'no-referrer' }, { 'referrer-policy': 'no-referrer' }],
    [{ publicKey: 'pin-sha256="x"' }, {}],
    [{ stsSeconds: 1, forceSTSHeader: true, isDevelopment: true }, {}],
  ];
  for (const [config, expected] of cases) {
    assert.deepEqual(significant((await call(config, {})).headers), expected, JSON.stringify(config));
  }
});

test('headers: HSTS and HPKP are sent over HTTPS, or when an sslProxyHeaders header matches', async () => {
  const config = { stsSeconds: 31536000, stsIncludeSubdomains: true, publicKey: 'pin-sha256="x"' };
  const tls = await call(config, {}, backendWith({}), { tls: tlsOptions() });
  assert.equal(tls.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
  assert.equal(tls.headers['public-key-pins'], 'pin-sha256="x"');
  const proxied = { ...config, sslProxyHeaders: { 'X-Forwarded-Proto': 'https' } };
  const trusted = await call(proxied, { headers: { 'x-forwarded-proto': 'https' } }, backendWith({}), { trustForwardHeaders: true });
  assert.equal(trusted.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
  const untrusted = await call(proxied, { headers: { 'x-forwarded-proto': 'https' } }, backendWith({}), { trustForwardHeaders: false });
  assert.equal(untrusted.headers['strict-transport-security'], undefined);
  const custom = await call({ ...config, sslProxyHeaders: { 'X-Is-Ssl': 'yes' } }, { headers: { 'x-is-ssl': 'yes' } });
  assert.equal(custom.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
});

test('headers: custom response headers are applied after security headers', async () => {
  const reply = await call({ frameDeny: true, customResponseHeaders: { 'X-Frame-Options': '' } }, {});
  assert.equal(reply.headers['x-frame-options'], undefined);
});

test('headers: allowedHosts rejects other hosts with 500 "Bad Host" (unrolled/secure), checked after hostsProxyHeaders', async () => {
  const config = { allowedHosts: ['foo.com', 'bar.com'] };
  assert.equal((await call(config, { headers: { host: 'foo.com' } })).status, 200);
  assert.equal((await call(config, { headers: { host: 'FOO.com' } })).status, 200);
  const rejected = await call(config, { headers: { host: 'boo.com' } });
  assert.equal(rejected.status, 500);
  assert.equal(rejected.text, 'Bad Host\n');
  assert.equal((await call({ ...config, hostsProxyHeaders: ['X-Forwarded-Host'] }, { headers: { host: 'boo.com', 'x-forwarded-host': 'bar.com' } })).status, 200);
  assert.equal((await call({ ...config, isDevelopment: true }, { headers: { host: 'boo.com' } })).status, 200);
});

test('headers: an empty headers middleware is a build error, as in Traefik', () => {
  assert.match(buildErrors({ headers: {} })[0] ?? '', /BERTH_ERR_MISSING_VALUE.*no option is set/);
  assert.match(buildErrors({ headers: { accessControlAllowOriginListRegex: ['a(b'] } })[0] ?? '', /accessControlAllowOriginListRegex\[0\]/);
});

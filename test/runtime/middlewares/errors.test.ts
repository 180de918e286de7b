import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Handler } from '../../../src/runtime/handler.js';
import { buildErrors, chainOf, send, serve, type SendOptions } from './harness.js';

/** A backend answering `status` with a body naming it, and one response header that must not leak. */
function backend(status: number): Handler {
  return (_req, res) => {
    res.setHeader('x-backend', 'yes');
    res.setHeader('content-type', 'text/plain');
    res.statusCode = status;
    res.end(status === 304 ? undefined : `backend ${status}`);
  };
}

/** The error page service: echoes the request it got. */
const pages: Handler = (req, res) => {
  res.setHeader('content-type', 'text/html');
  res.statusCode = 200;
  res.end(`page ${req.method} ${req.url} host=${req.headers.host} id=${String(req.headers['x-request-id'])} auth=${String(req.headers.authorization)}`);
};

async function call(config: Record<string, unknown>, status: number, request: SendOptions = {}, pageService: Handler = pages) {
  const services = (name: string) => (name === 'pages@test' ? pageService : undefined);
  const handler = chainOf({ e: { errors: { service: 'pages', ...config } } }, ['e'], backend(status), { services });
  const served = await serve(handler);
  try {
    return await send(served.url, request);
  } finally {
    await served.close();
  }
}

// traefik/traefik pkg/middlewares/customerrors/custom_errors_test.go
test('errors: statuses outside the ranges pass through untouched', async () => {
  for (const status of [200, 206, 502]) {
    const reply = await call({ query: '/test', status: ['500-501', '503-599'] }, status);
    assert.equal(reply.status, status);
    assert.equal(reply.text, `backend ${status}`);
    assert.equal(reply.headers['x-backend'], 'yes');
  }
  const notModified = await call({ query: '/test', status: ['500-501', '503-599'] }, 304);
  assert.equal(notModified.status, 304);
});

test('errors: a status in range is replaced by the page, with the original status and without the backend headers', async () => {
  const reply = await call({ query: '/test', status: ['500-501', '503-599'] }, 500, { path: '/x?y=1' });
  assert.equal(reply.status, 500);
  assert.equal(reply.headers['x-backend'], undefined);
  assert.equal(reply.headers['content-type'], 'text/html');
  assert.match(reply.text, /^page GET \/test host=127\.0\.0\.1:\d+/);
});

test('errors: query placeholders {status}, {originalStatus}, {url} and statusRewrites', async () => {
  const single = await call({ query: '/{status}', status: ['503'] }, 503);
  assert.match(single.text, /^page GET \/503 /);
  const full = await call({ query: '/?status={status}&url={url}', status: ['503'] }, 503, { path: '/test?foo=bar&baz=buz', headers: { host: 'localhost' } });
  assert.match(full.text, /^page GET \/\?status=503&url=http%3A%2F%2Flocalhost%2Ftest%3Ffoo%3Dbar%26baz%3Dbuz host=localhost/);
  const rewritten = await call({ query: '{status}-{originalStatus}', status: ['400-599'], statusRewrites: { '418': '404', '500-504': '500' } }, 503, { method: 'POST', body: 'x' });
  assert.equal(rewritten.status, 500);
  assert.match(rewritten.text, /^page GET \/500-503 /);
});

test('errors: request headers are forwarded to the page service, all of them or only errorRequestHeaders', async () => {
  const headers = { 'x-request-id': 'trace-abc', authorization: 'Bearer secret' };
  const all = await call({ query: '/test', status: ['503'] }, 503, { headers });
  assert.match(all.text, /id=trace-abc auth=Bearer secret/);
  const allowed = await call({ query: '/test', status: ['503'], errorRequestHeaders: ['X-Request-Id'] }, 503, { headers });
  assert.match(allowed.text, /id=trace-abc auth=undefined/);
  const none = await call({ query: '/test', status: ['503'], errorRequestHeaders: [] }, 503, { headers });
  assert.match(none.text, /id=undefined auth=undefined/);
});

test('errors: the page keeps the original status even when the page service answers otherwise', async () => {
  const reply = await call({ query: '/missing', status: ['500-599'] }, 502, {}, (_req, res) => {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found page');
  });
  assert.equal(reply.status, 502);
  assert.equal(reply.text, 'not found page');
});

test('errors: works under middlewares that change the response (headers set on the page too)', async () => {
  const services = (name: string) => (name === 'pages@test' ? pages : undefined);
  const handler = chainOf({
    h: { headers: { customResponseHeaders: { 'X-Outer': 'outer' } } },
    e: { errors: { service: 'pages', query: '/p', status: ['500'] } },
    c: { compress: { minResponseBodyBytes: 1 } },
  }, ['h', 'e', 'c'], backend(500), { services });
  const served = await serve(handler);
  try {
    const reply = await send(served.url, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(reply.status, 500);
    assert.equal(reply.headers['x-outer'], 'outer');
    assert.equal(reply.headers['content-encoding'], undefined, 'the compressed error body was dropped with its headers');
    assert.match(reply.text, /^page GET \/p /);
  } finally {
    await served.close();
  }
});

test('errors: build errors for a missing service or bad ranges', () => {
  assert.match(buildErrors({ errors: { service: 'nope', status: ['500'] } })[0] ?? '', /BERTH_ERR_SERVICE_NOT_FOUND.*the service "nope@test" does not exist/);
  const services = () => pages;
  assert.match(buildErrors({ errors: { service: 'p', status: ['5xx'] } }, { services })[0] ?? '', /status\[0\]: "5xx" is not a status code or range/);
  assert.match(buildErrors({ errors: { service: 'p', status: ['500'], statusRewrites: { '500': 'x' } } }, { services })[0] ?? '', /statusRewrites.500/);
});

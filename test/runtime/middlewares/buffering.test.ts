import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Handler } from '../../../src/runtime/handler.js';
import { buildErrors, send, serveMiddleware } from './harness.js';

const payload = Buffer.from('a'.repeat(5000));

/** Echoes the body back in several writes, reporting the request's framing headers. */
const streaming: Handler = (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    res.setHeader('x-seen-length', String(req.headers['content-length']));
    res.setHeader('x-seen-te', String(req.headers['transfer-encoding']));
    res.writeHead(200, { 'content-type': 'text/plain' });
    const body = Buffer.concat(chunks);
    res.write(body.subarray(0, 10));
    res.end(body.subarray(10));
  });
};

async function call(config: Record<string, unknown>, body: Buffer, headers: Record<string, string> = {}) {
  const served = await serveMiddleware({ buffering: config }, streaming);
  try {
    return await send(served.url, { method: 'POST', body, headers });
  } finally {
    await served.close();
  }
}

// traefik/traefik pkg/middlewares/buffering/buffering_test.go
test('buffering: bodies are buffered both ways and sent with their length', async () => {
  const reply = await call({}, payload, { 'transfer-encoding': 'chunked' });
  assert.equal(reply.status, 200);
  assert.deepEqual(reply.body, payload);
  assert.equal(reply.headers['x-seen-length'], String(payload.length));
  assert.equal(reply.headers['x-seen-te'], 'undefined');
  assert.equal(reply.headers['content-length'], String(payload.length));
  assert.equal(reply.headers['transfer-encoding'], undefined);
});

test('buffering: a request body over maxRequestBodyBytes gets 413', async () => {
  const declared = await call({ maxRequestBodyBytes: 1 }, payload);
  assert.equal(declared.status, 413);
  assert.equal(declared.text, 'Request Entity Too Large');
  const chunked = await call({ maxRequestBodyBytes: 100 }, payload, { 'transfer-encoding': 'chunked' });
  assert.equal(chunked.status, 413);
});

test('buffering: a response body over maxResponseBodyBytes gets 500 without the backend headers', async () => {
  const reply = await call({ maxResponseBodyBytes: 1 }, payload);
  assert.equal(reply.status, 500);
  assert.equal(reply.text, 'Internal Server Error');
  assert.equal(reply.headers['x-seen-length'], undefined);
});

test('buffering: disabling one direction streams it', async () => {
  const reply = await call({ disableRequestBuffer: true, disableResponseBuffer: true, maxResponseBodyBytes: 1 }, payload, { 'transfer-encoding': 'chunked' });
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['x-seen-te'], 'chunked');
  assert.equal(reply.headers['transfer-encoding'], 'chunked');
});

test('buffering: retryExpression is reported as not supported', () => {
  assert.match(buildErrors({ buffering: { retryExpression: 'IsNetworkError() && Attempts() < 2' } })[0] ?? '', /BERTH_ERR_NOT_SUPPORTED.*retryExpression/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sendStatus, type Handler } from '../../../src/runtime/handler.js';
import { upstreamAttemptOf } from '../../../src/runtime/middlewares/upstream-attempt.js';
import { buildErrors, send, serveMiddleware, type SendOptions } from './harness.js';

interface Script {
  /** What each call does: a status to answer, 'refused' (a connection failure before sending), or 'sent-then-failed'. */
  readonly steps: ReadonlyArray<number | 'refused' | 'sent-then-failed'>;
  calls: Array<{ method: string; body: string; marker: string | undefined }>;
}

/** A terminal standing in for the forwarding service, reporting to the retry middleware as it would. */
function scripted(script: Script): Handler {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const step = script.steps[Math.min(script.calls.length, script.steps.length - 1)] ?? 200;
      script.calls.push({ method: req.method ?? '', body: Buffer.concat(chunks).toString(), marker: req.headers['x-marker'] as string | undefined });
      // Middlewares below the retry may change the request; the next attempt must not see that.
      req.headers['x-marker'] = 'changed';
      const attempt = upstreamAttemptOf(req);
      attempt?.reached();
      if (step === 'refused') return sendStatus(res, 502, 'Bad Gateway');
      attempt?.sent();
      if (step === 'sent-then-failed') return sendStatus(res, 502, 'Bad Gateway');
      res.setHeader(`x-attempt-${script.calls.length}`, 'yes');
      res.writeHead(step, { 'content-type': 'text/plain' });
      res.end(`attempt ${script.calls.length}`);
    });
  };
}

async function call(config: Record<string, unknown>, steps: Script['steps'], request: SendOptions = {}) {
  const script: Script = { steps, calls: [] };
  const served = await serveMiddleware({ retry: config }, scripted(script));
  try {
    const reply = await send(served.url, request);
    return { reply, calls: script.calls };
  } finally {
    await served.close();
  }
}

// traefik/traefik pkg/middlewares/retry/retry_test.go
test('retry: a refused connection is retried until an attempt succeeds', async () => {
  const { reply, calls } = await call({ attempts: 3 }, ['refused', 'refused', 200]);
  assert.equal(reply.status, 200);
  assert.equal(reply.text, 'attempt 3');
  assert.equal(calls.length, 3);
  assert.equal(reply.headers['x-attempt-3'], 'yes');
});

test('retry: the last attempt is returned as it is', async () => {
  const { reply, calls } = await call({ attempts: 2 }, ['refused', 'refused', 200]);
  assert.equal(reply.status, 502);
  assert.equal(calls.length, 2);
});

test('retry: a failure after the request was sent is not retried; nor are answers from before the proxy', async () => {
  const sent = await call({ attempts: 3 }, ['sent-then-failed', 200]);
  assert.equal(sent.reply.status, 502);
  assert.equal(sent.calls.length, 1);
  const answered = await call({ attempts: 3 }, [503, 200]);
  assert.equal(answered.reply.status, 503, 'without status, only network errors are retried');
  assert.equal(answered.calls.length, 1);
});

test('retry: status codes are retried, and headers of dropped attempts do not leak', async () => {
  const { reply, calls } = await call({ attempts: 4, status: ['500-503'] }, [503, 500, 200]);
  assert.equal(reply.status, 200);
  assert.equal(calls.length, 3);
  assert.equal(reply.headers['x-attempt-1'], undefined);
  assert.equal(reply.headers['x-attempt-2'], undefined);
  assert.equal(reply.headers['x-attempt-3'], 'yes');
});

test('retry: every attempt gets the original request and the whole body', async () => {
  const { reply, calls } = await call({ attempts: 3, status: ['503'], retryNonIdempotentMethod: true }, [503, 503, 200], { method: 'POST', body: 'payload', headers: { 'x-marker': 'original' } });
  assert.equal(reply.status, 200);
  assert.deepEqual(calls.map((c) => [c.method, c.body, c.marker]), [['POST', 'payload', 'original'], ['POST', 'payload', 'original'], ['POST', 'payload', 'original']]);
});

test('retry: POST is not retried on status unless retryNonIdempotentMethod, but is on refused connections', async () => {
  const status = await call({ attempts: 3, status: ['503'] }, [503, 200], { method: 'POST', body: 'x' });
  assert.equal(status.reply.status, 503);
  assert.equal(status.calls.length, 1);
  const refused = await call({ attempts: 3 }, ['refused', 200], { method: 'POST', body: 'x' });
  assert.equal(refused.reply.status, 200);
  assert.equal(refused.calls[1]?.body, 'x');
});

test('retry: a body over maxRequestBodyBytes is sent once, whole, without retries', async () => {
  const body = 'b'.repeat(5000);
  const { reply, calls } = await call({ attempts: 3, maxRequestBodyBytes: 100 }, ['refused', 200], { method: 'PUT', body, headers: { 'transfer-encoding': 'chunked' } });
  assert.equal(reply.status, 502);
  assert.equal(calls.length, 1);
  assert.equal(calls[0]?.body, body);
});

test('retry: disableRetryOnNetworkError leaves refused connections alone', async () => {
  const { reply, calls } = await call({ attempts: 3, status: ['503'], disableRetryOnNetworkError: true }, ['refused', 200]);
  assert.equal(reply.status, 502);
  assert.equal(calls.length, 1);
});

test('retry: waits grow from initialInterval', async () => {
  const started = Date.now();
  const { reply, calls } = await call({ attempts: 3, initialInterval: '40ms' }, ['refused', 'refused', 200]);
  assert.equal(reply.status, 200);
  assert.equal(calls.length, 3);
  // Two waits of at least 50% of 40 ms and 50% of 56 ms.
  assert.ok(Date.now() - started >= 45, `took ${Date.now() - started} ms`);
});

test('retry: after timeout, failures are returned instead of retried', async () => {
  const { reply, calls } = await call({ attempts: 5, status: ['503'], timeout: '1ns' }, [503, 200]);
  assert.equal(reply.status, 503);
  assert.equal(calls.length, 1);
});

test('retry: build errors', () => {
  assert.match(buildErrors({ retry: { attempts: 2, disableRetryOnNetworkError: true } })[0] ?? '', /disableRetryOnNetworkError needs "status"/);
  assert.match(buildErrors({ retry: { attempts: 2, status: ['abc'] } })[0] ?? '', /status\[0\]/);
});

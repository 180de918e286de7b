import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import type { Handler } from '../../../src/runtime/handler.js';
import { formatGoDuration } from '../../../src/runtime/middlewares/go-duration.js';
import { TokenBuckets } from '../../../src/runtime/middlewares/token-buckets.js';
import { waitFor } from '../../helpers/wait-for.js';
import { buildErrors, echo, send, serveMiddleware } from './harness.js';

test('Go duration formatting', () => {
  const cases: Array<[number, string]> = [[0, '0s'], [999, '999ns'], [1500, '1.5µs'], [666_666_666, '666.666666ms'], [1e9, '1s'], [1.5e9, '1.5s'], [60e9, '1m0s'], [3_723e9, '1h2m3s']];
  for (const [ns, text] of cases) assert.equal(formatGoDuration(ns), text);
});

test('token buckets: burst, refill, delay and cancellation of refused reservations', () => {
  const signal = new AbortController().signal;
  const buckets = new TokenBuckets(10, 3, 2, signal);
  // A full bucket of 3, then each extra request waits one more token interval (100 ms).
  assert.deepEqual([0, 0, 0].map(() => buckets.reserve('a', 0, 1000)), [0, 0, 0]);
  assert.equal(Math.round(buckets.reserve('a', 0, 1000)), 100);
  assert.equal(Math.round(buckets.reserve('a', 0, 1000)), 200);
  // Over the maximum delay the token is given back: the next request waits as long as if it had not come.
  assert.equal(Math.round(buckets.reserve('a', 0, 250)), 300);
  assert.equal(Math.round(buckets.reserve('a', 0, 1000)), 300);
  // Sources are independent; time refills.
  assert.equal(buckets.reserve('b', 0, 0), 0);
  assert.equal(Math.round(buckets.reserve('a', 1000, 1000)), 0);
  // Unused buckets expire after the TTL.
  assert.equal(buckets.sweep(2000), 1);
  assert.equal(buckets.sweep(10_000), 0);
});

test('rateLimit: 429 with Retry-After and X-Retry-In when the wait would be too long', async () => {
  const served = await serveMiddleware({ rateLimit: { average: 1, period: '1s', burst: 1 } });
  try {
    assert.equal((await send(served.url)).status, 200);
    const limited = await send(served.url);
    assert.equal(limited.status, 429);
    assert.equal(limited.text, 'Too Many Requests');
    assert.equal(limited.headers['retry-after'], '1');
    assert.match(String(limited.headers['x-retry-in']), /^9\d\d(\.\d+)?ms$/);
  } finally {
    await served.close();
  }
});

test('rateLimit: a request within the maximum delay is delayed, then served', async () => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  const served = await serveMiddleware({ rateLimit: { average: 1, period: '1s', burst: 1 } });
  try {
    assert.equal((await send(served.url)).status, 200);
    mock.timers.tick(600);
    let done = false;
    const second = send(served.url).then((reply) => {
      done = true;
      return reply;
    });
    // Waiting for 400 ms of (fake) time: nothing yet.
    await new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < 20 && !done; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(done, false);
    mock.timers.tick(400);
    assert.equal((await second).status, 200);
  } finally {
    mock.timers.reset();
    await served.close();
  }
});

test('rateLimit: average 0 means no limit; sources are counted per header when configured', async () => {
  const open = await serveMiddleware({ rateLimit: { average: 0 } });
  try {
    for (let i = 0; i < 5; i++) assert.equal((await send(open.url)).status, 200);
  } finally {
    await open.close();
  }
  const perUser = await serveMiddleware({ rateLimit: { average: 1, burst: 1, sourceCriterion: { requestHeaderName: 'X-User' } } });
  try {
    assert.equal((await send(perUser.url, { headers: { 'x-user': 'a' } })).status, 200);
    assert.equal((await send(perUser.url, { headers: { 'x-user': 'b' } })).status, 200);
    assert.equal((await send(perUser.url, { headers: { 'x-user': 'a' } })).status, 429);
  } finally {
    await perUser.close();
  }
});

test('rateLimit: redis is a build error; two sourceCriterion kinds are rejected by the schema', () => {
  assert.match(buildErrors({ rateLimit: { average: 10, redis: { endpoints: ['127.0.0.1:6379'] } } })[0] ?? '', /BERTH_ERR_NOT_SUPPORTED: .*redis/);
  assert.throws(() => buildErrors({ rateLimit: { sourceCriterion: { requestHost: true, requestHeaderName: 'X' } } }), /set only one/);
});

test('inFlightReq: the request over the limit gets 429 while the others are in flight (per Host by default)', async () => {
  const waiting: Array<() => void> = [];
  const slow: Handler = (req, res, ctx) => {
    waiting.push(() => echo(req, res, ctx));
  };
  const served = await serveMiddleware({ inFlightReq: { amount: 2 } }, slow);
  try {
    const first = send(served.url);
    const second = send(served.url);
    await waitFor(() => waiting.length === 2, 2000, 'two requests in flight');
    const third = await send(served.url);
    assert.equal(third.status, 429);
    assert.equal(third.text, 'max connections reached: 2');
    const otherHost = send(served.url, { headers: { host: 'other.example' } });
    await waitFor(() => waiting.length === 3, 2000, 'a request for another Host is let through');
    for (const release of waiting.splice(0)) release();
    assert.deepEqual([(await first).status, (await second).status, (await otherHost).status], [200, 200, 200]);
    const after = send(served.url);
    await waitFor(() => waiting.length === 1, 2000, 'the slots are free again once responses finished');
    for (const release of waiting.splice(0)) release();
    assert.equal((await after).status, 200);
  } finally {
    for (const release of waiting.splice(0)) release();
    await served.close();
  }
});

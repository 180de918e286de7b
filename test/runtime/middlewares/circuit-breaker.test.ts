import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import type { Handler } from '../../../src/runtime/handler.js';
import { parseBreakerExpression, type BreakerMetrics } from '../../../src/runtime/middlewares/circuit-breaker-expression.js';
import { RoundTripMetrics } from '../../../src/runtime/middlewares/circuit-breaker-metrics.js';
import { buildErrors, send, serveMiddleware } from './harness.js';

const fixed = (values: Partial<Record<keyof BreakerMetrics, number>>): BreakerMetrics => ({
  networkErrorRatio: () => values.networkErrorRatio ?? 0,
  responseCodeRatio: () => values.responseCodeRatio ?? 0,
  latencyAtQuantileMs: () => values.latencyAtQuantileMs ?? 0,
  requestCount: () => values.requestCount ?? 0,
});

// vulcand/oxy cbreaker/predicates_test.go
test('breaker expressions: functions, comparisons, && binding tighter than ||, parentheses', () => {
  const cases: Array<[string, Partial<Record<keyof BreakerMetrics, number>>, boolean]> = [
    ['NetworkErrorRatio() > 0.5', { networkErrorRatio: 0.6 }, true],
    ['NetworkErrorRatio() < 0.5', { networkErrorRatio: 0.6 }, false],
    ['LatencyAtQuantileMS(50.0) > 50', { latencyAtQuantileMs: 51 }, true],
    ['LatencyAtQuantileMS(50.0) < 50', { latencyAtQuantileMs: 51 }, false],
    ['ResponseCodeRatio(500, 600, 0, 600) > 0.5', { responseCodeRatio: 0.6 }, true],
    ['NetworkErrorRatio() > 0.5 && RequestThreshold() >= 20', { networkErrorRatio: 0.6, requestCount: 19 }, false],
    ['NetworkErrorRatio() > 0.5 && RequestThreshold() >= 20', { networkErrorRatio: 0.6, requestCount: 20 }, true],
    ['RequestThreshold() == 3 || NetworkErrorRatio() > 0.5 && RequestThreshold() != 3', { requestCount: 3 }, true],
    ['(RequestThreshold() == 3 || NetworkErrorRatio() > 0.5) && RequestThreshold() != 3', { requestCount: 3 }, false],
    ['RequestThreshold() <= 3', { requestCount: 3 }, true],
  ];
  for (const [expression, values, expected] of cases) {
    assert.equal(parseBreakerExpression(expression)(fixed(values)), expected, expression);
  }
  for (const bad of ['', 'Foo() > 1', 'NetworkErrorRatio() >', 'NetworkErrorRatio > 0.5', 'ResponseCodeRatio(500) > 0.5', 'NetworkErrorRatio() > 0.5 &&', '0.5 < NetworkErrorRatio()', 'NetworkErrorRatio() > 0.5 $']) {
    assert.throws(() => parseBreakerExpression(bad), /expression: /, bad);
  }
});

test('round-trip metrics: ratios over a rolling 10 s window, latency quantiles', () => {
  const metrics = new RoundTripMetrics();
  for (let i = 0; i < 6; i++) metrics.record(1000, 502, 10);
  for (let i = 0; i < 4; i++) metrics.record(2500, 200, 100);
  const now = metrics.at(2500);
  assert.equal(now.requestCount(), 10);
  assert.equal(now.networkErrorRatio(), 0.6);
  assert.equal(now.responseCodeRatio(500, 600, 0, 600), 0.6);
  assert.equal(now.responseCodeRatio(200, 300, 500, 600), 4 / 6);
  const p50 = now.latencyAtQuantileMs(50);
  assert.ok(p50 >= 9 && p50 <= 11, `p50 ${p50}`);
  const p90 = now.latencyAtQuantileMs(90);
  assert.ok(p90 >= 98 && p90 <= 103, `p90 ${p90}`);
  assert.equal(metrics.at(11_500).requestCount(), 4, 'the 502s from second 1 left the window');
  assert.equal(metrics.at(20_000).requestCount(), 0);
});

// vulcand/oxy cbreaker/cbreaker_test.go TestFullCycle, with Traefik's fallback (responseCode and its text).
test('circuitBreaker: trips, falls back, recovers gradually, closes again', async () => {
  mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  let status = 200;
  const backend: Handler = (_req, res) => {
    res.writeHead(status);
    res.end('hello');
  };
  const served = await serveMiddleware({ circuitBreaker: { expression: 'NetworkErrorRatio() > 0.5' } }, backend);
  try {
    assert.equal((await send(served.url)).status, 200);
    status = 502;
    for (let i = 0; i < 3; i++) assert.equal((await send(served.url)).status, 502, 'within the check period, no check');
    mock.timers.tick(101);
    assert.equal((await send(served.url)).status, 502, 'this response trips the breaker');
    status = 200;
    const tripped = await send(served.url);
    assert.equal(tripped.status, 503);
    assert.equal(tripped.text, 'Service Unavailable');
    mock.timers.tick(9000);
    assert.equal((await send(served.url)).status, 503, 'still tripped');
    mock.timers.tick(1001);
    assert.equal((await send(served.url)).status, 503, 'recovering: the first request is still refused');
    mock.timers.tick(5000);
    let allowed = 0;
    for (let i = 0; i < 40; i++) if ((await send(served.url)).status === 200) allowed++;
    assert.ok(allowed > 0 && allowed < 40, `some requests pass while recovering (${allowed}/40)`);
    mock.timers.tick(5001);
    assert.equal((await send(served.url)).status, 200, 'standby again');
  } finally {
    mock.timers.reset();
    await served.close();
  }
});

test('circuitBreaker: responseCode sets the fallback status', async () => {
  mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const served = await serveMiddleware({ circuitBreaker: { expression: 'ResponseCodeRatio(500, 600, 0, 600) > 0.25', responseCode: 418, checkPeriod: '1ms' } }, (_req, res) => {
    res.writeHead(500);
    res.end();
  });
  try {
    mock.timers.tick(2);
    assert.equal((await send(served.url)).status, 500);
    const fallback = await send(served.url);
    assert.equal(fallback.status, 418);
    assert.equal(fallback.text, "I'm a teapot");
  } finally {
    mock.timers.reset();
    await served.close();
  }
});

test('circuitBreaker: an invalid expression is a build error', () => {
  assert.match(buildErrors({ circuitBreaker: { expression: 'NetworkErrorRatio() >> 0.5' } })[0] ?? '', /BERTH_ERR_INVALID_VALUE.*expression: /);
});

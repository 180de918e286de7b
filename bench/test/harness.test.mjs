// Tests of the harness's pure parts (parsing, aggregation, verdicts, tables); no proxy, no load.
// Run: node --test bench/test/
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateTargets } from '../lib/targets.mjs';
import { scenarioTable } from '../lib/report.mjs';
import { SCENARIOS, selectScenarios } from '../lib/scenarios.mjs';
import { summarize } from '../lib/summary.mjs';
import { newSince } from '../lib/system.mjs';
import { spreadHosts } from '../lib/topology.mjs';
import { parseWrk } from '../lib/wrk.mjs';

// Real wrk 4.1.0 output, with a socket-errors line as wrk prints it.
const WRK_OUT = `Running 1s test @ http://127.0.0.1:18777/
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.14ms    2.11ms  25.62ms   95.80%
    Req/Sec     1.32k   165.09     1.46k    90.00%
  Latency Distribution
     50%  812.00us
     75%    3.31ms
     90%    3.85ms
     99%    1.52s
  1317 requests in 1.00s, 668.97KB read
  Socket errors: connect 0, read 7, write 1, timeout 2
  Non-2xx or 3xx responses: 13
Requests/sec:   1315.40
Transfer/sec:    668.16KB
`;

test('parseWrk reads throughput, percentiles in any unit, socket errors and non-2xx', () => {
  const r = parseWrk(WRK_OUT);
  assert.equal(r.rps, 1315.4);
  assert.equal(r.requests, 1317);
  assert.equal(r.p50, 0.812);
  assert.equal(r.p99, 1520);
  assert.equal(r.socketErrors, 10);
  assert.equal(r.socketDetail, 'connect 0, read 7, write 1, timeout 2');
  assert.equal(r.non2xx, 13);
});

test('parseWrk refuses output without a throughput line instead of inventing zero', () => {
  assert.throws(() => parseWrk('unable to connect to 127.0.0.1:1 Connection refused'), /cannot read wrk output/);
});

test('spreadHosts covers the first and last router evenly', () => {
  assert.deepEqual(spreadHosts(10, 10), Array.from({ length: 10 }, (_, i) => `h${i}.bench.test`));
  const many = spreadHosts(10_000, 100);
  assert.equal(many.length, 100);
  assert.equal(many[0], 'h0.bench.test');
  assert.equal(many.at(-1), 'h9999.bench.test');
  assert.equal(new Set(many).size, 100);
});

test('newSince counts only TIME_WAIT sockets that were not there before', () => {
  assert.equal(newSince(new Set(['a>b', 'c>d']), new Set(['c>d', 'e>f', 'g>h'])), 2);
});

test('selectScenarios rejects an unknown id and names the known ones', () => {
  assert.equal(selectScenarios([]).length, SCENARIOS.length);
  assert.throws(() => selectScenarios(['smal']), /unknown scenario smal; known: small, routers-10k/);
});

function run(proxy, rps, extra = {}) {
  return {
    proxy, scenario: 'small', round: 0, rps, requests: rps * 10, p50: 1, p99: 4, socketErrors: 0, socketDetail: 'none', non2xx: 0, transfer: '',
    startupMs: 100, idleRss: { total: 50e6, largest: 50e6, pss: 40e6, processes: 1 },
    peakRss: { peakTotal: 80e6, peakLargest: 80e6, peakPss: 70e6, processes: 1, samples: 10 }, timeWait: 0, ...extra,
  };
}

test('summarize averages req/s, takes median latencies, sums errors and keeps failures', () => {
  const row = summarize([run('berth', 100), run('berth', 300, { p99: 8, socketErrors: 2, round: 1 }), { proxy: 'berth', scenario: 'small', round: 2, error: 'did not start\nmore' }], 'berth');
  assert.equal(row.rounds, 2);
  assert.equal(row.rps, 200);
  assert.equal(row.spread, 0.5);
  assert.equal(row.p99, 6);
  assert.equal(row.errors, 2);
  assert.equal(row.failure, 'round 3: did not start');
});

function tableOf(rowsByScenario) {
  return new Map(Object.entries(rowsByScenario).map(([id, rows]) => [id, new Map(rows.map((r) => [r.proxy, r]))]));
}

test('targets are met, missed or not measured from the numbers, never assumed', () => {
  const small = [summarize([run('berth', 25_000)], 'berth'), summarize([run('caddy', 12_000)], 'caddy'), summarize([run('haproxy', 45_000)], 'haproxy')];
  const verdicts = evaluateTargets(tableOf({ small }), { connections: 64, compile: { error: 'compile entry not built' } });
  const byTarget = new Map(verdicts.map((v) => [v.target, v]));
  assert.equal(byTarget.get('berth >= 2x caddy req/s (small responses)')?.status, 'met');
  assert.equal(byTarget.get('berth >= 0.6x haproxy req/s (small responses)')?.status, 'missed');
  assert.match(byTarget.get('berth >= 0.6x haproxy req/s (small responses)')?.result ?? '', /25,000 vs 45,000 req\/s = 0\.56x/);
  assert.equal(byTarget.get('berth-1proc >= 1.5x caddy req/s (small responses)')?.status, 'not measured');
  assert.equal(byTarget.get('compile + swap of a 10,000-router snapshot <= 200 ms')?.status, 'not measured');
  assert.equal(byTarget.get('no RSS growth across the WebSocket soak')?.status, 'not measured');
});

test('a ratio that misses by less than the rounding is shown with three decimals', () => {
  const small = [summarize([run('berth', 24_545)], 'berth'), summarize([run('haproxy', 41_046)], 'haproxy')];
  const verdict = evaluateTargets(tableOf({ small }), { connections: 64 }).find((v) => v.target === 'berth >= 0.6x haproxy req/s (small responses)');
  assert.equal(verdict?.status, 'missed');
  assert.match(verdict?.result ?? '', /= 0\.598x$/);
});

test('a reload run with errors, or whose change never served, misses the zero-failure target', () => {
  const reloads = { applied: 10, skipped: 0, failed: 0, lastError: '', slowestMs: 5 };
  const clean = summarize([run('berth', 20_000, { reloads, applyMs: 12 })], 'berth');
  const failing = summarize([run('berth-1proc', 20_000, { reloads, applyMs: 12, socketErrors: 3 })], 'berth-1proc');
  const verdicts = evaluateTargets(tableOf({ reload: [clean, failing] }), { connections: 64 });
  assert.equal(verdicts.find((v) => v.target.startsWith('berth: zero failed'))?.status, 'met');
  assert.equal(verdicts.find((v) => v.target.startsWith('berth-1proc: zero failed'))?.status, 'missed');
  const neverServed = summarize([run('berth', 20_000, { reloads, applyMs: 'the new router never served' })], 'berth');
  assert.equal(evaluateTargets(tableOf({ reload: [neverServed] }), { connections: 64 }).find((v) => v.target.startsWith('berth: zero failed'))?.status, 'missed');
});

test('a scenario table has one column per header cell, also for failed proxies', () => {
  const scenario = SCENARIOS.find((s) => s.id === 'reload');
  assert.ok(scenario);
  const ok = summarize([run('caddy', 10_000, { reloads: { applied: 5, skipped: 1, failed: 0, lastError: '', slowestMs: 30 }, applyMs: 4 })], 'caddy');
  const failed = summarize([{ proxy: 'berth', scenario: 'reload', round: 0, error: 'berth did not start serving' }], 'berth');
  const lines = scenarioTable(scenario, [failed, ok]).split('\n').filter((l) => l.startsWith('|'));
  const cells = lines.map((l) => l.split('|').length);
  assert.equal(new Set(cells).size, 1, lines.join('\n'));
  assert.match(lines.find((l) => l.startsWith('| caddy')) ?? '', /\| 1\.00x \|/);
});

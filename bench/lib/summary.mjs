// Folds the rounds of each (scenario, proxy) into one row, and the number formats the tables use.

/**
 * @typedef {object} Row one proxy in one scenario, over all its rounds
 * @property {string} proxy
 * @property {number} rounds successful rounds
 * @property {number} rps mean over rounds
 * @property {number} spread half the range of req/s over rounds, as a fraction of the mean
 * @property {number} p50 median over rounds, ms
 * @property {number} p99 median over rounds, ms
 * @property {number} requests completed in all measured rounds
 * @property {number} errors socket errors + non-2xx/3xx, summed
 * @property {string} errorDetail
 * @property {number} idleLargest bytes, the largest single process right after start
 * @property {number} idleTotal bytes, all its processes
 * @property {number} peakTotal bytes, all its processes, highest sample
 * @property {number} peakLargest bytes, the largest single process, highest sample
 * @property {number} peakPss bytes, PSS summed over all its processes (shared pages counted once), highest sample
 * @property {number} processes
 * @property {number} timeWait highest count of new TIME_WAIT sockets toward the backend in one run
 * @property {number | string | undefined} applyMs median time for a change to serve, or why it failed
 * @property {{ applied: number, skipped: number, failed: number, lastError: string, slowestMs: number } | undefined} reloads
 * @property {string | undefined} failure why a round failed (the row may still have other rounds)
 */

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? /** @type {number} */ (sorted[mid]) : (/** @type {number} */ (sorted[mid - 1]) + /** @type {number} */ (sorted[mid])) / 2;
}

/**
 * @param {Array<import('./measure.mjs').RunResult | { proxy: string, scenario: string, round: number, error: string }>} runs
 * @param {string} proxy
 * @returns {Row}
 */
export function summarize(runs, proxy) {
  const ok = /** @type {import('./measure.mjs').RunResult[]} */ (runs.filter((r) => !('error' in r)));
  const failed = runs.filter((r) => 'error' in r);
  const rpsList = ok.map((r) => r.rps);
  const mean = rpsList.reduce((a, b) => a + b, 0) / (rpsList.length || Number.NaN);
  const applies = ok.map((r) => r.applyMs).filter((a) => a !== undefined);
  const numericApplies = /** @type {number[]} */ (applies.filter((a) => typeof a === 'number'));
  const reloadList = ok.map((r) => r.reloads).filter((r) => r !== undefined);
  return {
    proxy,
    rounds: ok.length,
    rps: mean,
    spread: rpsList.length > 1 ? (Math.max(...rpsList) - Math.min(...rpsList)) / 2 / mean : 0,
    p50: median(ok.map((r) => r.p50)),
    p99: median(ok.map((r) => r.p99)),
    requests: ok.reduce((sum, r) => sum + r.requests, 0),
    errors: ok.reduce((sum, r) => sum + r.socketErrors + r.non2xx, 0),
    errorDetail: ok.filter((r) => r.socketErrors + r.non2xx > 0).map((r) => `round ${r.round + 1}: ${r.socketDetail}, non-2xx ${r.non2xx}`).join('; '),
    idleLargest: Math.max(0, ...ok.map((r) => r.idleRss.largest)),
    idleTotal: Math.max(0, ...ok.map((r) => r.idleRss.total)),
    peakTotal: Math.max(0, ...ok.map((r) => r.peakRss.peakTotal)),
    peakLargest: Math.max(0, ...ok.map((r) => r.peakRss.peakLargest)),
    peakPss: Math.max(0, ...ok.map((r) => r.peakRss.peakPss)),
    processes: Math.max(0, ...ok.map((r) => r.peakRss.processes)),
    timeWait: Math.max(0, ...ok.map((r) => r.timeWait)),
    applyMs: numericApplies.length > 0 ? median(numericApplies) : applies[0],
    reloads: reloadList.length === 0 ? undefined : reloadList.reduce((a, b) => ({
      applied: a.applied + b.applied, skipped: a.skipped + b.skipped, failed: a.failed + b.failed, lastError: b.lastError || a.lastError,
      slowestMs: Math.max(a.slowestMs, b.slowestMs),
    })),
    failure: failed.length > 0 ? failed.map((f) => `round ${f.round + 1}: ${f.error.split('\n')[0]}`).join('; ') : undefined,
  };
}

export const fmt = {
  int: (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–'),
  ms: (n) => (Number.isFinite(n) ? (n < 10 ? n.toFixed(2) : n.toFixed(1)) : '–'),
  mb: (bytes) => (Number.isFinite(bytes) && bytes > 0 ? (bytes / 1048576).toFixed(1) : '–'),
  ratio: (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : '–'),
  pct: (f) => (Number.isFinite(f) ? `${(f * 100).toFixed(0)}%` : '–'),
};

// wrk as the HTTP load generator: a Lua script that cycles through pre-formatted requests (one per Host, built
// once in init(), so the per-request Lua cost is one table lookup), and a parser for `wrk --latency` output.
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { spawnTracked } from './procs.mjs';

/**
 * Writes a wrk script sending GET `path` to each host of `hosts` in turn.
 * @returns {string} the script's path
 */
export function writeWrkScript(file, hosts, path) {
  const list = hosts.map((h) => JSON.stringify(h)).join(', ');
  writeFileSync(file, `local hosts = { ${list} }
local requests = {}
local n = 0
init = function(args)
  for i, h in ipairs(hosts) do
    requests[i] = wrk.format("GET", ${JSON.stringify(path)}, { ["Host"] = h })
  end
end
request = function()
  n = n % #requests + 1
  return requests[n]
end
`);
  return file;
}

const UNIT_MS = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function toMs(text) {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text);
  if (!match) return Number.NaN;
  return Number(match[1]) * UNIT_MS[/** @type {keyof typeof UNIT_MS} */ (match[2])];
}

/**
 * @typedef {object} WrkResult
 * @property {number} rps requests per second
 * @property {number} requests completed requests
 * @property {number} p50 ms
 * @property {number} p99 ms
 * @property {number} socketErrors connect + read + write + timeout
 * @property {string} socketDetail
 * @property {number} non2xx responses that were not 2xx or 3xx
 * @property {string} transfer wrk's Transfer/sec
 */

/**
 * Reads wrk's text report (run with --latency).
 * @param {string} out
 * @returns {WrkResult}
 */
export function parseWrk(out) {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const requests = Number(/(\d+) requests in /.exec(out)?.[1]);
  const pct = (p) => toMs(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(out)?.[1] ?? '');
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = sock ? sock.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  if (!Number.isFinite(rps) || !Number.isFinite(requests)) throw new Error(`cannot read wrk output:\n${out}`);
  return {
    rps,
    requests,
    p50: pct(50),
    p99: pct(99),
    socketErrors,
    socketDetail: sock ? `connect ${sock[1]}, read ${sock[2]}, write ${sock[3]}, timeout ${sock[4]}` : 'none',
    non2xx,
    transfer: /Transfer\/sec:\s+(\S+)/.exec(out)?.[1] ?? '',
  };
}

/**
 * Runs wrk to completion.
 * @param {{ url: string, script: string, seconds: number, connections: number, threads: number }} options
 * @returns {Promise<WrkResult>}
 */
export async function runWrk({ url, script, seconds, connections, threads }) {
  const args = ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '--latency', '--timeout', '5s', '-s', script, url];
  const entry = spawnTracked('wrk', 'wrk', args);
  // 'close' (not 'exit') so that all of stdout has been read.
  await once(entry.child, 'close');
  if (entry.exitCode !== 0) throw new Error(`wrk ${args.join(' ')} failed (${entry.exitCode ?? entry.signal}): ${entry.stderr}${entry.stdout}`);
  return parseWrk(entry.stdout);
}

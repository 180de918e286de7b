// One measurement: start a proxy with a scenario's configuration, take its idle RSS, warm it up, run the
// measured load while sampling RSS (and reloading, for the reload scenario), count the TIME_WAITs toward its
// backend, time a configuration change if asked, and stop it.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sampleRss, stopTracked, treeRss } from './procs.mjs';
import { newSince, pollUntil, timeWaitSockets } from './system.mjs';
import { DUMMY_HOST, WS_HOST } from './topology.mjs';
import { runWrk, writeWrkScript } from './wrk.mjs';
import { runWsLoad } from './ws-load.mjs';
import { servedThrough, startProxy } from './world.mjs';

/**
 * @typedef {object} LoadOptions
 * @property {number} seconds measured duration
 * @property {number} warmupSeconds
 * @property {number} connections
 * @property {number} threads wrk threads
 */

/**
 * @typedef {import('./wrk.mjs').WrkResult & {
 *   proxy: string, scenario: string, round: number, startupMs: number,
 *   idleRss: { total: number, largest: number, pss: number, processes: number },
 *   peakRss: { peakTotal: number, peakLargest: number, peakPss: number, processes: number, samples: number },
 *   timeWait: number, reloads?: { applied: number, skipped: number, failed: number, lastError: string, slowestMs: number },
 *   applyMs?: number | string
 * }} RunResult
 */

function runLoad(world, env, scenario, seconds, options) {
  if (scenario.load === 'ws') {
    return runWsLoad({ url: `ws://127.0.0.1:${env.port}/`, host: WS_HOST, connections: options.connections, warmupSeconds: 0, seconds, bytes: 64 });
  }
  const script = writeWrkScript(join(env.dir, `wrk-${scenario.id}.lua`), scenario.hosts, scenario.path);
  const url = `${scenario.config.tls ? 'https' : 'http'}://127.0.0.1:${env.port}/`;
  return runWrk({ url, script, seconds, connections: options.connections, threads: options.threads });
}

/**
 * Applies a change every 1000/hz ms while the load runs; a change still being applied makes the next tick skip
 * (counted), so a slow reloader is not buried under a queue.
 */
function startReloader(handle, config, hz) {
  const stats = { applied: 0, skipped: 0, failed: 0, lastError: '', slowestMs: 0 };
  let pending = false;
  let dummy = config.dummy;
  const timer = setInterval(() => {
    if (pending) { stats.skipped++; return; }
    pending = true;
    dummy = !dummy;
    const start = performance.now();
    handle.apply({ ...config, dummy }).then(
      () => { stats.applied++; stats.slowestMs = Math.max(stats.slowestMs, performance.now() - start); },
      (err) => { stats.failed++; stats.lastError = String(err?.message ?? err); },
    ).finally(() => { pending = false; });
  }, 1000 / hz);
  return async () => {
    clearInterval(timer);
    while (pending) await sleep(10);
    return stats;
  };
}

/**
 * Time from asking for a change (router reload.bench.test added) until a request to it is served, after making
 * sure it is absent first. Returns a reason string when the change never shows.
 */
async function measureApply(world, env, handle, config) {
  await handle.apply({ ...config, dummy: false });
  const gone = await pollUntil(async () => !(await servedThrough(world, env.port, config.tls, DUMMY_HOST)), { timeoutMs: 60_000, intervalMs: 20 });
  if (!gone.ok) return `the dummy router did not go away: ${gone.reason}`;
  const start = performance.now();
  await handle.apply({ ...config, dummy: true });
  const shown = await pollUntil(() => servedThrough(world, env.port, config.tls, DUMMY_HOST), { timeoutMs: 60_000, intervalMs: 5 });
  if (!shown.ok) return `the new router never served: ${shown.reason}`;
  return performance.now() - start;
}

/**
 * @param {import('./world.mjs').World} world
 * @param {import('./topology.mjs').ProxyAdapter} adapter
 * @param {import('./scenarios.mjs').Scenario} scenario
 * @param {number} round
 * @param {LoadOptions} options
 * @returns {Promise<RunResult>}
 */
export async function measure(world, adapter, scenario, round, options) {
  const { env, handle, startupMs } = await startProxy(world, adapter, scenario.config, scenario.startTimeoutMs);
  try {
    await sleep(1_000); // let start-up work (JIT, GC, worker forks) settle before calling the RSS idle
    const idleRss = treeRss(handle.entry.pid, true);
    const timeWaitBefore = timeWaitSockets([env.backendPort]);
    if (options.warmupSeconds > 0) await runLoad(world, env, scenario, options.warmupSeconds, options);
    const sampler = sampleRss(handle.entry.pid);
    const stopReloader = scenario.reloadHz ? startReloader(handle, scenario.config, scenario.reloadHz) : undefined;
    const load = await runLoad(world, env, scenario, options.seconds, options);
    const reloads = stopReloader ? await stopReloader() : undefined;
    const peakRss = sampler.stop();
    const timeWait = newSince(timeWaitBefore, timeWaitSockets([env.backendPort]));
    const applyMs = scenario.measureApply ? await measureApply(world, env, handle, scenario.config) : undefined;
    if (handle.entry.exited) throw new Error(`${adapter.name} exited during the run:\n${handle.entry.stderr.slice(-4000)}`);
    return { ...load, proxy: adapter.name, scenario: scenario.id, round, startupMs, idleRss, peakRss, timeWait, ...(reloads && { reloads }), ...(applyMs !== undefined && { applyMs }) };
  } finally {
    await stopTracked(handle.entry);
  }
}

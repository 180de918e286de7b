// WebSocket soak: waves of 1,000 WebSockets opened through a proxy, a few echoes each, all closed, a pause;
// repeated for --minutes while the proxy's RSS (all its processes) is sampled. A leak per connection shows as
// a rising floor: the RSS after each wave has closed (the "trough") keeps climbing.
//   node bench/soak.mjs [--minutes 5] [--proxy berth] [--wave 1000] [--messages 10]
// (npm run build first; `npm run bench` runs it for Berth after the scenarios.)
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { ADAPTERS } from './proxies/index.mjs';
import { installCleanup, stopAll, stopTracked, treeRss } from './lib/procs.mjs';
import { ensurePackages } from './lib/system.mjs';
import { WS_HOST } from './lib/topology.mjs';
import { createWorld, startProxy } from './lib/world.mjs';

const MB = 1048576;
const OPEN_CONCURRENCY = 200;

/** One WebSocket: open, `messages` echoes one after another, clean close. Resolves false on any failure. */
function oneSocket(port, messages) {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { Host: WS_HOST }, perMessageDeflate: false });
    let left = messages;
    let failed = false;
    socket.on('open', () => socket.send('soak'));
    socket.on('message', () => {
      left--;
      if (left > 0) socket.send('soak');
      else socket.close(1000);
    });
    socket.on('error', () => { failed = true; });
    socket.on('close', () => resolve(!failed && left === 0));
  });
}

/** Opens `count` WebSockets, at most OPEN_CONCURRENCY at a time; returns how many failed. */
async function wave(port, count, messages) {
  let next = 0;
  let failures = 0;
  const lane = async () => {
    while (next < count) {
      next++;
      if (!(await oneSocket(port, messages))) failures++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(OPEN_CONCURRENCY, count) }, lane));
  return failures;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? Number.NaN;
}

/**
 * @typedef {{ proxy: string, minutes: number, waves: number, sockets: number, failures: number, startMB: number,
 *   peakMB: number, endMB: number, growthMB: number, verdict: 'no growth' | 'growth' | 'too short to judge', troughsMB: number[] }} SoakResult
 */

/**
 * Runs the soak against an already prepared world.
 * @param {import('./lib/world.mjs').World} world
 * @param {import('./lib/topology.mjs').ProxyAdapter} adapter
 * @param {{ minutes: number, waveSize: number, messages: number, pauseSeconds?: number, sampleSeconds?: number, log?: (line: string) => void }} options
 * @returns {Promise<SoakResult>}
 */
export async function runSoak(world, adapter, { minutes, waveSize, messages, pauseSeconds = 2, sampleSeconds = 5, log = console.log }) {
  const { env, handle } = await startProxy(world, adapter, { routers: 10, tls: false, dummy: false }, 60_000);
  try {
    await sleep(1_000);
    const startMB = treeRss(handle.entry.pid).total / MB;
    let peakMB = startMB;
    const timer = setInterval(() => { peakMB = Math.max(peakMB, treeRss(handle.entry.pid).total / MB); }, sampleSeconds * 1000);
    const troughsMB = [];
    let failures = 0;
    const deadline = Date.now() + minutes * 60_000;
    try {
      while (Date.now() < deadline) {
        failures += await wave(env.port, waveSize, messages);
        if (handle.entry.exited) throw new Error(`${adapter.name} exited during the soak:\n${handle.entry.stderr.slice(-4000)}`);
        await sleep(pauseSeconds * 1000);
        const trough = treeRss(handle.entry.pid).total / MB;
        peakMB = Math.max(peakMB, trough);
        troughsMB.push(trough);
        log(`  soak wave ${troughsMB.length}: ${waveSize} WebSockets, ${failures} failed so far, RSS after close ${trough.toFixed(1)} MB`);
      }
    } finally {
      clearInterval(timer);
    }
    // The first wave warms pools, JIT and heap: growth is judged from wave 2 on, median of three against three.
    const judged = troughsMB.slice(1);
    const enough = judged.length >= 6;
    const growthMB = enough ? median(judged.slice(-3)) - median(judged.slice(0, 3)) : Number.NaN;
    const base = enough ? median(judged.slice(0, 3)) : Number.NaN;
    const verdict = !enough ? 'too short to judge' : growthMB <= Math.max(10, 0.1 * base) ? 'no growth' : 'growth';
    return {
      proxy: adapter.name, minutes, waves: troughsMB.length, sockets: troughsMB.length * waveSize, failures,
      startMB, peakMB, endMB: troughsMB.at(-1) ?? startMB, growthMB, verdict, troughsMB,
    };
  } finally {
    await stopTracked(handle.entry);
  }
}

/** A paragraph for RESULTS.md. @param {SoakResult} r */
export function soakMarkdown(r) {
  return `${r.proxy}, ${r.minutes} min: ${r.waves} waves of ${r.sockets / Math.max(1, r.waves)} WebSockets (${r.sockets} in all, ${r.failures} failed), ` +
    `RSS of all processes: start ${r.startMB.toFixed(1)} MB, peak ${r.peakMB.toFixed(1)} MB, end ${r.endMB.toFixed(1)} MB. ` +
    `Growth from waves 2-4 to the last three waves (medians of the RSS after each wave closed): ` +
    `${Number.isFinite(r.growthMB) ? `${r.growthMB.toFixed(1)} MB` : 'n/a'} — **${r.verdict}** (threshold: 10 MB or 10%, whichever is larger).\n\n` +
    `RSS after each wave (MB): ${r.troughsMB.map((t) => t.toFixed(0)).join(', ')}`;
}

async function main() {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '5' },
      proxy: { type: 'string', default: 'berth' },
      wave: { type: 'string', default: '1000' },
      messages: { type: 'string', default: '10' },
    },
  });
  const adapter = ADAPTERS.find((a) => a.name === values.proxy);
  if (!adapter) throw new Error(`unknown proxy ${values.proxy}; known: ${ADAPTERS.map((a) => a.name).join(', ')}`);
  ensurePackages(['nginx', 'openssl', ...adapter.binaries]);
  installCleanup();
  const repoRoot = fileURLToPath(new URL('..', import.meta.url));
  const world = await createWorld(repoRoot, [adapter.name]);
  const result = await runSoak(world, adapter, { minutes: Number(values.minutes), waveSize: Number(values.wave), messages: Number(values.messages) });
  console.log(`\n${soakMarkdown(result)}`);
  await stopAll();
  process.exit(result.verdict === 'growth' || result.failures > 0 ? 1 : 0);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch(async (err) => {
    console.error(err instanceof Error ? err.message : err);
    await stopAll();
    process.exit(1);
  });
}

// Side-by-side benchmark of Berth, nginx, HAProxy and Caddy on loopback (see bench/README.md).
//   npm run bench -- [--quick] [--duration 10] [--warmup 3] [--rounds 2] [--connections 64] [--threads 1]
//                    [--only small,https] [--proxies berth,berth-1proc,nginx,haproxy,caddy]
//                    [--soak-minutes 5] [--output bench/RESULTS.md] [--no-write]
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ADAPTERS } from './proxies/index.mjs';
import { measure } from './lib/measure.mjs';
import { installCleanup, stopAll } from './lib/procs.mjs';
import { resultsMarkdown, scenarioTable } from './lib/report.mjs';
import { selectScenarios } from './lib/scenarios.mjs';
import { fmt, summarize } from './lib/summary.mjs';
import { ensurePackages, machineInfo, toolVersions } from './lib/system.mjs';
import { evaluateTargets } from './lib/targets.mjs';
import { createWorld } from './lib/world.mjs';
import { compileMarkdown } from './reload.mjs';
import { runSoak, soakMarkdown } from './soak.mjs';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

function readOptions() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      connections: { type: 'string', default: '64' },
      threads: { type: 'string', default: '1' },
      only: { type: 'string', default: '' },
      proxies: { type: 'string', default: ADAPTERS.map((a) => a.name).join(',') },
      'soak-minutes': { type: 'string' },
      output: { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 4).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
    process.exit(0);
  }
  const quick = values.quick;
  const num = (text, fallback, name) => {
    const n = Number(text ?? fallback);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} wants a number >= 0, got ${text}`);
    return n;
  };
  const names = values.proxies.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !ADAPTERS.some((a) => a.name === n));
  if (unknown.length > 0) throw new Error(`unknown proxy ${unknown.join(', ')}; known: ${ADAPTERS.map((a) => a.name).join(', ')}`);
  return {
    quick,
    seconds: num(values.duration, quick ? 3 : 10, 'duration'),
    warmupSeconds: num(values.warmup, quick ? 1 : 3, 'warmup'),
    rounds: Math.max(1, Math.round(num(values.rounds, quick ? 1 : 2, 'rounds'))),
    connections: Math.max(1, Math.round(num(values.connections, 64, 'connections'))),
    threads: Math.max(1, Math.round(num(values.threads, 1, 'threads'))),
    scenarios: selectScenarios(values.only.split(',').map((s) => s.trim()).filter(Boolean)),
    adapters: ADAPTERS.filter((a) => names.includes(a.name)),
    soakMinutes: num(values['soak-minutes'], quick ? 0 : 5, 'soak-minutes'),
    output: values.output ?? join(repoRoot, quick ? 'bench/.work/RESULTS-quick.md' : 'bench/RESULTS.md'),
    write: !values['no-write'],
  };
}

function berthVersion() {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  let rev = '';
  try {
    rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: repoRoot, encoding: 'utf8' }).trim() !== '';
    rev = ` (${rev}${dirty ? ', src modified' : ''})`;
  } catch { /* not a git checkout */ }
  return `${pkg.version}${rev}`;
}

/** Runs bench/reload.mjs in a fresh Node process, so the orchestrator's heap does not colour the timing. */
function compileSwap() {
  const result = spawnSync(process.execPath, [join(repoRoot, 'bench/reload.mjs'), '--json'], { encoding: 'utf8', timeout: 300_000 });
  const line = result.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line);
  } catch {
    return { error: `bench/reload.mjs failed (${result.status ?? result.signal}): ${(result.stderr || result.stdout).trim().split('\n').slice(0, 3).join(' ')}` };
  }
}

function progress(scenario, round, rounds, r) {
  const unit = scenario.load === 'ws' ? 'msg/s' : 'req/s';
  return `[${scenario.id} ${round + 1}/${rounds}] ${r.proxy}: ${fmt.int(r.rps)} ${unit}, p50 ${fmt.ms(r.p50)} ms, p99 ${fmt.ms(r.p99)} ms, ` +
    `errors ${r.socketErrors + r.non2xx}, idle ${fmt.mb(r.idleRss.largest)} MB/proc, peak ${fmt.mb(r.peakRss.peakTotal)} MB (${r.peakRss.processes} procs), ` +
    `TIME_WAIT ${r.timeWait}${r.reloads ? `, reloads ${r.reloads.applied} (+${r.reloads.skipped} skipped, slowest ${fmt.ms(r.reloads.slowestMs)} ms)` : ''}` +
    `${r.applyMs !== undefined ? `, change served in ${typeof r.applyMs === 'number' ? `${fmt.ms(r.applyMs)} ms` : r.applyMs}` : ''}`;
}

async function main() {
  const options = readOptions();
  const started = Date.now();
  ensurePackages(['wrk', 'openssl', 'ss', 'nginx', ...options.adapters.flatMap((a) => a.binaries)]);
  installCleanup();
  const loadAtStart = loadavg()[0] ?? 0;
  const world = await createWorld(repoRoot, options.adapters.map((a) => a.name));
  const runCount = options.scenarios.length * options.adapters.length * options.rounds;
  // About 3 s per run besides warm-up and load (start-up, settling, stop; measured), plus the soak.
  const etaMinutes = (runCount * (options.warmupSeconds + options.seconds + 3)) / 60 + options.soakMinutes;
  console.log(`backends up; work files in ${relative(process.cwd(), world.workDir) || '.'}; ${options.scenarios.length} scenario(s) x ` +
    `${options.adapters.length} prox(ies) x ${options.rounds} round(s): about ${Math.ceil(etaMinutes)} min`);
  if (loadAtStart > world.cores / 2) {
    console.warn(`note: load average is ${loadAtStart.toFixed(1)} on ${world.cores} cores before starting; other work on this machine makes the numbers noisier`);
  }

  /** @type {Map<string, Map<string, import('./lib/summary.mjs').Row>>} */
  const table = new Map();
  const tables = [];
  let failures = 0;
  for (const scenario of options.scenarios) {
    /** @type {Map<string, any[]>} */
    const runs = new Map(options.adapters.map((a) => [a.name, []]));
    // A proxy that failed in this scenario (most often: it did not start with its configuration) is not retried.
    const broken = new Set();
    for (let round = 0; round < options.rounds; round++) {
      // Rotate the order each round so no proxy always runs first (cold caches) or last (warm machine).
      const order = options.adapters.map((_, i) => options.adapters[(i + round) % options.adapters.length]);
      for (const adapter of order) {
        if (broken.has(adapter.name)) continue;
        try {
          const result = await measure(world, adapter, scenario, round, options);
          runs.get(adapter.name)?.push(result);
          console.log(progress(scenario, round, options.rounds, result));
        } catch (err) {
          failures++;
          broken.add(adapter.name);
          const message = err instanceof Error ? err.message : String(err);
          runs.get(adapter.name)?.push({ proxy: adapter.name, scenario: scenario.id, round, error: message });
          console.error(`[${scenario.id} ${round + 1}/${options.rounds}] ${adapter.name} FAILED: ${message}`);
        }
      }
    }
    const rows = options.adapters.map((a) => summarize(runs.get(a.name) ?? [], a.name));
    table.set(scenario.id, new Map(rows.map((r) => [r.proxy, r])));
    tables.push(scenarioTable(scenario, rows));
    console.log(`\n${tables.at(-1)}`);
  }

  const hasBerth = options.adapters.some((a) => a.name.startsWith('berth'));
  const compile = hasBerth ? compileSwap() : undefined;
  if (compile) console.log(`compile + swap: ${compileMarkdown(compile)}`);
  const soakAdapter = options.adapters.find((a) => a.name === 'berth');
  let soak;
  if (soakAdapter && options.soakMinutes > 0) {
    console.log(`WebSocket soak through berth for ${options.soakMinutes} min...`);
    try {
      soak = await runSoak(world, soakAdapter, { minutes: options.soakMinutes, waveSize: 1000, messages: 10 });
    } catch (err) {
      failures++;
      soak = { error: err instanceof Error ? err.message : String(err) };
    }
  }
  await stopAll();

  const verdicts = evaluateTargets(table, { soak, compile, connections: options.connections });
  const markdown = resultsMarkdown({
    date: new Date(),
    machine: { ...machineInfo(), loadAtStart },
    versions: toolVersions(),
    berthVersion: berthVersion(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    options,
    adapters: options.adapters,
    verdicts,
    tables,
    soakText: soak === undefined ? 'Not run (it runs for the `berth` proxy when --soak-minutes > 0).' : 'error' in soak ? `Failed: ${soak.error}` : soakMarkdown(soak),
    compileText: compile === undefined ? 'Not run (no Berth proxy selected).' : compileMarkdown(compile),
    elapsedSeconds: (Date.now() - started) / 1000,
  });
  console.log(`\n${markdown}`);
  if (options.write) {
    writeFileSync(options.output, markdown);
    console.log(`written to ${relative(process.cwd(), options.output)}`);
  }
  process.exit(failures > 0 ? 1 : 0);
}

main().catch(async (err) => {
  console.error(err instanceof Error ? err.message : err);
  await stopAll();
  process.exit(1);
});

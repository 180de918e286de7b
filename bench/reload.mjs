// Compile + swap of a 10,000-router snapshot, measured in-process against Berth's compiled modules in dist/:
// the time from a new Snapshot to its RuntimeGraph being the one new requests use (ARCHITECTURE.md,
// convention 2: compile, then one reference assignment).
//   npm run build && node bench/reload.mjs [--routers 10000] [--iterations 10] [--json]
// If Berth's compile entry is not built yet, it says so and exits 1: it never prints a number it did not measure.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * Where Berth's snapshot compiler lives in the build output and under which export. This, and
 * compileAndSwap() below, are the only places that know Berth's compile API.
 */
export const COMPILE_ENTRY = { module: 'dist/src/runtime/compile/compile.js', exportName: 'compile' };

async function importDist(relative) {
  const file = join(repoRoot, relative);
  if (!existsSync(file)) return undefined;
  return import(pathToFileURL(file).href);
}

/**
 * Loads Berth's compile() and the modules around it, or says what is missing.
 * @returns {Promise<{ ok: true, compile: Function, HandlerSwitcher: any, deepFreeze: Function, loadStaticConfig: Function, compileOptions: Function } | { ok: false, error: string }>}
 */
export async function loadBerthCompiler() {
  const compileModule = await importDist(COMPILE_ENTRY.module);
  if (compileModule === undefined) {
    return { ok: false, error: `Berth's compile entry ${COMPILE_ENTRY.module} is not built (run npm run build); nothing was measured` };
  }
  const compile = compileModule[COMPILE_ENTRY.exportName];
  if (typeof compile !== 'function') return { ok: false, error: `${COMPILE_ENTRY.module} has no function export "${COMPILE_ENTRY.exportName}"; nothing was measured` };
  const [switcher, freeze, staticLoad, fromStatic, services, logging, fileParse, merge] = await Promise.all([
    'dist/src/entrypoints/handler-switcher.js', 'dist/src/util/deep-freeze.js', 'dist/src/config/static/load.js',
    'dist/src/runtime/compile/from-static.js', 'dist/src/runtime/services/index.js', 'dist/src/observability/logger.js',
    'dist/src/providers/file/parse.js', 'dist/src/watcher/merge.js',
  ].map(importDist));
  if (!switcher || !freeze || !staticLoad || !fromStatic || !services || !logging || !fileParse || !merge) return { ok: false, error: 'dist/ lacks a module compile() needs; run npm run build' };
  /** compile()'s options as the process wiring builds them: the real forwarder, pools and server states. */
  const compileOptions = (config) => {
    const logger = logging.silentLogger();
    const forwarder = services.createForwarder('http1', { policy: services.createForwardedHeadersPolicy(), upgrades: new services.UpgradeTracker(), logger });
    return {
      logger,
      entryPoints: fromStatic.compileEntryPointsFrom(config),
      defaultTransport: fromStatic.defaultTransportFrom(config),
      internal: new Map(),
      services: { forwarder, transports: new services.TransportRegistry(), servers: new services.ServerStateRegistry(), logger },
    };
  };
  return { ok: true, compile, HandlerSwitcher: switcher.HandlerSwitcher, deepFreeze: freeze.deepFreeze, loadStaticConfig: staticLoad.loadStaticConfig, compileOptions,
    parseDynamicFiles: fileParse.parseDynamicFiles, mergeProviders: merge.mergeProviders };
}

/**
 * Compiles `snapshot` into a RuntimeGraph, makes it current and closes the one it replaced, as the process
 * wiring does on each snapshot.
 */
export function compileAndSwap(compile, snapshot, options, switcher) {
  const previous = switcher.current;
  const graph = compile(snapshot, options);
  switcher.set(graph);
  previous?.close();
  return graph;
}

/** The static configuration the benchmark's Berth runs with, through Berth's own loader. */
function benchStaticConfig(loadStaticConfig) {
  const yaml = 'entryPoints:\n  web:\n    address: "127.0.0.1:8080"\nproviders:\n  file:\n    filename: /bench/dynamic.yml\nlog:\n  level: ERROR\n';
  const result = loadStaticConfig({ argv: ['--configFile=/bench/berth.yml'], env: {}, cwd: '/', readFile: (p) => (p === '/bench/berth.yml' ? yaml : undefined) });
  if (!result.ok) throw new Error(`static configuration rejected: ${JSON.stringify(result.issues)}`);
  return result.config;
}

/**
 * The snapshot the file provider would publish for bench/proxies/berth.mjs's dynamic file, made by the same
 * code: the YAML decoded by the file provider's parser (defaults applied), merged and qualified by the
 * watcher's merge. `routers` Host routers to one service; `extra` adds one, so consecutive snapshots differ.
 */
function benchSnapshot(berth, routers, generation, extra) {
  const lines = ['http:', '  routers:'];
  for (let i = 0; i < routers + (extra ? 1 : 0); i++) lines.push(`    h${i}:`, `      rule: "Host(\`h${i}.bench.test\`)"`, '      service: app');
  lines.push('  services:', '    app:', '      loadBalancer:', '        servers:', '          - url: "http://127.0.0.1:9"');
  const parsed = berth.parseDynamicFiles([{ name: '/bench/dynamic.yml', text: lines.join('\n') }]);
  if (parsed.config === undefined || parsed.issues.length > 0) throw new Error(`bench dynamic file rejected: ${JSON.stringify(parsed.issues)}`);
  const merged = berth.mergeProviders(new Map([['file', { config: parsed.config, issues: [], origins: parsed.origins }]]));
  return berth.deepFreeze({ generation, createdAt: Date.now(), config: merged.config, issues: merged.issues, origins: merged.origins, providers: ['file'] });
}

/**
 * Measures compile + swap `iterations` times after one cold run.
 * @returns {Promise<{ routers: number, firstMs: number, medianMs: number, maxMs: number, samplesMs: number[] } | { error: string }>}
 */
export async function measureCompileSwap({ routers = 10_000, iterations = 10 } = {}) {
  const berth = await loadBerthCompiler();
  if (!berth.ok) return { error: berth.error };
  const options = berth.compileOptions(benchStaticConfig(berth.loadStaticConfig));
  const switcher = new berth.HandlerSwitcher();
  const snapshots = [benchSnapshot(berth, routers, 1, false), benchSnapshot(berth, routers, 2, true)];
  const samplesMs = [];
  for (let i = 0; i <= iterations; i++) {
    const snapshot = snapshots[i % 2];
    const start = performance.now();
    compileAndSwap(berth.compile, snapshot, options, switcher);
    samplesMs.push(performance.now() - start);
    if (switcher.current === undefined) return { error: 'compileAndSwap() left no current routing table; nothing was measured' };
  }
  const firstMs = /** @type {number} */ (samplesMs[0]);
  const warm = samplesMs.slice(1).sort((a, b) => a - b);
  return { routers, firstMs, medianMs: warm[warm.length >> 1] ?? firstMs, maxMs: warm.at(-1) ?? firstMs, samplesMs };
}

/** A paragraph for RESULTS.md. */
export function compileMarkdown(result) {
  if ('error' in result) return `Not measured: ${result.error}.`;
  return `${result.routers.toLocaleString('en-US')} Host routers, compiled in-process from a frozen Snapshot and swapped into a HandlerSwitcher: ` +
    `median ${result.medianMs.toFixed(1)} ms, worst ${result.maxMs.toFixed(1)} ms over ${result.samplesMs.length - 1} runs; ` +
    `first (cold) run ${result.firstMs.toFixed(1)} ms.`;
}

async function main() {
  const { values } = parseArgs({ options: { routers: { type: 'string', default: '10000' }, iterations: { type: 'string', default: '10' }, json: { type: 'boolean', default: false } } });
  const result = await measureCompileSwap({ routers: Number(values.routers), iterations: Number(values.iterations) });
  console.log(values.json ? JSON.stringify(result) : compileMarkdown(result));
  process.exit('error' in result ? 1 : 0);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(`compile + swap failed: ${err instanceof Error ? err.stack : err}`);
    process.exit(1);
  });
}

import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { bootstrap, type Berth } from '../../src/bootstrap.js';
import { readTextFile } from '../../src/cli/read-file.js';
import { loadStaticConfig, type StaticConfig } from '../../src/config/static/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { waitFor } from './wait-for.js';

export interface StartBerthOptions {
  /**
   * The static configuration as YAML text, loaded by `loadStaticConfig` like a `berth.yml`. Entrypoints should
   * listen on `127.0.0.1:0`. The file provider is added (watching a fresh temporary directory) by flags.
   */
  readonly staticYaml: string;
  /** Dynamic files written to the watched directory before start: name -> YAML text. */
  readonly dynamic?: Readonly<Record<string, string>>;
  /**
   * `providers.providersThrottleDuration` as a flag, '0s' unless given; `'config'` keeps the YAML's value (or
   * Traefik's default of 2 s when the YAML has none).
   */
  readonly throttle?: string;
  /** Extra static flags (`--accessLog.filePath=...`). */
  readonly flags?: readonly string[];
  /** The environment providers see (file templates); empty unless given. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Collects what is written to a stream, line by line. */
function lineCollector(): { stream: PassThrough; lines: string[] } {
  const lines: string[] = [];
  const stream = new PassThrough();
  let partial = '';
  stream.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  });
  return { stream, lines };
}

/** A Berth started in this process by `bootstrap()`, with its dynamic directory and captured logs. */
export interface StartedBerth {
  readonly berth: Berth;
  readonly config: StaticConfig;
  /** The directory the file provider watches. */
  readonly dir: string;
  /** Every JSON log line written so far, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  /** Access log lines written to "standard output" (an accessLog without filePath). */
  readonly accessLines: string[];
  /** The port an entrypoint actually bound. */
  port(entryPoint: string): number;
  /** `http://127.0.0.1:<port of entryPoint><path>` */
  url(entryPoint: string, path?: string): string;
  /** Writes a dynamic file atomically (write to a hidden temp name, then rename), as editors and kubelet do. */
  writeDynamic(name: string, yaml: string): Promise<void>;
  removeDynamic(name: string): Promise<void>;
  /** Waits until the serving graph's generation is above `generation`; returns the new generation. */
  nextGeneration(generation: number, timeoutMs?: number): Promise<number>;
  /** The generation serving now (0 before the first snapshot). */
  generation(): number;
  /** Graceful shutdown, then removes the dynamic directory. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts the real system in-process: the static configuration from YAML text through `loadStaticConfig`, then
 * `bootstrap()` with the file provider watching a temporary directory. Logs are JSON at DEBUG into memory.
 */
export async function startBerth(options: StartBerthOptions): Promise<StartedBerth> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-it-'));
  for (const [name, yaml] of Object.entries(options.dynamic ?? {})) await writeFile(join(dir, name), yaml);
  // Never written to disk: readFile below answers for this path.
  const configPath = `${dir}.berth.yml`;
  const argv = [
    `--configFile=${configPath}`,
    `--providers.file.directory=${dir}`,
    ...(options.throttle === 'config' ? [] : [`--providers.providersThrottleDuration=${options.throttle ?? '0s'}`]),
    ...(options.flags ?? []),
  ];
  const loaded = loadStaticConfig({
    argv,
    env: {},
    cwd: dir,
    readFile: (path) => (path === configPath ? options.staticYaml : readTextFile(path)),
  });
  if (!loaded.ok) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`static configuration rejected:\n${loaded.issues.map((i) => `${i.where}: ${i.message}`).join('\n')}`);
  }

  const logs: Array<Record<string, unknown>> = [];
  const sink = lineCollector();
  sink.stream.on('data', () => {
    while (logs.length < sink.lines.length) logs.push(JSON.parse(sink.lines[logs.length] as string) as Record<string, unknown>);
  });
  const logger = createLogger({ level: 'debug', format: 'json', destination: sink.stream });
  const access = lineCollector();

  let berth: Berth;
  try {
    berth = await bootstrap(loaded.config, { logger, env: options.env ?? {}, accessLogStdout: access.stream });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  let closing: Promise<void> | undefined;
  let counter = 0;
  const started: StartedBerth = {
    berth,
    config: loaded.config,
    dir,
    logs,
    accessLines: access.lines,
    port(entryPoint) {
      const ep = berth.entryPoints.get(entryPoint);
      if (ep === undefined) throw new Error(`no entryPoint ${entryPoint}`);
      return ep.port;
    },
    url: (entryPoint, path = '/') => `http://127.0.0.1:${started.port(entryPoint)}${path}`,
    async writeDynamic(name, yaml) {
      const temp = join(dir, `.${name}.${++counter}.tmp`);
      await writeFile(temp, yaml);
      await rename(temp, join(dir, name));
    },
    removeDynamic: (name) => rm(join(dir, name), { force: true }),
    generation: () => berth.current()?.generation ?? 0,
    nextGeneration: (generation, timeoutMs = 5000) =>
      waitFor(() => (started.generation() > generation ? started.generation() : 0), timeoutMs, `a configuration generation after ${generation}`),
    close() {
      closing ??= (async () => {
        await berth.close();
        await rm(dir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
  return started;
}

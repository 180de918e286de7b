import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { cleanEnv, spawnCollected } from './spawned-berth.js';
import { waitFor } from './wait-for.js';


export interface BerthProcessOptions {
  /**
   * The static configuration, written to `<dir>/berth.yml`. `log` defaults to JSON at INFO so that `entries()`
   * can read it; `workers` defaults to 0 (one process).
   */
  readonly config: Record<string, unknown>;
  /** Files to write under `dir` before starting (dynamic configuration, certificates), by relative path. */
  readonly files?: Readonly<Record<string, string>>;
  /** Extra environment; BERTH_* and TRAEFIK_* variables of the test process are never passed on. */
  readonly env?: Readonly<Record<string, string>>;
  /** The working directory (a new temporary one when absent); restart in the same one to keep acme.json. */
  readonly dir?: string;
  /** How long start-up may take before `startBerth` fails (default 20 s). */
  readonly readyTimeoutMs?: number;
}

export interface BerthProcess {
  readonly pid: number;
  readonly dir: string;
  /** Everything the process printed so far (standard output and error). */
  logs(): string;
  /** The JSON log lines parsed (lines that are not JSON are skipped). */
  entries(): Array<Record<string, unknown>>;
  /** Waits for a log entry whose message matches `pattern` (and every field of `fields`), beyond the first `skip`. */
  waitForLog(pattern: RegExp, options?: { timeoutMs?: number; fields?: Record<string, unknown>; skip?: number }): Promise<Record<string, unknown>>;
  /** Writes a file under `dir` (to edit dynamic configuration while Berth runs). */
  write(path: string, content: string): Promise<void>;
  /** SIGTERM, then waits for the exit; SIGKILL after `timeoutMs`. Resolves the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
}

async function writeUnder(dir: string, path: string, content: string): Promise<void> {
  const target = join(dir, path);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, content);
}

/**
 * Starts the real `berth` (`node dist/src/main.js --configFile=<dir>/berth.yml`) and resolves once it logged
 * "berth started" (listeners open, first configuration applied). Fails with the process output if it exits
 * first or takes too long.
 */
export async function startBerth(options: BerthProcessOptions): Promise<BerthProcess> {
  const dir = options.dir ?? await mkdtemp(join(tmpdir(), 'berth-e2e-'));
  const config = { log: { level: 'INFO', format: 'json' }, workers: 0, ...options.config };
  await writeUnder(dir, 'berth.yml', stringify(config));
  for (const [path, content] of Object.entries(options.files ?? {})) await writeUnder(dir, path, content);

  const spawned = spawnCollected([`--configFile=${join(dir, 'berth.yml')}`], { cwd: dir, env: { ...cleanEnv({ keepDockerHost: true }), ...(options.env ?? {}) } });
  const logs = (): string => spawned.lines.join('\n');
  const matching = (pattern: RegExp, fields: Record<string, unknown>): Array<Record<string, unknown>> =>
    spawned.entries().filter((entry) => pattern.test(String(entry['msg'] ?? '')) && Object.entries(fields).every(([key, value]) => JSON.stringify(entry[key]) === JSON.stringify(value)));

  const berth: BerthProcess = {
    pid: spawned.child.pid ?? 0,
    dir,
    logs,
    entries: () => spawned.entries(),
    async waitForLog(pattern, { timeoutMs = 20_000, fields = {}, skip = 0 } = {}) {
      return waitFor(() => {
        if (spawned.gone()) throw new Error('berth exited');
        return matching(pattern, fields)[skip];
      }, timeoutMs, `berth log ${pattern} ${JSON.stringify(fields)}`).catch((err: unknown) => {
        throw new Error(`${(err as Error).message}\n--- berth output ---\n${logs().slice(-4000)}`);
      });
    },
    write: (path, content) => writeUnder(dir, path, content),
    stop: (timeoutMs = 15_000) => spawned.stop(timeoutMs),
  };
  try {
    await berth.waitForLog(/^berth started$/, { timeoutMs: options.readyTimeoutMs ?? 20_000 });
  } catch (err) {
    await berth.stop();
    throw err;
  }
  return berth;
}

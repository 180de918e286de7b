import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { waitFor } from './wait-for.js';

/** The compiled `berth` command (dist/src/main.js), next to this helper's compiled location. */
export const BERTH_MAIN = fileURLToPath(new URL('../../src/main.js', import.meta.url));

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

function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith('BERTH_') && !name.startsWith('TRAEFIK_')) env[name] = value;
  }
  return env;
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

  const output: string[] = [];
  const child: ChildProcess = spawn(process.execPath, [BERTH_MAIN, `--configFile=${join(dir, 'berth.yml')}`], {
    cwd: dir,
    env: { ...inheritedEnv(), ...(options.env ?? {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => { gone = true; });

  const logs = (): string => output.join('');
  const entries = (): Array<Record<string, unknown>> => logs().split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
  const matching = (pattern: RegExp, fields: Record<string, unknown>): Array<Record<string, unknown>> =>
    entries().filter((entry) => pattern.test(String(entry['msg'] ?? '')) && Object.entries(fields).every(([key, value]) => JSON.stringify(entry[key]) === JSON.stringify(value)));

  const berth: BerthProcess = {
    pid: child.pid ?? 0,
    dir,
    logs,
    entries,
    async waitForLog(pattern, { timeoutMs = 20_000, fields = {}, skip = 0 } = {}) {
      return waitFor(() => {
        if (gone) throw new Error('berth exited');
        return matching(pattern, fields)[skip];
      }, timeoutMs, `berth log ${pattern} ${JSON.stringify(fields)}`).catch((err: unknown) => {
        throw new Error(`${(err as Error).message}\n--- berth output ---\n${logs().slice(-4000)}`);
      });
    },
    write: (path, content) => writeUnder(dir, path, content),
    async stop(timeoutMs = 15_000) {
      if (!gone) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        const code = await exited;
        clearTimeout(timer);
        return code;
      }
      return exited;
    },
  };
  try {
    await berth.waitForLog(/^berth started$/, { timeoutMs: options.readyTimeoutMs ?? 20_000 });
  } catch (err) {
    await berth.stop();
    throw err;
  }
  return berth;
}

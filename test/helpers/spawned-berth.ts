import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The compiled `berth` command (dist/src/main.js), next to this helper's compiled location. */
export const BERTH_MAIN = fileURLToPath(new URL('../../src/main.js', import.meta.url));

/** How the process ended, and when (Date.now()). */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly at: number;
}

/** A real `berth` process with its output collected line by line: the one place tests spawn Berth. */
export interface SpawnedProcess {
  readonly child: ChildProcess;
  /** Standard output and error, line by line, in arrival order. */
  readonly lines: string[];
  readonly exited: Promise<Exit>;
  /** True once the process has exited. */
  gone(): boolean;
  /** The lines that are JSON log entries, parsed. */
  entries(): Array<Record<string, unknown>>;
  /** SIGTERM, then waits for the exit; SIGKILL after `timeoutMs`. Resolves the exit code. */
  stop(timeoutMs: number): Promise<number | null>;
}

/**
 * The test runner's environment without what would configure Berth behind the test's back: BERTH_* and TRAEFIK_*
 * (static configuration) and, unless `keepDockerHost`, DOCKER_HOST.
 */
export function cleanEnv(options: { readonly keepDockerHost?: boolean } = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || name.startsWith('BERTH_') || name.startsWith('TRAEFIK_')) continue;
    if (name === 'DOCKER_HOST' && options.keepDockerHost !== true) continue;
    env[name] = value;
  }
  return env;
}

/** Spawns `node dist/src/main.js ...args` and collects its output. */
export function spawnCollected(args: readonly string[], options: { readonly cwd?: string; readonly env: Readonly<Record<string, string>> }): SpawnedProcess {
  const child = spawn(process.execPath, [BERTH_MAIN, ...args], {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts.filter((line) => line.trim() !== ''));
    });
  }
  let ended = false;
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      ended = true;
      resolve({ code, signal, at: Date.now() });
    });
  });
  return {
    child,
    lines,
    exited,
    gone: () => ended,
    entries: () => lines.flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    }),
    async stop(timeoutMs) {
      if (!ended) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        const exit = await exited;
        clearTimeout(timer);
        return exit.code;
      }
      return (await exited).code;
    },
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../helpers/wait-for.js';

/** The compiled CLI (this file runs from dist/test/e2e/). */
export const MAIN = fileURLToPath(new URL('../../src/main.js', import.meta.url));

/** A `node dist/src/main.js` child process with its output collected. */
export interface SpawnedBerth {
  readonly child: ChildProcess;
  /** Standard output and error, line by line, in arrival order. */
  readonly lines: string[];
  /** Resolves when the process exits, with its code and the time it did (Date.now()). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** The port an entrypoint bound, read from its "entryPoint <name> listening" log line (JSON or common). */
  port(entryPoint: string, timeoutMs?: number): Promise<number>;
  /** Kills the process if it still runs (test clean-up). */
  kill(): void;
}

/**
 * Spawns Berth with `args` in `cwd`. The environment is exactly `env` plus PATH, so that no BERTH_ / TRAEFIK_
 * variable or DOCKER_HOST of the test runner leaks into it.
 */
export function spawnBerth(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): SpawnedBerth {
  const child = spawn(process.execPath, [MAIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() }));
  });
  return {
    child,
    lines,
    exited,
    port: (entryPoint, timeoutMs = 10_000) => waitFor(() => listeningPort(lines, entryPoint), timeoutMs, `entryPoint ${entryPoint} to listen (output so far:\n${lines.join('\n')})`),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

function listeningPort(lines: readonly string[], entryPoint: string): number | undefined {
  for (const line of lines) {
    if (!line.includes(`entryPoint ${entryPoint} listening`)) continue;
    const port = /"port":(\d+)|port=(\d+)/.exec(line);
    if (port !== null) return Number(port[1] ?? port[2]);
  }
  return undefined;
}

import type { ChildProcess } from 'node:child_process';
import { spawnCollected, type Exit } from '../helpers/spawned-berth.js';
import { waitFor } from '../helpers/wait-for.js';

/** A `node dist/src/main.js` child process with its output collected. */
export interface SpawnedBerth {
  readonly child: ChildProcess;
  /** Standard output and error, line by line, in arrival order. */
  readonly lines: string[];
  /** Resolves when the process exits, with its code and the time it did (Date.now()). */
  readonly exited: Promise<Exit>;
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
  const { child, lines, exited } = spawnCollected(args, { cwd: options.cwd, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...options.env } });
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

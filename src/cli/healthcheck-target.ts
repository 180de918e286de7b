import { readFile, readlink, realpath } from 'node:fs/promises';
import { basename, isAbsolute, join } from 'node:path';
import { parseCommandLine } from './command-line.js';

/** What `berth healthcheck` checks: a static configuration from these flags, or a whoami server's /health. */
export type HealthcheckTarget =
  | { readonly kind: 'config'; readonly args: readonly string[] }
  | { readonly kind: 'url'; readonly url: string };

/** Reads the process table; injectable for tests. */
export interface ProcessTable {
  /** The argv of process `pid`, or undefined when it cannot be read. */
  argv(pid: number): Promise<string[] | undefined>;
  /** The working directory of process `pid`, for a relative script path. */
  cwd(pid: number): Promise<string | undefined>;
  /** The direct children of process `pid`. */
  children(pid: number): Promise<number[]>;
  /** The real path of a file, or undefined when it does not exist. */
  realpath(path: string): Promise<string | undefined>;
}

// Inits Docker and compose put in front of the main process (`--init`, `init: true`).
const INITS = new Set(['docker-init', 'tini', 'tini-static', 'dumb-init']);

/**
 * Decides what `berth healthcheck` checks. With flags, exactly those (Traefik's behaviour). Without any, and when
 * this runs inside a container whose main process is this same Berth (PID 1, or the child of Docker's init), the
 * main process's flags are used: a Docker HEALTHCHECK runs beside the main process with its environment and
 * working directory but not its arguments, so a Berth configured by `command:` flags, the usual form in compose
 * files written for Traefik, would otherwise be checked against the embedded default. A main process running
 * `berth whoami` is checked by its /health endpoint, so the one image serves as proxy and as demo backend.
 */
export async function healthcheckTarget(args: readonly string[], self: string, table: ProcessTable = procTable): Promise<HealthcheckTarget> {
  const own = { kind: 'config', args } as const;
  if (args.length > 0) return own;
  const main = await mainProcess(table);
  if (main === undefined) return own;
  const script = await berthScript(main.pid, main.argv, table);
  const selfPath = await table.realpath(self);
  if (script === undefined || selfPath === undefined || script.path !== selfPath) return own;
  let parsed;
  try {
    parsed = parseCommandLine(script.rest);
  } catch {
    return own;
  }
  if (parsed.command === 'run') return { kind: 'config', args: parsed.args };
  if (parsed.command === 'whoami') {
    const host = String(parsed.options['host'] ?? '0.0.0.0');
    const reachable = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
    return { kind: 'url', url: `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${String(parsed.options['port'] ?? 80)}/health` };
  }
  return own;
}

/** PID 1, or the first child of PID 1 when that is an init. */
async function mainProcess(table: ProcessTable): Promise<{ pid: number; argv: string[] } | undefined> {
  const first = await table.argv(1);
  if (first === undefined || first.length === 0) return undefined;
  if (!INITS.has(basename(first[0] as string))) return { pid: 1, argv: first };
  const [child] = await table.children(1);
  if (child === undefined) return undefined;
  const argv = await table.argv(child);
  return argv === undefined ? undefined : { pid: child, argv };
}

/** `node [node options] <script> <args...>`: the script's real path and the arguments after it. */
async function berthScript(pid: number, argv: readonly string[], table: ProcessTable): Promise<{ path: string; rest: string[] } | undefined> {
  if (!basename(argv[0] ?? '').startsWith('node')) return undefined;
  const index = argv.findIndex((arg, i) => i > 0 && !arg.startsWith('-'));
  if (index === -1) return undefined;
  const script = argv[index] as string;
  const cwd = isAbsolute(script) ? '/' : await table.cwd(pid);
  if (cwd === undefined) return undefined;
  const path = await table.realpath(isAbsolute(script) ? script : join(cwd, script));
  return path === undefined ? undefined : { path, rest: argv.slice(index + 1) };
}

const procTable: ProcessTable = {
  async argv(pid) {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
    if (raw === undefined || raw === '') return undefined;
    return raw.replace(/\0$/, '').split('\0');
  },
  cwd: (pid) => readlink(`/proc/${pid}/cwd`).catch(() => undefined),
  async children(pid) {
    const raw = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
    return raw.trim().split(/\s+/).filter((word) => word !== '').map(Number);
  },
  realpath: (path) => realpath(path).catch(() => undefined),
};

import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { freePort } from './ports.js';
import { waitFor } from './wait-for.js';

/** The compiled CLI (this file is dist/test/helpers/spawn-berth.js). */
export const BERTH_MAIN = new URL('../../src/main.js', import.meta.url).pathname;

/** A `berth` process started by a test, with its JSON log lines. */
export interface BerthProcess {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:<port>` of the `web` entryPoint. */
  readonly web: string;
  /** `http://127.0.0.1:<port>` of the `traefik` entryPoint (API and /ping). */
  readonly api: string;
  /** Every JSON log line so far, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  /** Standard output and error lines that were not JSON. */
  readonly text: string[];
  /** Log lines with this `msg`. */
  lines(msg: string): Array<Record<string, unknown>>;
  /** SIGTERM, then waits for the exit (SIGKILL after 10 s); resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface SpawnBerthOptions {
  /** Extra static flags (the entryPoints, API, ping and JSON logs are set already). */
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** `log.level` (default INFO). */
  readonly logLevel?: 'DEBUG' | 'INFO';
  /** Resolve only once a configuration was applied (default true). */
  readonly waitForConfiguration?: boolean;
}

/**
 * Starts `node dist/src/main.js` with entryPoints `web` and `traefik` on free 127.0.0.1 ports, the API (insecure)
 * and /ping on `traefik`, JSON logs (INFO by default) on stdout, and the given flags; resolves when /ping answers 200 (and,
 * by default, a configuration was applied). The environment is the test's minus DOCKER_HOST and BERTH_* variables,
 * so only the flags configure it.
 */
export async function spawnBerth(options: SpawnBerthOptions = {}): Promise<BerthProcess> {
  const [webPort, apiPort] = [await freePort(), await freePort()];
  const args = [
    BERTH_MAIN,
    `--entryPoints.web.address=127.0.0.1:${webPort}`,
    `--entryPoints.traefik.address=127.0.0.1:${apiPort}`,
    '--api.insecure=true', '--ping=true', '--log.format=json', `--log.level=${options.logLevel ?? 'INFO'}`,
    ...options.args ?? [],
  ];
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && name !== 'DOCKER_HOST' && !name.startsWith('BERTH_') && !name.startsWith('TRAEFIK_')) env[name] = value;
  }
  const child = spawn(process.execPath, args, { env: { ...env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: Array<Record<string, unknown>> = [];
  const text: string[] = [];
  const collect = (stream: NodeJS.ReadableStream | null): void => {
    let rest = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
        try {
          logs.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          text.push(line);
        }
      }
    });
  };
  collect(child.stdout);
  collect(child.stderr);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => { gone = true; });

  const berth: BerthProcess = {
    child,
    web: `http://127.0.0.1:${webPort}`,
    api: `http://127.0.0.1:${apiPort}`,
    logs,
    text,
    lines: (msg) => logs.filter((line) => line['msg'] === msg),
    async stop() {
      if (!gone) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        const code = await exited;
        clearTimeout(timer);
        return code;
      }
      return exited;
    },
  };
  try {
    await waitFor(async () => {
      if (gone) throw new Error(`berth exited: ${[...text, ...logs.map((line) => JSON.stringify(line))].join('\n').slice(-2000)}`);
      return (await status(`${berth.api}/ping`)) === 200;
    }, 20_000, 'berth to answer /ping');
    if (options.waitForConfiguration !== false) await waitFor(() => berth.lines('configuration applied').length > 0, 20_000, 'a first configuration');
  } catch (err) {
    await berth.stop();
    throw err;
  }
  return berth;
}

/** The status of a GET (0 when nothing answers). */
export function status(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

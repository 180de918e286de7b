import type { ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { freePort } from './ports.js';
import { BERTH_MAIN, cleanEnv, spawnCollected } from './spawned-berth.js';
import { waitFor } from './wait-for.js';

export { BERTH_MAIN };

/** A `berth` process started by a test, with its JSON log lines. */
export interface BerthProcess {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:<port>` of the `web` entryPoint. */
  readonly web: string;
  /** `http://127.0.0.1:<port>` of the `traefik` entryPoint (API and /ping). */
  readonly api: string;
  /** Every JSON log line so far, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  /** Standard output and error lines that are not JSON. */
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
    `--entryPoints.web.address=127.0.0.1:${webPort}`,
    `--entryPoints.traefik.address=127.0.0.1:${apiPort}`,
    '--api.insecure=true', '--ping=true', '--log.format=json', `--log.level=${options.logLevel ?? 'INFO'}`,
    ...options.args ?? [],
  ];
  const spawned = spawnCollected(args, { env: { ...cleanEnv(), ...options.env } });
  const berth: BerthProcess = {
    child: spawned.child,
    web: `http://127.0.0.1:${webPort}`,
    api: `http://127.0.0.1:${apiPort}`,
    get logs() {
      return spawned.entries();
    },
    get text() {
      return spawned.lines.filter((line) => !line.startsWith('{'));
    },
    lines: (msg) => spawned.entries().filter((line) => line['msg'] === msg),
    stop: () => spawned.stop(10_000),
  };
  try {
    await waitFor(async () => {
      if (spawned.gone()) throw new Error(`berth exited: ${spawned.lines.join('\n').slice(-2000)}`);
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

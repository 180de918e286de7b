// What every proxy is configured to do, in one place, so the four config generators stay equivalent:
// N Host routers h0..h(N-1).bench.test to one HTTP backend, one router ws.bench.test to the WebSocket echo
// backend, and (while reloading) a dummy router reload.bench.test toggled on and off.

export const DOMAIN = 'bench.test';
export const WS_HOST = `ws.${DOMAIN}`;
export const DUMMY_HOST = `reload.${DOMAIN}`;
/** The backend's small body: 19 bytes, as in the baseline measurements of ENVIRONMENT.md. */
export const SMALL_BODY = 'hello from backend\n';
export const LARGE_PATH = '/1mb';
export const LARGE_BYTES = 1024 * 1024;

/** Host name of router i. */
export function hostName(i) {
  return `h${i}.${DOMAIN}`;
}

/**
 * `count` host names spread evenly over `routers` routers (first, last and everything between), so a proxy
 * that tries routers one by one pays its average cost, not its best case.
 */
export function spreadHosts(routers, count) {
  const n = Math.min(routers, count);
  const hosts = [];
  for (let k = 0; k < n; k++) hosts.push(hostName(n === 1 ? 0 : Math.round((k * (routers - 1)) / (n - 1))));
  return hosts;
}

/**
 * @typedef {object} ProxyConfig what a proxy must route
 * @property {number} routers how many Host routers h0..h(N-1)
 * @property {boolean} tls whether its one entrypoint is HTTPS
 * @property {boolean} dummy whether the extra router reload.bench.test exists
 */

/**
 * @typedef {object} ProxyEnv where a proxy runs
 * @property {string} name the proxy's name in results (berth, berth-1proc, nginx...)
 * @property {string} dir its own directory under bench/.work for config, pid and temp files
 * @property {string} repoRoot the Berth repository (for dist/)
 * @property {number} port its entrypoint on 127.0.0.1
 * @property {number} backendPort the HTTP backend, on a port of its own (so TIME_WAITs are attributable)
 * @property {number} wsPort the WebSocket echo backend
 * @property {number} cores CPU cores to use where a proxy asks (nginx workers, HAProxy threads)
 * @property {{ certFile: string, keyFile: string, pemFile: string }} cert self-signed, for *.bench.test and 127.0.0.1
 */

/**
 * @typedef {object} ProxyHandle a started proxy
 * @property {import('./procs.mjs').Tracked} entry the process we started (leader / master)
 * @property {(config: ProxyConfig) => Promise<void>} apply rewrites the configuration and asks for a reload
 */

/**
 * @typedef {object} ProxyAdapter
 * @property {string} name
 * @property {string[]} binaries commands it needs on PATH
 * @property {string} summary one line on how it is configured, for RESULTS.md
 * @property {(env: ProxyEnv, config: ProxyConfig) => Promise<ProxyHandle>} start writes config, spawns
 */

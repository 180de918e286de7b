// The six scenarios of the performance issue, as data: what each proxy is configured with and what load runs.
import { LARGE_PATH, hostName, spreadHosts } from './topology.mjs';

/**
 * @typedef {object} Scenario
 * @property {string} id used by --only
 * @property {string} title
 * @property {string} measures one sentence for the README and RESULTS.md
 * @property {import('./topology.mjs').ProxyConfig} config
 * @property {'wrk' | 'ws'} load
 * @property {string[]} hosts Host headers wrk cycles through
 * @property {string} path
 * @property {number} [reloadHz] reloads per second during the measured run
 * @property {boolean} [measureApply] after the run, time a configuration change until it serves
 * @property {number} startTimeoutMs
 */

/** @type {Scenario[]} */
export const SCENARIOS = [
  {
    id: 'small',
    title: 'Small responses, HTTP/1.1 keep-alive, 10 Host routers',
    measures: '19-byte responses over keep-alive connections; wrk cycles through all 10 hosts.',
    config: { routers: 10, tls: false, dummy: false },
    load: 'wrk',
    hosts: spreadHosts(10, 10),
    path: '/',
    startTimeoutMs: 30_000,
  },
  {
    id: 'routers-10k',
    title: 'Small responses with 10,000 Host routers',
    measures: 'The same load with 10,000 Host routers configured; wrk cycles through 100 hosts spread from the first router to the last. Also: how long a change to this configuration takes to serve.',
    config: { routers: 10_000, tls: false, dummy: false },
    load: 'wrk',
    hosts: spreadHosts(10_000, 100),
    path: '/',
    measureApply: true,
    startTimeoutMs: 120_000,
  },
  {
    id: 'large',
    title: '1 MB responses',
    measures: '1 MiB responses from the backend over keep-alive, one Host.',
    config: { routers: 10, tls: false, dummy: false },
    load: 'wrk',
    hosts: [hostName(0)],
    path: LARGE_PATH,
    startTimeoutMs: 30_000,
  },
  {
    id: 'https',
    title: 'HTTPS with keep-alive',
    measures: 'Small responses over TLS (self-signed RSA 2048, the proxy terminates TLS, plain HTTP to the backend); connections are reused, so mostly record encryption, few handshakes.',
    config: { routers: 10, tls: true, dummy: false },
    load: 'wrk',
    hosts: spreadHosts(10, 10),
    path: '/',
    startTimeoutMs: 30_000,
  },
  {
    id: 'websocket',
    title: 'WebSocket echo',
    measures: 'Messages per second: each WebSocket sends 64 bytes and waits for the echo before sending the next; p50/p99 are round trips.',
    config: { routers: 10, tls: false, dummy: false },
    load: 'ws',
    hosts: [],
    path: '/',
    startTimeoutMs: 30_000,
  },
  {
    id: 'reload',
    title: 'Small responses while the configuration reloads 5 times a second',
    measures: 'The small-response load while a dummy router is added and removed 5 times a second; errors are wrk socket errors plus non-2xx responses. Also: how long one change takes to serve.',
    config: { routers: 10, tls: false, dummy: false },
    load: 'wrk',
    hosts: spreadHosts(10, 10),
    path: '/',
    reloadHz: 5,
    measureApply: true,
    startTimeoutMs: 30_000,
  },
];

/** The scenarios named in `only` (all when empty); unknown names are an error listing the known ones. */
export function selectScenarios(only) {
  if (only.length === 0) return SCENARIOS;
  const unknown = only.filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.id).join(', ')}`);
  return SCENARIOS.filter((s) => only.includes(s.id));
}

// The shared set-up of a benchmark run: work directory, certificate, backends, a port per proxy, and starting a
// proxy until it really forwards (a request through it returns the backend's body), with a clear error if not.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBackends } from './backend.mjs';
import { initProcessTrail, stopTracked } from './procs.mjs';
import { freePort, pollUntil } from './system.mjs';
import { ensureCertificate } from './tls.mjs';
import { SMALL_BODY, hostName } from './topology.mjs';
import { availableParallelism } from 'node:os';

/**
 * @typedef {object} World
 * @property {string} repoRoot
 * @property {string} workDir
 * @property {{ certFile: string, keyFile: string, pemFile: string }} cert
 * @property {string} certPem
 * @property {number} wsPort
 * @property {Record<string, number>} backendPorts per proxy name
 * @property {Record<string, number>} proxyPorts per proxy name
 * @property {number} cores
 */

/**
 * Prepares bench/.work and starts the backends, with one backend port and one entrypoint port per proxy.
 * @param {string} repoRoot
 * @param {string[]} proxyNames
 * @returns {Promise<World>}
 */
export async function createWorld(repoRoot, proxyNames) {
  const workDir = join(repoRoot, 'bench', '.work');
  mkdirSync(workDir, { recursive: true });
  initProcessTrail(workDir);
  const cert = ensureCertificate(workDir);
  const wsPort = await freePort();
  /** @type {Record<string, number>} */
  const backendPorts = {};
  /** @type {Record<string, number>} */
  const proxyPorts = {};
  for (const name of proxyNames) {
    backendPorts[name] = await freePort();
    proxyPorts[name] = await freePort();
  }
  await startBackends(workDir, Object.values(backendPorts), wsPort);
  return { repoRoot, workDir, cert, certPem: readFileSync(cert.certFile, 'utf8'), wsPort, backendPorts, proxyPorts, cores: availableParallelism() };
}

/** The environment one proxy runs in. @returns {import('./topology.mjs').ProxyEnv} */
export function proxyEnv(world, name) {
  const dir = join(world.workDir, name);
  mkdirSync(dir, { recursive: true });
  const port = world.proxyPorts[name];
  const backendPort = world.backendPorts[name];
  if (port === undefined || backendPort === undefined) throw new Error(`no ports for proxy ${name}`);
  return { name, dir, repoRoot: world.repoRoot, port, backendPort, wsPort: world.wsPort, cores: world.cores, cert: world.cert };
}

/**
 * One GET / through the proxy with the given Host: what came back, or the connection error.
 * @returns {Promise<{ status: number, body: string } | { error: string }>}
 */
export function probe(world, port, tls, host) {
  return new Promise((resolve) => {
    const options = { host: '127.0.0.1', port, path: '/', headers: { host }, agent: false, timeout: 2_000 };
    const req = tls
      ? httpsRequest({ ...options, servername: host, ca: world.certPem })
      : httpRequest(options);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (err) => resolve({ error: err.message }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 2 s')));
    req.on('error', (err) => resolve({ error: err.message }));
    req.end();
  });
}

/**
 * Whether a request through the proxy with this Host got the backend's small body. (A 200 alone is not
 * enough: Caddy answers 200 with an empty body when no route matches.)
 */
export async function servedThrough(world, port, tls, host) {
  const result = await probe(world, port, tls, host);
  return 'status' in result && result.status === 200 && result.body === SMALL_BODY;
}

function describeProbe(result) {
  if ('error' in result) return `a request to it fails: ${result.error}`;
  return `a request to it answers ${result.status} ${JSON.stringify(result.body.slice(0, 200))} instead of 200 ${JSON.stringify(SMALL_BODY)}`;
}

function tail(text, lines) {
  return text.trimEnd().split('\n').slice(-lines).map((l) => `    ${l}`).join('\n');
}

/**
 * Starts a proxy and waits until a request through it reaches the backend.
 * @param {World} world
 * @param {import('./topology.mjs').ProxyAdapter} adapter
 * @param {import('./topology.mjs').ProxyConfig} config
 * @param {number} timeoutMs
 */
export async function startProxy(world, adapter, config, timeoutMs) {
  const env = proxyEnv(world, adapter.name);
  const started = Date.now();
  const handle = await adapter.start(env, config);
  const { entry } = handle;
  const ready = await pollUntil(() => servedThrough(world, env.port, config.tls, hostName(0)), {
    timeoutMs,
    intervalMs: 100,
    failFast: () => (entry.exited ? `its process exited (${entry.exitCode !== null ? `code ${entry.exitCode}` : entry.signal})` : undefined),
  });
  if (!ready.ok) {
    if (!entry.exited) ready.reason += `; ${describeProbe(await probe(world, env.port, config.tls, hostName(0)))}`;
    await stopTracked(entry);
    const output = `${entry.stderr}${entry.stdout}`;
    throw new Error(`${adapter.name} did not start serving on 127.0.0.1:${env.port}: ${ready.reason}.\n` +
      `  command: ${entry.child.spawnargs.join(' ')}\n  config: ${env.dir}\n` +
      `  last output:\n${output.trim() === '' ? '    (none)' : tail(output, 40)}`);
  }
  return { env, handle, startupMs: Date.now() - started };
}

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBerthImage, REPO_ROOT } from '../helpers/berth-image.js';
import { mismatch, readManifest, type Answer, type ExampleRequest } from '../helpers/compose-manifest.js';
import { overrideDeviations } from '../helpers/compose-override-guard.js';
import { composeEnvironment, prepareComposeProject } from '../helpers/compose-project.js';
import { startDockerEngine, type DockerEngine } from '../helpers/docker-engine.js';
import { send } from '../helpers/http-request.js';
import { startPebble, type Pebble } from '../helpers/pebble.js';
import { freePort } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait-for.js';

// Every folder of compose-examples/ runs for real with Debian's docker-compose against a test dockerd:
// `docker-compose -f docker-compose.yml -f docker-compose.test.yml up -d`, then the requests of its test.json,
// then `down -v`. The override may only move things onto loopback (compose-override-guard.ts). Examples run one
// after the other: every Berth watches the whole engine, so two examples at once would see each other's labels.

const EXAMPLES = join(REPO_ROOT, 'compose-examples');
const folders = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(EXAMPLES, entry.name, 'docker-compose.yml')))
  .map((entry) => entry.name)
  .sort();

let engine: DockerEngine;
let pebble: { server: Pebble; dir: string; env: Record<string, string>; root: string } | undefined;

before(async () => {
  engine = await startDockerEngine();
  await ensureBerthImage(engine);
});

after(async () => {
  if (pebble !== undefined) {
    await pebble.server.close();
    await rm(pebble.dir, { recursive: true, force: true });
  }
  await engine?.close();
});

test('the examples folder holds the scenarios the issue asks for', () => {
  for (const wanted of ['host-routing', 'path-stripprefix', 'replicas', 'middlewares-labels', 'file-and-labels', 'traefik-labels']) {
    assert.ok(folders.includes(wanted), `compose-examples/${wanted} is missing`);
  }
});

test('the override check lets loopback changes through and catches anything else', () => {
  const base = { services: {
    berth: { image: 'berth', command: ['--entryPoints.web.address=:80', '--providers.docker.exposedByDefault=false'] },
    app: { image: 'berth', command: 'whoami --port=80', labels: ['berth.http.routers.app.rule=Host(`app.localhost`)', 'berth.http.services.app.loadbalancer.server.port=80'] },
  } };
  const loopback = { services: {
    berth: { image: 'berth:test', network_mode: 'host', command: ['--entryPoints.web.address=127.0.0.1:${WEB_PORT}', '--providers.docker.exposedByDefault=false'], volumes: ['${DOCKER_SOCKET}:/var/run/docker.sock:ro'] },
    app: { image: 'berth:test', network_mode: 'host', command: 'whoami --host=127.0.0.1 --port=${APP_PORT}', healthcheck: { interval: '1s' }, labels: ['berth.http.services.app.loadbalancer.server.port=${APP_PORT}'] },
  } };
  const manifest = { ports: ['WEB_PORT', 'APP_PORT'], requests: [] };
  assert.deepEqual(overrideDeviations(base, loopback, manifest), []);
  const changed = { services: {
    berth: { command: ['--entryPoints.web.address=127.0.0.1:1', '--providers.docker.exposedByDefault=true'], volumes: ['/srv:/srv'], restart: 'no' },
    app: { labels: ['berth.http.routers.app.rule=PathPrefix(`/`)'], image: 'other' },
    extra: { image: 'berth:test' },
  } };
  const problems = overrideDeviations(base, changed, manifest).join('\n');
  for (const expected of [/berth: command differs/, /berth: volumes must mount/, /berth: "restart" may not be changed/, /app: labels changed.*routers\.app\.rule/, /app: image must be berth:test/, /service extra is not in/]) {
    assert.match(problems, expected);
  }
});

for (const folder of folders) {
  test(`compose-examples/${folder}`, async (t) => {
    const dir = join(EXAMPLES, folder);
    for (const file of ['README.md', 'docker-compose.test.yml', 'test.json']) assert.ok(existsSync(join(dir, file)), `${folder}/${file} is missing`);
    const manifest = await readManifest(dir);
    const env = composeEnvironment({
      DOCKER_HOST: engine.endpoint,
      DOCKER_SOCKET: engine.socketPath,
      DOCKER_GID: String((await stat(engine.socketPath)).gid),
      ...await allocatePorts(manifest.ports),
      ...(manifest.needs?.includes('pebble') === true ? (await startPebbleOnce()).env : {}),
    });
    const project = await prepareComposeProject(dir, env);
    const started = Date.now();
    try {
      assert.deepEqual(overrideDeviations(project.base, project.override, manifest), [], 'docker-compose.test.yml changes more than loopback needs');
      await project.compose('up', '-d');
      for (const [index, request] of manifest.requests.entries()) {
        await passes(request, env, (manifest.timeoutSeconds ?? 30) * 1000).catch(async (err: Error) => {
          const logs = await project.compose('logs', '--no-color', '--tail', '40').catch((e: Error) => e.message);
          throw new Error(`requests[${index}] (${describe(request)}): ${err.message}\n--- docker-compose logs ---\n${logs.slice(-5000)}`);
        });
      }
      t.diagnostic(`${folder}: ${manifest.requests.length} requests passed ${((Date.now() - started) / 1000).toFixed(1)} s after up`);
    } finally {
      await project.down();
    }
  });
}

/** A distinct free port for each name. */
async function allocatePorts(names: readonly string[]): Promise<Record<string, string>> {
  const ports: Record<string, string> = {};
  const taken = new Set<number>();
  for (const name of names) {
    let port = await freePort();
    while (taken.has(port)) port = await freePort();
    taken.add(port);
    ports[name] = String(port);
  }
  return ports;
}

/**
 * Pebble on loopback for the examples that need it, described to docker-compose by PEBBLE_DIRECTORY, PEBBLE_CA_FILE
 * (its listener's CA, a file Berth's container can mount), PEBBLE_HTTP_PORT and PEBBLE_TLS_PORT (where Pebble
 * validates challenges, so where Berth must listen), PEBBLE_DNS and PEBBLE_CHALLTESTSRV.
 */
async function startPebbleOnce(): Promise<NonNullable<typeof pebble>> {
  if (pebble !== undefined) return pebble;
  const server = await startPebble();
  const dir = await mkdtemp(join(tmpdir(), 'berth-compose-pebble-'));
  const caFile = join(dir, 'pebble-ca.pem');
  await writeFile(caFile, server.listenerCaPem, { mode: 0o644 });
  pebble = {
    server,
    dir,
    root: await server.issuerRoot(),
    env: {
      PEBBLE_DIRECTORY: server.directory,
      PEBBLE_CA_FILE: caFile,
      PEBBLE_HTTP_PORT: String(server.httpPort),
      PEBBLE_TLS_PORT: String(server.tlsPort),
      PEBBLE_DNS: server.dnsServer,
      PEBBLE_CHALLTESTSRV: server.challtestsrv,
    },
  };
  return pebble;
}

/** Sends the request (`repeat` times) until the answers meet its expectation, or fails with the last mismatch. */
async function passes(request: ExampleRequest, env: Readonly<Record<string, string>>, timeoutMs: number): Promise<void> {
  let last = 'no answer yet';
  await waitFor(async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < (request.repeat ?? 1); i++) {
      try {
        answers.push(await sendOne(request, env));
      } catch (err) {
        last = (err as Error).message;
        return false;
      }
    }
    const problem = mismatch(request.expect, answers);
    if (problem !== undefined) last = problem;
    return problem === undefined;
  }, timeoutMs, 'the expected answer').catch(() => {
    throw new Error(last);
  });
}

function sendOne(request: ExampleRequest, env: Readonly<Record<string, string>>): Promise<Answer> {
  const port = env[request.port];
  if (port === undefined) throw new Error(`no port ${request.port}`);
  const headers: Record<string, string> = { ...request.headers };
  if (request.auth !== undefined) headers['authorization'] = `Basic ${Buffer.from(request.auth).toString('base64')}`;
  return send(`${request.scheme ?? 'http'}://127.0.0.1:${port}${request.path ?? '/'}`, {
    method: request.method ?? 'GET',
    headers,
    ...(request.host === undefined ? {} : { host: request.host }),
    ...(request.body === undefined ? {} : { body: request.body }),
    ...(request.trust === 'pebble' && pebble !== undefined ? { ca: pebble.root } : {}),
  });
}

function describe(request: ExampleRequest): string {
  return `${request.method ?? 'GET'} ${request.scheme ?? 'http'}://${request.host ?? '127.0.0.1'}${request.path ?? '/'} on ${request.port}`;
}


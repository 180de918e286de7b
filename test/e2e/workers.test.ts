import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { startBackend, type Backend } from '../helpers/backend.js';
import { startBerth, type BerthProcess } from '../helpers/berth-process.js';
import { send } from '../helpers/http-request.js';
import { startPebble, type Pebble } from '../helpers/pebble.js';
import { freePort } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait-for.js';
import { handshake } from '../entrypoints/clients.js';

/**
 * Issue 5 end to end: the real `berth` with `--workers=2` (a leader and two cluster workers sharing the
 * listeners). Fresh connections are handed to the workers in turn (SCHED_RR), so asking many times over new
 * connections asks every worker.
 */
interface WorkerView { id: number; pid: number; generation: number; startedAt: string }

const FRESH = 16;

async function workers(api: number): Promise<WorkerView[]> {
  return JSON.parse((await send(`http://127.0.0.1:${api}/api/workers`)).body) as WorkerView[];
}

/** The generation the leader applied last, from its "configuration applied" log lines. */
function leaderGeneration(berth: BerthProcess): number {
  return Math.max(0, ...berth.entries().filter((e) => e['msg'] === 'configuration applied').map((e) => Number(e['generation'])));
}

/** Waits until both workers run and applied at least the leader's latest generation. */
async function workersCaughtUp(berth: BerthProcess, api: number): Promise<WorkerView[]> {
  return waitFor(async () => {
    const list = await workers(api);
    const generation = leaderGeneration(berth);
    return list.length === 2 && list.every((w) => w.generation >= generation) ? list : undefined;
  }, 20_000, 'both workers on the latest configuration');
}

async function statuses(port: number, host: string, count = FRESH): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push((await send(`http://127.0.0.1:${port}/`, { host })).status);
  return out;
}

describe('two workers, file provider', () => {
  let berth: BerthProcess;
  let backend: Backend;
  let web: number;
  let api: number;
  let healthy = true;
  let flaky: Backend;
  let echoServer: WebSocketServer;

  const dynamic = (routers: Record<string, unknown>): string => JSON.stringify({
    http: {
      routers: {
        ws: { rule: 'Host(`ws.test`)', service: 'ws' },
        pair: { rule: 'Host(`pair.test`)', service: 'pair' },
        ...routers,
      },
      services: {
        app: { loadBalancer: { servers: [{ url: backend.url }] } },
        ws: { loadBalancer: { servers: [{ url: `http://127.0.0.1:${(echoServer.address() as AddressInfo).port}` }] } },
        pair: { loadBalancer: { servers: [{ url: backend.url }, { url: flaky.url }], healthCheck: { path: '/health', interval: '200ms', timeout: '1s' } } },
      },
    },
  });

  before(async () => {
    backend = await startBackend('steady');
    flaky = await startBackend('flaky', (req, res) => {
      if (req.url === '/health') res.writeHead(healthy ? 200 : 503).end();
      else res.writeHead(200, { 'x-backend': 'flaky' }).end('flaky');
    });
    echoServer = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => echoServer.once('listening', () => resolve()));
    echoServer.on('connection', (socket) => socket.on('message', (data) => socket.send(`echo:${data.toString()}`)));
    [web, api] = [await freePort(), await freePort()];
    const dir = await mkdtemp(join(tmpdir(), 'berth-workers-e2e-'));
    berth = await startBerth({
      dir,
      config: {
        workers: 2,
        entryPoints: { web: { address: `127.0.0.1:${web}` }, traefik: { address: `127.0.0.1:${api}` } },
        api: { insecure: true },
        metrics: { prometheus: {} },
        providers: { file: { directory: 'dynamic', watch: true } },
      },
      files: { 'dynamic/routes.yml': dynamic({}) },
    });
  });

  after(async () => {
    await berth?.stop();
    for (const client of echoServer?.clients ?? []) client.terminate();
    await new Promise<void>((resolve) => (echoServer === undefined ? resolve() : echoServer.close(() => resolve())));
    await backend?.close();
    await flaky?.close();
  });

  test('startup: one "listening" line per entrypoint, from the leader; two workers on the first configuration', async () => {
    assert.equal(berth.entries().filter((e) => e['msg'] === 'entryPoint web listening').length, 1);
    const list = await workersCaughtUp(berth, api);
    assert.equal(new Set(list.map((w) => w.pid)).size, 2);
    assert.ok(!list.some((w) => w.pid === berth.pid), 'workers are not the leader');
  });

  test('a route added to the watched file answers on every worker', async () => {
    const before = leaderGeneration(berth);
    await berth.write('dynamic/routes.yml', dynamic({ added: { rule: 'Host(`added.test`)', service: 'app' } }));
    await waitFor(() => leaderGeneration(berth) > before, 10_000, 'the leader to apply the change');
    await workersCaughtUp(berth, api);
    assert.deepEqual(await statuses(web, 'added.test'), Array<number>(FRESH).fill(200));
    // The API on a worker shows the leader's state.
    const router = JSON.parse((await send(`http://127.0.0.1:${api}/api/http/routers/added@file`)).body) as { status: string };
    assert.equal(router.status, 'enabled');
  });

  test('a Prometheus scrape, whichever worker takes it, counts the requests every worker served', async () => {
    /** The `web` entrypoint's request count, summed over its series, as one scrape reports it. */
    const webRequests = async (): Promise<number> => {
      const text = (await send(`http://127.0.0.1:${api}/metrics`)).body;
      return text.split('\n').filter((line) => line.startsWith('traefik_entrypoint_requests_total{') && line.includes('entrypoint="web"'))
        .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    };
    const before = await webRequests();
    await statuses(web, 'added.test');
    const totals: number[] = [];
    for (let i = 0; i < 6; i++) totals.push(await webRequests());
    assert.deepEqual(totals, Array<number>(6).fill(before + FRESH), 'each scrape (over a fresh connection, so on both workers) sees all requests');
  });

  test('health: a server failing the leader\'s check leaves every worker\'s rotation, and comes back', async () => {
    const serverStatus = async (): Promise<string | undefined> => {
      const view = JSON.parse((await send(`http://127.0.0.1:${api}/api/http/services/pair@file`)).body) as { serverStatus?: Record<string, string> };
      return view.serverStatus?.[flaky.url];
    };
    await waitFor(async () => (await serverStatus()) === 'UP', 10_000, 'flaky UP');
    healthy = false;
    await waitFor(async () => (await serverStatus()) === 'DOWN', 10_000, 'flaky DOWN in the leader');
    const names: string[] = [];
    for (let i = 0; i < FRESH; i++) names.push(String((await send(`http://127.0.0.1:${web}/`, { host: 'pair.test' })).headers['x-backend']));
    assert.deepEqual(names, Array<string>(FRESH).fill('steady'), 'no worker sends to the DOWN server');
    healthy = true;
    await waitFor(async () => (await serverStatus()) === 'UP', 10_000, 'flaky UP again');
    await waitFor(async () => {
      const seen: string[] = [];
      for (let i = 0; i < FRESH; i++) seen.push(String((await send(`http://127.0.0.1:${web}/`, { host: 'pair.test' })).headers['x-backend']));
      return seen.filter((name) => name === 'flaky').length >= FRESH / 4;
    }, 10_000, 'flaky back in rotation');
  });

  test('a killed worker is replaced; WebSockets on the other worker stay open', async () => {
    const list = await workersCaughtUp(berth, api);
    const sockets = await Promise.all(Array.from({ length: 6 }, () => new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${web}/`, { headers: { host: 'ws.test' } });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    })));
    const closed = new Set<WebSocket>();
    for (const ws of sockets) ws.once('close', () => closed.add(ws));
    const victim = list[0] as WorkerView;
    process.kill(victim.pid, 'SIGKILL');
    await waitFor(async () => {
      const now = await workers(api);
      return now.length === 2 && !now.some((w) => w.pid === victim.pid) ? now : undefined;
    }, 20_000, 'a replacement worker');
    await berth.waitForLog(/^worker exited unexpectedly/, { fields: { workerPid: victim.pid, signal: 'SIGKILL' } });
    await workersCaughtUp(berth, api);
    // Connections the killed worker held are gone with it; the others never noticed.
    await waitFor(() => closed.size > 0, 10_000, 'the killed worker\'s WebSockets to close');
    const survivors = sockets.filter((ws) => !closed.has(ws));
    assert.ok(survivors.length > 0, 'the other worker held some of the WebSockets');
    for (const [i, ws] of survivors.entries()) {
      const reply = await new Promise<string>((resolve, reject) => {
        ws.once('message', (data: Buffer) => resolve(data.toString()));
        ws.once('error', reject);
        ws.send(`after-${i}`);
      });
      assert.equal(reply, `echo:after-${i}`);
    }
    assert.deepEqual(await statuses(web, 'added.test'), Array<number>(FRESH).fill(200));
    for (const ws of survivors) ws.close();
  });

  test('SIGTERM on the leader: workers drain and everything exits 0', async () => {
    const pids = (await workers(api)).map((w) => w.pid);
    assert.equal(await berth.stop(), 0);
    for (const pid of pids) assert.throws(() => process.kill(pid, 0), /ESRCH/, `worker ${pid} exited`);
  });
});

describe('two workers, ACME challenges against Pebble', () => {
  let pebble: Pebble;
  let backend: Backend;
  let berth: BerthProcess;
  let issuerRoot: string;
  const httpNames = ['h1.test', 'h2.test', 'h3.test', 'h4.test'];
  const alpnNames = ['a1.test', 'a2.test', 'a3.test', 'a4.test'];

  before(async () => {
    pebble = await startPebble();
    issuerRoot = await pebble.issuerRoot();
    backend = await startBackend('acme-backend');
    const dir = await mkdtemp(join(tmpdir(), 'berth-workers-acme-'));
    await writeFile(join(dir, 'pebble-listener.pem'), pebble.listenerCaPem);
    const acme = { email: 'ops@berth.test', caServer: pebble.directory, storage: 'acme.json', keyType: 'EC256', caCertificates: ['pebble-listener.pem'] };
    const router = (host: string, resolver: string): Record<string, unknown> => ({ rule: `Host(\`${host}\`)`, service: 'backend', entryPoints: ['websecure'], tls: { certResolver: resolver } });
    berth = await startBerth({
      dir,
      config: {
        workers: 2,
        entryPoints: { web: { address: `127.0.0.1:${pebble.httpPort}` }, websecure: { address: `127.0.0.1:${pebble.tlsPort}` } },
        providers: { file: { filename: 'dynamic.json' } },
        certificatesResolvers: { le: { acme: { ...acme, httpChallenge: { entryPoint: 'web' } } }, alpn: { acme: { ...acme, tlsChallenge: {} } } },
      },
      files: {
        'dynamic.json': JSON.stringify({
          http: {
            routers: Object.fromEntries([...httpNames.map((n) => [n.replace('.test', ''), router(n, 'le')]), ...alpnNames.map((n) => [n.replace('.test', ''), router(n, 'alpn')])]),
            services: { backend: { loadBalancer: { servers: [{ url: backend.url }] } } },
          },
        }),
      },
      env: { BERTHTEST_ACME_POLL_MS: '250' },
    });
  });

  after(async () => {
    await berth?.stop();
    await backend?.close();
    await pebble?.close();
  });

  test('HTTP-01 and TLS-ALPN-01 validations are answered whichever worker takes them', async () => {
    for (const name of [...httpNames, ...alpnNames]) {
      await waitFor(async () => (await handshake(pebble.tlsPort, { servername: name, ca: issuerRoot })).ok, 60_000, `a Pebble certificate for ${name}`);
    }
    assert.equal(berth.entries().filter((e) => /^Unable to obtain ACME certificate/.test(String(e['msg']))).length, 0);
  });
});

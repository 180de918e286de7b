import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startBackend, type Backend } from '../helpers/backend.js';
import { freePort } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait-for.js';
import { http } from '../integration/http.js';
import { spawnBerth } from './core-process.js';

/** True when nothing listens on the port any more (a connection attempt is refused). */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

describe('berth CLI (spawned node dist/src/main.js)', { timeout: 60_000 }, () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-cli-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('check exits 1 naming the file and key of a typo, with a suggestion, and 0 on a good configuration', async () => {
    const work = join(dir, 'check');
    await mkdir(join(work, 'dynamic'), { recursive: true });
    await writeFile(join(work, 'berth.yml'), 'entryPoints:\n  web:\n    address: "127.0.0.1:0"\nproviders:\n  file:\n    directory: dynamic\n');
    const app = (key: string): string => `http:\n  routers:\n    app:\n      ${key}: "Host(\`app.test\`)"\n      service: app\n  services:\n    app:\n      loadBalancer:\n        servers:\n          - url: "http://127.0.0.1:1"\n`;
    await writeFile(join(work, 'dynamic', 'app.yml'), app('rul'));
    const bad = spawnBerth(['check', '--configFile=berth.yml'], { cwd: work });
    assert.equal((await bad.exited).code, 1);
    const output = bad.lines.join('\n');
    assert.match(output, /dynamic\/app\.yml:4: http\.routers\.app\.rul: unknown key "rul" \(did you mean "rule"\?\)/);
    assert.match(output, /1 error/);

    await writeFile(join(work, 'dynamic', 'app.yml'), app('rule'));
    const good = spawnBerth(['check', '--configFile=berth.yml'], { cwd: work });
    assert.equal((await good.exited).code, 0, good.lines.join('\n'));
    assert.match(good.lines.join('\n'), /checked berth\.yml: 0 errors, 0 warnings/);

    // A typo in the static configuration itself is named the same way.
    await writeFile(join(work, 'typo.yml'), 'entryPoints:\n  web:\n    adress: ":80"\n');
    const typo = spawnBerth(['check', '--configFile=typo.yml'], { cwd: work });
    assert.equal((await typo.exited).code, 1);
    assert.match(typo.lines.join('\n'), /typo\.yml:3: entryPoints\.web\.adress: unknown key "adress" \(did you mean "address"\?\)/);
  });

  it('SIGTERM drains a slow in-flight request, refuses new connections, answers 503 on /ping, and exits 0 promptly', async (t) => {
    let received = 0;
    const slow: Backend = await startBackend('slow', (_req, res) => {
      received++;
      setTimeout(() => res.end('slow answer'), 1500);
    });
    const work = join(dir, 'drain');
    await mkdir(join(work, 'dynamic'), { recursive: true });
    await writeFile(join(work, 'berth.yml'), `
entryPoints:
  web:
    address: "127.0.0.1:0"
  traefik:
    address: "127.0.0.1:0"
    transport:
      lifeCycle:
        requestAcceptGraceTimeout: 1s
ping: {}
log:
  level: INFO
  format: json
providers:
  file:
    directory: dynamic
`);
    await writeFile(join(work, 'dynamic', 'app.yml'), `http:\n  routers:\n    app: { rule: "PathPrefix(\`/\`)", service: app, entryPoints: [web] }\n  services:\n    app: { loadBalancer: { servers: [{ url: "${slow.url}" }] } }\n`);
    const berth = spawnBerth(['--configFile=berth.yml'], { cwd: work });
    try {
      const web = await berth.port('web');
      const traefik = await berth.port('traefik');
      await waitFor(() => berth.lines.some((line) => line.includes('berth started')), 10_000, 'start-up');
      assert.equal((await http(`http://127.0.0.1:${traefik}/ping`)).status, 200);

      let answeredAt = 0;
      const inFlight = http(`http://127.0.0.1:${web}/slow`).then((reply) => {
        answeredAt = Date.now();
        return reply;
      });
      await waitFor(() => received === 1, 5000, 'the request to reach the backend');
      berth.child.kill('SIGTERM');

      // With workers the leader passes the signal on over IPC: /ping turns 503 within milliseconds, well inside the
      // traefik entrypoint's 1 s requestAcceptGraceTimeout during which it still accepts.
      await waitFor(async () => (await http(`http://127.0.0.1:${traefik}/ping`)).status === 503, 900, 'ping to report the shutdown while the traefik entrypoint still accepts');
      await waitFor(() => refused(web), 3000, 'the web entrypoint to refuse new connections');

      const reply = await inFlight;
      assert.equal(reply.status, 200);
      assert.equal(reply.text, 'slow answer');
      const exit = await berth.exited;
      assert.equal(exit.code, 0, berth.lines.join('\n'));
      t.diagnostic(`exited ${exit.at - answeredAt} ms after the drained response`);
      // Nothing may keep the process alive once everything is closed (main.ts's 2 s safety exit must not be needed).
      assert.ok(exit.at - answeredAt < 1000, `exited ${exit.at - answeredAt} ms after the response`);
    } finally {
      berth.kill();
      await slow.close();
    }
  });

  it('the embedded default (no configuration, empty directory) serves the whoami demo and the API, on moved ports', async () => {
    const work = join(dir, 'empty');
    await mkdir(work);
    const whoamiAddress = `127.0.0.1:${await freePort()}`;
    // Moving the demo (only its addresses) keeps the embedded default; the Docker endpoint points nowhere so that no
    // engine of the test machine feeds it.
    const berth = spawnBerth([], {
      cwd: work,
      env: {
        BERTH_DEMO_WHOAMI_ADDRESS: whoamiAddress,
        BERTH_ENTRYPOINTS_WEB_ADDRESS: '127.0.0.1:0',
        BERTH_ENTRYPOINTS_TRAEFIK_ADDRESS: '127.0.0.1:0',
        DOCKER_HOST: `unix://${join(work, 'no-docker.sock')}`,
      },
    });
    try {
      const web = await berth.port('web');
      const traefik = await berth.port('traefik');
      const demo = await waitFor(async () => {
        const reply = await http(`http://127.0.0.1:${web}/hello`);
        return reply.status === 200 ? reply : undefined;
      }, 10_000, 'the demo route');
      assert.match(demo.text, /^Name: berth-demo$/m);
      assert.match(demo.text, /^GET \/hello HTTP\/1\.1$/m);
      assert.match(demo.text, /^x-forwarded-server: /im);

      const overview = await http(`http://127.0.0.1:${traefik}/api/overview`);
      assert.equal(overview.status, 200);
      const body = JSON.parse(overview.text) as { http: { routers: { total: number } }; providers: string[] };
      assert.ok(body.http.routers.total >= 2);
      assert.ok(body.providers.includes('File'));
      assert.equal((await http(`http://127.0.0.1:${traefik}/ping`)).text, 'OK');
      assert.equal((await http(`http://127.0.0.1:${traefik}/dashboard/`)).status, 200);
      assert.ok(berth.lines.some((line) => line.includes('built-in whoami backend listening') && line.includes(whoamiAddress)));

      berth.child.kill('SIGTERM');
      assert.equal((await berth.exited).code, 0);
    } finally {
      berth.kill();
    }
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { runHealthcheck } from '../../src/cli/healthcheck.js';
import { loadOk } from '../config/static/load-helper.js';
import { startBackend } from '../helpers/backend.js';

const configFor = (address: string, extra: string[] = []) =>
  loadOk({ argv: ['--ping', `--entryPoints.traefik.address=${address}`, ...extra] }).config;

test('healthy: GET /ping on the ping entryPoint answers 200', async () => {
  const backend = await startBackend('ping', (req, res) => {
    res.writeHead(req.url === '/ping' && req.method === 'GET' ? 200 : 404).end('OK');
  });
  try {
    for (const host of ['127.0.0.1', '', '0.0.0.0']) {
      const result = await runHealthcheck(configFor(`${host}:${backend.port}`));
      assert.deepEqual(result, { ok: true, message: `OK: http://127.0.0.1:${backend.port}/ping` }, host);
    }
    // ping on another entryPoint is followed.
    const other = loadOk({ argv: ['--ping.entryPoint=web', `--entryPoints.web.address=127.0.0.1:${backend.port}`] }).config;
    assert.equal((await runHealthcheck(other)).ok, true);
    assert.equal(backend.requests.length, 4);
  } finally {
    await backend.close();
  }
});

test('unhealthy: a non-200 answer, nobody listening, no answer in time', async () => {
  const terminating = await startBackend('terminating', (_req, res) => { res.writeHead(503).end('Service Unavailable'); });
  const silent: Server = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const silentPort = (silent.address() as { port: number }).port;
  try {
    const bad = await runHealthcheck(configFor(`127.0.0.1:${terminating.port}`));
    assert.deepEqual(bad, { ok: false, message: `http://127.0.0.1:${terminating.port}/ping answered 503, expected 200` });

    await terminating.close();
    const refused = await runHealthcheck(configFor(`127.0.0.1:${terminating.port}`));
    assert.equal(refused.ok, false);
    assert.match(refused.message, /ECONNREFUSED/);

    const slow = await runHealthcheck(configFor(`127.0.0.1:${silentPort}`), { timeoutMs: 200 });
    assert.deepEqual(slow, { ok: false, message: `http://127.0.0.1:${silentPort}/ping: no answer within 200 ms` });
  } finally {
    await terminating.close().catch(() => undefined);
    silent.close();
  }
});

test('no ping, or a ping entryPoint on a random port, is explained without a request', async () => {
  const noPing = loadOk({ argv: ['--entryPoints.web.address=:80'] }).config;
  assert.deepEqual(await runHealthcheck(noPing), { ok: false, message: 'ping is not enabled: add "ping: {}" to the configuration or pass --ping' });
  const random = await runHealthcheck(configFor('127.0.0.1:0'));
  assert.equal(random.ok, false);
  assert.match(random.message, /random port/);
});

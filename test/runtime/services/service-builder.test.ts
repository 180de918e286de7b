import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCodes } from '../../../src/errors/codes.js';
import { startBackend, type Backend } from '../../helpers/backend.js';
import { waitFor } from '../../helpers/wait-for.js';
import { send, startFrontend, transportConfig, type Frontend } from './helpers/harness.js';
import { handlerOf, ServiceWorld } from './helpers/services.js';

const lb = (servers: Array<string | { url: string; weight?: number }>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  loadBalancer: { servers: servers.map((s) => (typeof s === 'string' ? { url: s } : s)), ...extra },
});

async function countBackends(port: number, requests: number, headers: Record<string, string> = {}): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let i = 0; i < requests; i++) {
    const reply = await send(port, { headers });
    const name = String(reply.headers['x-backend'] ?? reply.status);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

describe('buildServices', { timeout: 60_000 }, () => {
  let world: ServiceWorld;
  let a: Backend;
  let b: Backend;
  const fronts: Frontend[] = [];
  const front = async (handler: Parameters<typeof startFrontend>[0]): Promise<Frontend> => {
    const started = await startFrontend(handler);
    fronts.push(started);
    return started;
  };

  before(async () => {
    world = new ServiceWorld();
    a = await startBackend('a');
    b = await startBackend('b');
  });

  after(async () => {
    for (const f of fronts) await f.close();
    await world.close();
    await a.close();
    await b.close();
  });

  it('balances 3:1 over 400 real requests within 2%', async () => {
    const built = world.build({ 'web@file': lb([{ url: a.url, weight: 3 }, { url: b.url, weight: 1 }]) });
    const counts = await countBackends((await front(handlerOf(built, 'web@file'))).port, 400);
    assert.ok(Math.abs((counts.get('a') ?? 0) / 400 - 0.75) <= 0.02, JSON.stringify([...counts]));
    assert.ok(Math.abs((counts.get('b') ?? 0) / 400 - 0.25) <= 0.02, JSON.stringify([...counts]));
    assert.deepEqual(built.servers.get('web@file'), [a.url, b.url]);
  });

  it('never picks a weight-0 server, and answers 503 "no available server" without servers', async () => {
    const built = world.build({ 'zero@file': lb([{ url: a.url, weight: 0 }, b.url]), 'empty@file': lb([]) });
    assert.deepEqual([...(await countBackends((await front(handlerOf(built, 'zero@file'))).port, 20))], [['b', 20]]);
    const reply = await send((await front(handlerOf(built, 'empty@file'))).port);
    assert.equal(reply.status, 503);
    assert.equal(reply.body.toString(), 'no available server\n');
  });

  it('takes DOWN servers out of rotation and puts them back, with each strategy', async () => {
    for (const strategy of ['wrr', 'p2c', 'hrw', 'leasttime']) {
      const built = world.build({ 's@file': lb([a.url, b.url], { strategy }) });
      const port = (await front(handlerOf(built, 's@file'))).port;
      world.servers.setHealth(a.url, false);
      assert.deepEqual([...(await countBackends(port, 10))], [['b', 10]], strategy);
      world.servers.setHealth(b.url, false);
      assert.deepEqual([...(await countBackends(port, 2))], [['503', 2]], strategy);
      world.servers.setHealth(a.url, true);
      world.servers.setHealth(b.url, true);
      // hrw keeps a client on one server and leasttime favours the faster one: both may legitimately use one.
      if (strategy === 'wrr' || strategy === 'p2c') assert.equal((await countBackends(port, 10)).size, 2, strategy);
      else assert.equal((await send(port)).status, 200, strategy);
    }
  });

  it('pins a client with Traefik\'s sticky cookie and rebalances when the pinned server is DOWN', async () => {
    const built = world.build({ 'sticky@file': lb([a.url, b.url], { sticky: { cookie: { httpOnly: true, secure: true, sameSite: 'lax', maxAge: 60, domain: 'example.com' } } }) });
    const port = (await front(handlerOf(built, 'sticky@file'))).port;
    const first = await send(port);
    const setCookie = String(first.headers['set-cookie']);
    const pinned = String(first.headers['x-backend']);
    assert.match(setCookie, /^_[0-9a-f]{5}=[0-9a-f]{16}; Path=\/; Domain=example\.com; Max-Age=60; HttpOnly; Secure; SameSite=Lax$/);
    const cookie = setCookie.split(';')[0] ?? '';
    for (let i = 0; i < 10; i++) {
      const again = await send(port, { headers: { cookie: `other=1; ${cookie}` } });
      assert.equal(again.headers['x-backend'], pinned);
      assert.equal(again.headers['set-cookie'], undefined, 'a valid cookie is not rewritten');
    }
    world.servers.setHealth(pinned === 'a' ? a.url : b.url, false);
    const moved = await send(port, { headers: { cookie } });
    assert.notEqual(moved.headers['x-backend'], pinned);
    assert.notEqual(String(moved.headers['set-cookie']).split(';')[0], cookie);
    world.servers.setHealth(pinned === 'a' ? a.url : b.url, true);
  });

  it('balances weighted services over child services, internal ones included', async () => {
    const built = world.build({
      'split@file': { weighted: { services: [{ name: 'a@file', weight: 1 }, { name: 'noop@internal', weight: 1 }] } },
      'a@file': lb([a.url]),
    });
    const counts = await countBackends((await front(handlerOf(built, 'split@file'))).port, 10);
    assert.deepEqual([...counts].sort(), [['418', 5], ['a', 5]]);
  });

  it('routes a client to the same child with highestRandomWeight', async () => {
    const built = world.build({
      'hrw@file': { highestRandomWeight: { services: [{ name: 'a@file' }, { name: 'b@file' }] } },
      'a@file': lb([a.url]),
      'b@file': lb([b.url]),
    });
    assert.equal((await countBackends((await front(handlerOf(built, 'hrw@file'))).port, 10)).size, 1);
  });

  it('reports recursion, missing children and missing transports per service, and builds the rest', () => {
    const built = world.build({
      'loop-a@file': { weighted: { services: [{ name: 'loop-b@file' }] } },
      'loop-b@file': { weighted: { services: [{ name: 'loop-a@file' }] } },
      'orphan@file': { failover: { service: 'ghost@file', fallback: 'fine@file' } },
      'untransported@file': lb([a.url], { serversTransport: 'missing@file' }),
      'fine@file': lb([a.url]),
    });
    assert.equal(built.issues.get('loop-a@file')?.[0]?.code, ErrorCodes.RECURSION);
    assert.match(built.issues.get('loop-a@file')?.[0]?.message ?? '', /loop-a@file -> loop-b@file -> loop-a@file/);
    assert.equal(built.issues.get('loop-b@file')?.[0]?.code, ErrorCodes.RECURSION);
    assert.equal(built.issues.get('orphan@file')?.[0]?.code, ErrorCodes.SERVICE_NOT_FOUND);
    assert.match(built.issues.get('orphan@file')?.[0]?.message ?? '', /"ghost@file" does not exist/);
    assert.equal(built.issues.get('untransported@file')?.[0]?.code, ErrorCodes.TRANSPORT_NOT_FOUND);
    for (const name of ['loop-a@file', 'loop-b@file', 'orphan@file', 'untransported@file']) assert.equal(built.handlers.has(name), false, name);
    assert.ok(built.handlers.has('fine@file'));
    assert.equal(built.issues.has('fine@file'), false);
  });

  it('rejects bad server URLs and a parent propagating health over a child without a health check', () => {
    const built = world.build({
      'bad-url@file': lb(['ftp://127.0.0.1:21']),
      'parent@file': { weighted: { services: [{ name: 'plain@file' }], healthCheck: {} } },
      'plain@file': lb([a.url]),
    });
    assert.equal(built.issues.get('bad-url@file')?.[0]?.code, ErrorCodes.INVALID_VALUE);
    assert.match(built.issues.get('parent@file')?.[0]?.message ?? '', /child "plain@file" reports none/);
  });

  it('resolves serversTransports from the snapshot and default@internal from static configuration', async () => {
    const mute = await startBackend('mute', () => undefined);
    try {
      const built = world.build({ 'slow@file': lb([mute.url], { serversTransport: 'quick@file' }) }, {
        serversTransports: { 'quick@file': transportConfig({ forwardingTimeouts: { responseHeaderTimeout: '100ms' } }) },
      });
      assert.equal((await send((await front(handlerOf(built, 'slow@file'))).port)).status, 504);
    } finally {
      await mute.close();
    }
  });

  it('warns that gRPC health checks are not supported and keeps serving', async () => {
    const built = world.build({ 'grpc@file': lb([a.url], { healthCheck: { mode: 'grpc', path: '/' } }) });
    assert.equal(built.issues.get('grpc@file')?.[0]?.severity, 'warning');
    assert.equal(built.issues.get('grpc@file')?.[0]?.code, ErrorCodes.NOT_SUPPORTED);
    assert.equal((await send((await front(handlerOf(built, 'grpc@file'))).port)).status, 200);
  });

  it('wraps services in their own middlewares when compile provides them, and says why not otherwise', async () => {
    const services = { 'mw@file': { ...lb([a.url]), middlewares: ['tag@file'] } };
    assert.equal(world.build(services).issues.get('mw@file')?.[0]?.code, ErrorCodes.NOT_SUPPORTED);
    const built = world.build(services, {
      applyMiddlewares: (_name, names, next) => (req, res, ctx) => {
        res.setHeader('x-middlewares', names.join(','));
        next(req, res, ctx);
      },
    });
    assert.equal((await send((await front(handlerOf(built, 'mw@file'))).port)).headers['x-middlewares'], 'tag@file');
  });

  it('keeps pooled connections and server health across a rebuild', async () => {
    let connections = 0;
    const counted = await startBackend('counted');
    counted.server.on('connection', () => connections++);
    try {
      const config = { 'keep@file': lb([counted.url]) };
      const first = world.build(config);
      const f = await front(handlerOf(first, 'keep@file'));
      assert.equal((await send(f.port)).status, 200);
      world.servers.setHealth(counted.url, false);
      const second = world.build(config);
      f.handler = handlerOf(second, 'keep@file');
      first.generation.abort();
      assert.equal((await send(f.port)).status, 503, 'still DOWN after the reload');
      world.servers.setHealth(counted.url, true);
      assert.equal((await send(f.port)).status, 200);
      assert.equal(connections, 1, 'the pooled connection survived the reload');
    } finally {
      await counted.close();
    }
  });

  describe('mirroring', () => {
    it('mirrors the configured share of requests with their body, and discards mirror answers', async () => {
      const seen: string[] = [];
      const mirror = await startBackend('mirror', (req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => {
          seen.push(`${req.method} ${req.url} ${body}`);
          res.writeHead(500).end('ignored');
        });
      });
      try {
        const built = world.build({
          'mirrored@file': { mirroring: { service: 'a@file', mirrors: [{ name: 'm@file', percent: 50 }] } },
          'a@file': lb([a.url]),
          'm@file': lb([mirror.url]),
        });
        const port = (await front(handlerOf(built, 'mirrored@file'))).port;
        for (let i = 0; i < 10; i++) {
          const reply = await send(port, { method: 'POST', path: `/r${i}`, body: `body${i}` });
          assert.equal(reply.status, 200);
          assert.equal(JSON.parse(reply.body.toString()).body, `body${i}`);
        }
        await waitFor(() => seen.length === 5, 3000, 'five mirrored requests');
        // Traefik's rule: mirror while mirrored x 100 < total x percent, so the 1st, 3rd, 5th... of 50%.
        assert.deepEqual(seen.sort(), ['POST /r0 body0', 'POST /r2 body2', 'POST /r4 body4', 'POST /r6 body6', 'POST /r8 body8']);
      } finally {
        await mirror.close();
      }
    });

    it('does not mirror a body larger than maxBodySize, and streams it whole to the main service', async () => {
      let mirrored = 0;
      const mirror = await startBackend('mirror', (_req, res) => {
        mirrored++;
        res.end();
      });
      try {
        const built = world.build({
          'capped@file': { mirroring: { service: 'a@file', maxBodySize: 10, mirrors: [{ name: 'm@file', percent: 100 }] } },
          'a@file': lb([a.url]),
          'm@file': lb([mirror.url]),
        });
        const port = (await front(handlerOf(built, 'capped@file'))).port;
        const big = 'x'.repeat(50_000);
        assert.equal(JSON.parse((await send(port, { method: 'POST', body: big })).body.toString()).body, big);
        assert.equal(JSON.parse((await send(port, { method: 'POST', body: 'small' })).body.toString()).body, 'small');
        await waitFor(() => mirrored === 1, 3000, 'the small request to be mirrored');
      } finally {
        await mirror.close();
      }
    });
  });

  describe('failover', () => {
    it('sends to the fallback while the main service has no UP server, 503 when both are DOWN', async () => {
      const services = {
        'fo@file': { failover: { service: 'main@file', fallback: 'spare@file', healthCheck: {} } },
        'main@file': lb([a.url], { healthCheck: { path: '/health', interval: '1h' } }),
        'spare@file': lb([b.url], { healthCheck: { path: '/health', interval: '1h' } }),
      };
      const built = world.build(services);
      const port = (await front(handlerOf(built, 'fo@file'))).port;
      assert.equal((await send(port)).headers['x-backend'], 'a');
      world.servers.setHealth(a.url, false);
      assert.equal((await send(port)).headers['x-backend'], 'b');
      world.servers.setHealth(b.url, false);
      const down = await send(port);
      assert.equal(down.status, 503);
      world.servers.setHealth(a.url, true);
      world.servers.setHealth(b.url, true);
    });

    it('requires a health check on the main service unless errors.status is set', () => {
      const built = world.build({ 'fo@file': { failover: { service: 'plain@file', fallback: 'plain@file' } }, 'plain@file': lb([a.url]) });
      assert.equal(built.issues.get('fo@file')?.[0]?.code, ErrorCodes.INVALID_ELEMENT);
      const invalid = world.build({ 'fo@file': { failover: { service: 'plain@file', fallback: 'plain@file', errors: { status: ['5xx'] } } }, 'plain@file': lb([a.url]) });
      assert.equal(invalid.issues.get('fo@file')?.[0]?.code, ErrorCodes.INVALID_VALUE);
    });

    it('replays the request on the fallback when the main answer has a listed status', async () => {
      const flaky = await startBackend('flaky', (req, res) => {
        req.resume();
        req.on('end', () => {
          if (req.url === '/fail') res.writeHead(503, { 'x-backend': 'flaky', 'set-cookie': 'leak=1' }).end('main failed');
          else res.writeHead(200, { 'x-backend': 'flaky' }).end('main ok');
        });
      });
      try {
        const built = world.build({
          'fo@file': { failover: { service: 'main@file', fallback: 'spare@file', errors: { status: ['500-504'], maxRequestBodyBytes: 1000 } } },
          'main@file': lb([flaky.url]),
          'spare@file': lb([b.url]),
        });
        const port = (await front(handlerOf(built, 'fo@file'))).port;
        const ok = await send(port, { method: 'POST', path: '/ok', body: 'payload' });
        assert.equal(ok.body.toString(), 'main ok');
        const failed = await send(port, { method: 'POST', path: '/fail', body: 'payload' });
        assert.equal(failed.status, 200);
        assert.equal(failed.headers['x-backend'], 'b');
        assert.equal(failed.headers['set-cookie'], undefined, 'nothing of the discarded answer leaks');
        assert.equal(JSON.parse(failed.body.toString()).body, 'payload');
        const tooBig = await send(port, { method: 'POST', path: '/fail', body: 'x'.repeat(2000) });
        assert.equal(tooBig.status, 413);
      } finally {
        await flaky.close();
      }
    });
  });

  it('answers with internal services from the injected map', async () => {
    const built = world.build({}, { roots: ['noop@internal'] });
    assert.equal((await send((await front(handlerOf(built, 'noop@internal'))).port)).status, 418);
    const missing = world.build({}, { roots: ['api@internal'] });
    assert.equal(missing.issues.get('api@internal')?.[0]?.code, ErrorCodes.SERVICE_NOT_FOUND);
  });
});

import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createContext, INVALID } from '../../../src/config/schema/index.js';
import { healthCheckSchema, type HealthCheckConfig } from '../../../src/config/dynamic/http-service.js';
import { ErrorCodes } from '../../../src/errors/codes.js';
import { silentLogger } from '../../../src/observability/logger.js';
import { ActiveHealthCheck, checkHealthCheckConfig, healthCheckUrl } from '../../../src/runtime/services/health-check.js';
import { ServerStateRegistry } from '../../../src/runtime/services/server-state.js';
import { startBackend, type Backend } from '../../helpers/backend.js';
import { waitFor } from '../../helpers/wait-for.js';
import { resolved, send, startFrontend } from './helpers/harness.js';
import { handlerOf, ServiceWorld } from './helpers/services.js';

function healthCheck(raw: Record<string, unknown>): HealthCheckConfig {
  const ctx = createContext({ flat: false, where: (path) => path.join('.') });
  const decoded = healthCheckSchema.decode(raw, [], ctx);
  if (decoded === INVALID || decoded === undefined) throw new Error(JSON.stringify(ctx.issues));
  return decoded;
}

describe('health check configuration', () => {
  it('rejects a missing or absolute path and reports gRPC as not supported', () => {
    assert.equal(checkHealthCheckConfig(healthCheck({}))?.code, ErrorCodes.MISSING_VALUE);
    assert.equal(checkHealthCheckConfig(healthCheck({ path: 'http://elsewhere/health' }))?.severity, 'error');
    const grpc = checkHealthCheckConfig(healthCheck({ mode: 'grpc', path: '/' }));
    assert.equal(grpc?.severity, 'warning');
    assert.equal(grpc?.code, ErrorCodes.NOT_SUPPORTED);
    assert.equal(checkHealthCheckConfig(healthCheck({ path: '/health' })), undefined);
  });

  it('resolves the path against the server URL, then applies scheme and port', () => {
    assert.equal(healthCheckUrl('http://backend:8080/api/', healthCheck({ path: '/health?full=1' })).href, 'http://backend:8080/health?full=1');
    assert.equal(healthCheckUrl('http://backend:8080/api/', healthCheck({ path: 'health' })).href, 'http://backend:8080/api/health');
    assert.equal(healthCheckUrl('http://backend:8080', healthCheck({ path: '/h', scheme: 'https', port: 9443 })).href, 'https://backend:9443/h');
  });
});

describe('active health checks', { timeout: 30_000 }, () => {
  let healthy = true;
  let lastCheck: { method: string; headers: IncomingHttpHeaders; url: string } | undefined;
  let checks = 0;
  let backend: Backend;

  before(async () => {
    backend = await startBackend('checked', (req, res) => {
      if (req.url?.startsWith('/health') === true) {
        checks++;
        lastCheck = { method: req.method ?? '', headers: req.headers, url: req.url };
        res.writeHead(healthy ? 200 : 503).end();
        return;
      }
      if (req.url === '/moved') return void res.writeHead(302, { location: '/health' }).end();
      if (req.url === '/slow') return;
      res.writeHead(200, { 'x-backend': 'checked' }).end('ok');
    });
  });

  after(async () => {
    await backend.close();
  });

  function checker(config: Record<string, unknown>, states: ServerStateRegistry, signal: AbortSignal): ActiveHealthCheck {
    states.acquire(backend.url, signal);
    return new ActiveHealthCheck({ serviceName: 'svc@file', config: healthCheck(config), transport: resolved(), targets: [{ url: backend.url }], states, signal, logger: silentLogger() });
  }

  it('sends the configured method, Host and headers, and judges the status', async () => {
    const states = new ServerStateRegistry();
    const generation = new AbortController();
    try {
      const check = checker({ path: '/health', method: 'HEAD', hostname: 'health.example', headers: { 'X-Probe': 'berth' } }, states, generation.signal);
      assert.equal(await check.check(backend.url), true);
      assert.equal(lastCheck?.method, 'HEAD');
      assert.equal(lastCheck?.headers.host, 'health.example');
      assert.equal(lastCheck?.headers['x-probe'], 'berth');
      healthy = false;
      await assert.rejects(check.check(backend.url), /status 503/);
      healthy = true;
      const expecting = checker({ path: '/health', status: 204 }, states, generation.signal);
      await assert.rejects(expecting.check(backend.url), /expected 204/);
    } finally {
      healthy = true;
      generation.abort();
    }
  });

  it('follows redirects unless told not to, and times out', async () => {
    const states = new ServerStateRegistry();
    const generation = new AbortController();
    try {
      assert.equal(await checker({ path: '/moved', status: 200 }, states, generation.signal).check(backend.url), true);
      await assert.rejects(checker({ path: '/moved', status: 200, followRedirects: false }, states, generation.signal).check(backend.url), /302/);
      assert.equal(await checker({ path: '/moved', followRedirects: false }, states, generation.signal).check(backend.url), true, '3xx counts as UP');
      await assert.rejects(checker({ path: '/slow', timeout: '100ms' }, states, generation.signal).check(backend.url));
    } finally {
      generation.abort();
    }
  });

  it('takes a failing server out of rotation and brings it back, and stops with its generation', async () => {
    const world = new ServiceWorld();
    const other = await startBackend('other');
    try {
      const built = world.build({
        'checked@file': { loadBalancer: { servers: [{ url: backend.url }, { url: other.url }], healthCheck: { path: '/health', interval: '50ms', timeout: '500ms' } } },
      });
      const front = await startFrontend(handlerOf(built, 'checked@file'));
      const changes: string[] = [];
      world.servers.onChange((url, up) => changes.push(`${url === backend.url ? 'checked' : 'other'}:${up ? 'UP' : 'DOWN'}`));
      healthy = false;
      await waitFor(() => world.servers.get(backend.url)?.up === false, 3000, 'the server to go DOWN');
      for (let i = 0; i < 6; i++) assert.equal((await send(front.port)).headers['x-backend'], 'other');
      healthy = true;
      await waitFor(() => world.servers.get(backend.url)?.up === true, 3000, 'the server to come back UP');
      assert.deepEqual(changes, ['checked:DOWN', 'checked:UP']);
      built.generation.abort();
      const after = checks;
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(checks, after, 'no check after the generation was aborted');
      await front.close();
    } finally {
      healthy = true;
      await world.close();
      await other.close();
    }
  });

  it('uses unhealthyInterval for servers that are DOWN', async () => {
    const states = new ServerStateRegistry();
    const generation = new AbortController();
    try {
      const check = checker({ path: '/health', interval: '1h', unhealthyInterval: '50ms' }, states, generation.signal);
      states.setHealth(backend.url, false);
      check.start();
      await waitFor(() => states.get(backend.url)?.up === true, 3000, 'the DOWN server to be re-checked quickly');
    } finally {
      generation.abort();
    }
  });
});

describe('passive health checks', { timeout: 30_000 }, () => {
  it('takes a server out after maxFailedAttempts failures and back after failureWindow', async () => {
    const failing = await startBackend('failing', (_req, res) => res.writeHead(500, { 'x-backend': 'failing' }).end());
    const good = await startBackend('good');
    const world = new ServiceWorld();
    try {
      const built = world.build({
        'passive@file': { loadBalancer: { servers: [{ url: failing.url }, { url: good.url }], passiveHealthCheck: { maxFailedAttempts: 2, failureWindow: '400ms' } } },
      });
      const front = await startFrontend(handlerOf(built, 'passive@file'));
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await send(front.port)).status);
      // wrr alternates: two 500s from the failing server take it out, then only the good one answers.
      assert.deepEqual(statuses.slice(0, 4), [500, 200, 500, 200]);
      assert.deepEqual(statuses.slice(4), [200, 200, 200, 200]);
      assert.equal(world.servers.get(failing.url)?.up, false);
      await waitFor(() => world.servers.get(failing.url)?.up === true, 3000, 'the server to come back after the window');
      await front.close();
    } finally {
      await world.close();
      await failing.close();
      await good.close();
    }
  });
});

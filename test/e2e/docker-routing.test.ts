import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { routerMarker } from '../../src/runtime/compile/deny-router-recursion.js';
import { startBackend } from '../helpers/backend.js';
import { startDockerEngine, TEST_IMAGE, type DockerEngine } from '../helpers/docker-engine.js';
import { send } from '../helpers/http-request.js';
import { removeAllContainers, runNamedHttpd, setHealthy } from '../helpers/named-httpd.js';
import { freePort } from '../helpers/ports.js';
import { roundRobinTolerance } from '../helpers/round-robin.js';
import { spawnBerth, type BerthProcess } from '../helpers/spawn-berth.js';
import { waitFor } from '../helpers/wait-for.js';

// The Docker provider end to end: a real dockerd, a real `berth` process watching it, and real HTTP requests
// through Berth's entrypoint to busybox httpd containers on the host network (127.0.0.1).

let engine: DockerEngine;
let berth: BerthProcess;

before(async () => {
  engine = await startDockerEngine();
  berth = await spawnBerth({ args: [`--providers.docker.endpoint=${engine.endpoint}`, '--providers.providersThrottleDuration=300ms'] });
});

after(async () => {
  await berth?.stop();
  await engine?.close();
});

afterEach(() => removeAllContainers(engine));

/** GET / through Berth's web entrypoint with this Host; the body trimmed. */
async function get(host: string, headers: Record<string, string> = {}) {
  const answer = await send(`${berth.web}/`, { host, headers });
  return { status: answer.status, body: answer.body.trim() };
}

async function web(name: string, labels: Record<string, string>, options: { healthCheck?: boolean } = {}) {
  const port = await freePort();
  // Replicas share their service through the compose labels; the service label names nothing, so each compose
  // service (or lone container) gets its own default service.
  const id = await runNamedHttpd(engine, { name, port, labels: { ...labels, [`berth.http.services.${service(labels, name)}.loadbalancer.server.port`]: String(port) }, ...options });
  return { id, port };
}

function service(labels: Record<string, string>, name: string): string {
  return labels['com.docker.compose.service'] ?? name;
}

/** Which backends answer `count` requests for `host`, by name. */
async function spread(host: string, count: number): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const { status, body } = await get(host);
    const key = status === 200 ? body : `status ${status}`;
    seen[key] = (seen[key] ?? 0) + 1;
  }
  return seen;
}

test('a route appears when a labeled container starts and disappears when it stops', async () => {
  assert.equal((await get('a.test')).status, 404);
  const a = await web('web-a', { 'berth.http.routers.a.rule': 'Host(`a.test`)' });
  await waitFor(async () => (await get('a.test')).body === 'web-a', 15_000, 'a.test to be routed to container web-a');

  await engine.docker('stop', a.id);
  await waitFor(async () => (await get('a.test')).status === 404, 15_000, 'a.test to be gone');
});

test('two replicas of one compose service are balanced', async () => {
  const labels = { 'com.docker.compose.project': 'demo', 'com.docker.compose.service': 'web', 'berth.http.routers.web.rule': 'Host(`replicas.test`)' };
  await web('demo-web-1', labels);
  await web('demo-web-2', labels);
  await waitFor(async () => Object.keys(await spread('replicas.test', 4)).length === 2, 15_000, 'both replicas in rotation');
  const seen = await spread('replicas.test', 10);
  assert.deepEqual(Object.keys(seen).sort(), ['demo-web-1', 'demo-web-2']);
  assert.ok(Math.abs((seen['demo-web-1'] ?? 0) - (seen['demo-web-2'] ?? 0)) <= roundRobinTolerance(), `round robin over ${roundRobinTolerance()} workers: ${JSON.stringify(seen)}`);
});

test('an unhealthy container leaves rotation and comes back when healthy again', async () => {
  const labels = { 'com.docker.compose.project': 'demo', 'com.docker.compose.service': 'health', 'berth.http.routers.health.rule': 'Host(`health.test`)' };
  await web('health-1', labels, { healthCheck: true });
  const two = await web('health-2', labels, { healthCheck: true });
  await waitFor(async () => Object.keys(await spread('health.test', 4)).length === 2, 20_000, 'both replicas healthy and in rotation');

  await setHealthy(engine, two.id, false);
  await waitFor(async () => JSON.stringify(await spread('health.test', 6)) === JSON.stringify({ 'health-1': 6 }), 20_000, 'only health-1 to serve');
  await setHealthy(engine, two.id, true);
  await waitFor(async () => Object.keys(await spread('health.test', 4)).length === 2, 20_000, 'health-2 back in rotation');
});

test('a malformed label on one container leaves another container serving, and the API says which label is wrong', async () => {
  await web('good', { 'berth.http.routers.good.rule': 'Host(`good.test`)' });
  await web('bad', { 'berth.http.routers.bad.rule': 'Host(`bad.test`)', 'berth.http.routers.bad.priority': 'high' });
  await waitFor(async () => (await get('good.test')).body === 'good', 15_000, 'the good container to serve');
  const view = await waitFor(async () => {
    const answer = await send(`${berth.api}/api/http/routers/bad@docker`);
    return answer.status === 200 ? JSON.parse(answer.body) as { status: string; error?: string[] } : undefined;
  }, 15_000, 'the bad router in the API');
  assert.equal(view.status, 'disabled');
  assert.match(JSON.stringify(view.error), /label berth\.http\.routers\.bad\.priority on container bad/);
  assert.equal((await get('bad.test')).status, 404);
  assert.equal((await get('good.test')).body, 'good');
});

test('a default-rule router refuses a request that loops back through it, and marks the requests it forwards', async () => {
  const backend = await startBackend('marked');
  try {
    const webPort = new URL(berth.web).port;
    // A container whose server is Berth itself: its default rule Host(`loop`) sends Berth's requests back to Berth.
    await engine.docker('run', '-d', '--name', 'loop', '--network', 'host', '--init',
      '--label', `berth.http.services.loop.loadbalancer.server.port=${webPort}`, TEST_IMAGE, '/bin/busybox', 'sleep', '600');
    // Default rule Host(`marked`), server on the test's own backend, which records the headers it gets.
    await engine.docker('run', '-d', '--name', 'marked', '--network', 'host', '--init',
      '--label', `berth.http.services.marked.loadbalancer.server.url=${backend.url}`, TEST_IMAGE, '/bin/busybox', 'sleep', '600');
    // The same backend behind an explicit rule: no marker (Traefik checks default-rule routers only).
    await engine.docker('run', '-d', '--name', 'explicit', '--network', 'host', '--init',
      '--label', 'berth.http.routers.explicit.rule=Host(`explicit.test`)',
      '--label', `berth.http.services.explicit.loadbalancer.server.url=${backend.url}`, TEST_IMAGE, '/bin/busybox', 'sleep', '600');

    await waitFor(async () => (await get('marked')).status === 200, 15_000, 'the marked router');
    assert.equal(backend.requests.at(-1)?.headers['x-traefik-router'], routerMarker('marked@docker'));
    await waitFor(async () => (await get('explicit.test')).status === 200, 15_000, 'the explicit router');
    assert.equal(backend.requests.at(-1)?.headers['x-traefik-router'], undefined);

    // Berth -> loop@docker -> Berth -> loop@docker again: refused with 400 at the second pass, not a request storm.
    const loop = await waitFor(async () => {
      const answer = await get('loop');
      return answer.status === 404 ? undefined : answer;
    }, 15_000, 'the loop router');
    assert.equal(loop.status, 400);
    const view = JSON.parse((await send(`${berth.api}/api/http/routers/loop@docker`)).body) as Record<string, unknown>;
    assert.equal(view['defaultRule'], true);
  } finally {
    await backend.close();
  }
});

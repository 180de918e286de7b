import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDockerEngine, TEST_IMAGE, type DockerEngine } from '../helpers/docker-engine.js';
import { send } from '../helpers/http-request.js';
import { removeAllContainers, runNamedHttpd } from '../helpers/named-httpd.js';
import { freePort } from '../helpers/ports.js';
import { spawnBerth, type BerthProcess } from '../helpers/spawn-berth.js';
import { waitFor } from '../helpers/wait-for.js';

// The Docker provider under stress, end to end through a real `berth` process: the daemon restarted under it,
// and a storm of container starts and stops. Berth runs with Traefik's default throttle (2 s) and DEBUG logs,
// whose lines are how reloads and refreshes are counted.

let engine: DockerEngine;
let berth: BerthProcess;

before(async () => {
  engine = await startDockerEngine();
  berth = await spawnBerth({ args: [`--providers.docker.endpoint=${engine.endpoint}`], logLevel: 'DEBUG' });
});

after(async () => {
  await berth?.stop();
  await engine?.close();
});

afterEach(() => removeAllContainers(engine));

async function status(host: string): Promise<number> {
  return (await send(`${berth.web}/`, { host })).status;
}

async function routerNames(): Promise<string[]> {
  const answer = await send(`${berth.api}/api/http/routers?per_page=500&search=@docker`);
  return (JSON.parse(answer.body) as Array<{ name: string }>).map((router) => router.name).sort();
}

test('the daemon restarted under Berth is reconnected to, and routes come back', async () => {
  const port = await freePort();
  await runNamedHttpd(engine, { name: 'sticky', port, restart: 'always', labels: {
    'berth.http.routers.sticky.rule': 'Host(`sticky.test`)', 'berth.http.services.sticky.loadbalancer.server.port': String(port),
  } });
  await waitFor(async () => (await status('sticky.test')) === 200, 15_000, 'sticky.test to serve');

  const before = berth.logs.length;
  await engine.stop();
  await waitFor(() => berth.logs.slice(before).some((line) => line['level'] === 'warn' && /Docker daemon/.test(String(line['msg']))), 15_000, 'Berth to notice the daemon is gone');
  // The last configuration stays: the route still exists, only its server is down with the daemon.
  assert.equal(await status('sticky.test'), 502);

  await engine.start();
  await waitFor(() => berth.logs.slice(before).some((line) => line['msg'] === 'reconnected to the Docker daemon'), 30_000, 'Berth to reconnect');
  await waitFor(async () => (await status('sticky.test')) === 200, 20_000, 'sticky.test to serve again once the daemon restarted it');
  // The event stream is live again: a container started now is routed.
  const late = await freePort();
  await runNamedHttpd(engine, { name: 'late', port: late, labels: {
    'berth.http.routers.late.rule': 'Host(`late.test`)', 'berth.http.services.late.loadbalancer.server.port': String(late),
  } });
  await waitFor(async () => (await status('late.test')) === 200, 15_000, 'a container started after the restart to be routed');
});

test('a storm of 50 container starts and stops ends in the right routes with few reloads', async (t) => {
  const ids = await Promise.all(Array.from({ length: 50 }, (_, i) => engine.docker(
    'create', '--network', 'host', '--init', '--stop-timeout', '1',
    '--label', `berth.http.routers.s${i}.rule=Host(\`s${i}.test\`)`,
    // Nothing listens there: a route that exists answers 502, one that does not 404.
    '--label', `berth.http.services.s${i}.loadbalancer.server.port=${1 + i}`,
    TEST_IMAGE, '/bin/busybox', 'sleep', '600',
  )));
  await waitFor(() => berth.lines('configuration applied').length > 0, 5000);
  const logStart = berth.logs.length;
  const started = Date.now();
  await engine.docker('start', ...ids);
  await engine.docker('stop', '-t', '0', ...ids.slice(0, 25));

  const expected = Array.from({ length: 25 }, (_, i) => `s${i + 25}@docker`).sort();
  await waitFor(async () => JSON.stringify(await routerNames()) === JSON.stringify(expected), 30_000, 'the 25 routers of the running containers');
  const storm = berth.logs.slice(logStart);
  const reloads = storm.filter((line) => line['msg'] === 'configuration applied').length;
  const refreshes = storm.filter((line) => line['msg'] === 'refreshing after Docker events');
  const events = refreshes.reduce((sum, line) => sum + Number(line['events']), 0);
  const seconds = (Date.now() - started) / 1000;
  // 50 starts and 25 kill/die/stop: at least 125 relevant events; the provider coalesces them into few refreshes
  // and the 2 s throttle into at most one reload per 2 s (plus the last).
  t.diagnostic(`${events} events, ${refreshes.length} refreshes, ${reloads} reloads in ${seconds.toFixed(1)} s`);
  assert.ok(events >= 125, `only ${events} Docker events were seen`);
  assert.ok(refreshes.length < events / 2, `${refreshes.length} refreshes for ${events} events`);
  assert.ok(reloads >= 1 && reloads <= Math.ceil(seconds / 2) + 1, `${reloads} reloads in ${seconds.toFixed(1)} s`);

  assert.equal(await status('s0.test'), 404);
  assert.equal(await status('s49.test'), 502);
});

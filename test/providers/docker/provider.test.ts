import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DynamicConfig } from '../../../src/config/dynamic/model.js';
import type { ProviderMessage } from '../../../src/providers/provider.js';
import { createDockerProvider } from '../../../src/providers/docker/provider.js';
import { captureLogs } from '../../fixtures/docker/capture-logs.js';
import { dockerSettings } from '../../fixtures/docker/containers.js';
import { startDockerEngine, TEST_IMAGE, type DockerEngine } from '../../helpers/docker-engine.js';
import { freePort } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait-for.js';

// Against a real dockerd (ENVIRONMENT.md): containers on the host network serve busybox httpd on 127.0.0.1.

let engine: DockerEngine;

before(async () => {
  engine = await startDockerEngine();
});

after(async () => {
  await engine?.close();
});

afterEach(async () => {
  const ids = await engine.docker('ps', '-aq');
  if (ids !== '') await engine.docker('rm', '-f', ...ids.split('\n'));
});

interface Watched {
  readonly messages: ProviderMessage[];
  readonly logs: Array<Record<string, unknown>>;
  readonly started: Promise<void>;
  latest(): DynamicConfig | undefined;
  stop(): void;
}

const running: Watched[] = [];
afterEach(() => {
  for (const watched of running.splice(0)) watched.stop();
});

function watch(overrides: Record<string, unknown> = {}, endpoint = engine.endpoint): Watched {
  const { logs, logger } = captureLogs();
  const provider = createDockerProvider(dockerSettings({ endpoint, ...overrides }), {
    logger,
    resolveHostIp: async () => '127.0.0.1',
    backoff: { initialMs: 100, maxMs: 1000, jitter: 0 },
  });
  const messages: ProviderMessage[] = [];
  const controller = new AbortController();
  const started = provider.start((message) => {
    messages.push(message);
    logs.push({ msg: 'test: published' });
  }, controller.signal);
  const watched: Watched = {
    messages,
    logs,
    started,
    latest: () => messages.at(-1)?.config,
    stop: () => controller.abort(),
  };
  running.push(watched);
  return watched;
}

const routers = (config: DynamicConfig | undefined) => Object.keys(config?.http?.routers ?? {}).sort();
const servers = (config: DynamicConfig | undefined, service: string) => {
  const lb = config?.http?.services?.[service] as { loadBalancer?: { servers: Array<{ url: string }> } } | undefined;
  return (lb?.loadBalancer?.servers ?? []).map((server) => server.url).sort();
};

async function httpd(name: string, labels: Record<string, string>, options: { healthCheck?: 'file'; restart?: 'always' } = {}) {
  const port = await freePort();
  const id = await engine.runHttpd({ name, port, labels: { ...labels, 'berth.http.services.app.loadbalancer.server.port': String(port) }, ...options });
  return { id, port, url: `http://127.0.0.1:${port}` };
}

test('routes appear when a labeled container starts and disappear when it stops', async () => {
  const provider = watch();
  await provider.started;
  const app = await httpd('web-a', { 'berth.http.routers.a.rule': 'Host(`a.test`)' });
  const config = await waitFor(() => (routers(provider.latest()).includes('a') ? provider.latest() : undefined), 10_000, 'router a');
  assert.deepEqual(config.http?.routers?.['a'], { rule: 'Host(`a.test`)', service: 'app' });
  assert.deepEqual(servers(config, 'app'), [app.url]);
  // The published address really is the container's server.
  assert.equal(await (await fetch(app.url)).text(), 'hi\n');

  await engine.docker('stop', app.id);
  await waitFor(() => !routers(provider.latest()).includes('a'), 10_000, 'router a to disappear');
});

test('two replicas become one service with two servers', async () => {
  const provider = watch();
  const compose = { 'com.docker.compose.project': 'demo', 'com.docker.compose.service': 'web', 'berth.http.routers.web.rule': 'Host(`web.test`)' };
  const one = await httpd('demo-web-1', compose);
  const two = await httpd('demo-web-2', compose);
  const config = await waitFor(() => (servers(provider.latest(), 'app').length === 2 ? provider.latest() : undefined), 10_000, 'two servers');
  assert.deepEqual(servers(config, 'app'), [one.url, two.url].sort());
  assert.deepEqual(routers(config), ['web']);
  assert.deepEqual(provider.messages.at(-1)?.issues, []);
});

test('an unhealthy container leaves rotation', async () => {
  const provider = watch();
  const labels = { 'com.docker.compose.project': 'demo', 'com.docker.compose.service': 'web', 'berth.http.routers.web.rule': 'Host(`web.test`)' };
  const one = await httpd('demo-web-1', labels, { healthCheck: 'file' });
  const two = await httpd('demo-web-2', labels, { healthCheck: 'file' });
  await waitFor(() => servers(provider.latest(), 'app').length === 2, 15_000, 'both replicas healthy');

  await engine.docker('exec', two.id, '/bin/busybox', 'rm', '/www/index.html');
  const config = await waitFor(() => (servers(provider.latest(), 'app').length === 1 ? provider.latest() : undefined), 15_000, 'the unhealthy replica to leave');
  assert.deepEqual(servers(config, 'app'), [one.url]);
});

test('a malformed label on one container leaves another container intact, and names label and container', async () => {
  const provider = watch();
  await httpd('good', { 'berth.http.routers.good.rule': 'Host(`good.test`)' });
  await httpd('bad', { 'berth.http.routers.bad.rule': 'Host(`bad.test`)', 'berth.http.routers.bad.priority': 'high' });
  const message = await waitFor(() => {
    const last = provider.messages.at(-1);
    const found = last?.issues.some((issue) => issue.where === 'label berth.http.routers.bad.priority on container bad') && routers(last?.config).includes('good');
    return found ? last : undefined;
  }, 10_000, 'the issue about the bad label');
  assert.deepEqual(routers(message.config), ['good']);
  const issue = message.issues.find((i) => i.where.includes('container bad'));
  assert.deepEqual(issue?.element, { section: 'http.routers', name: 'bad' });
  assert.equal(issue?.severity, 'error');
});

test('watch=false lists once; a watching provider sees later containers', async () => {
  const once = watch({ watch: false });
  await once.started;
  assert.equal(once.messages.length, 1);
  const watching = watch();
  await watching.started;
  await httpd('late', { 'berth.http.routers.late.rule': 'Host(`late.test`)' });
  await waitFor(() => routers(watching.latest()).includes('late'), 10_000, 'the watching provider to see the container');
  assert.equal(once.messages.length, 1);
});

test('abort stops publishing', async () => {
  const aborted = watch();
  await aborted.started;
  aborted.stop();
  const count = aborted.messages.length;
  const watching = watch();
  await httpd('after-abort', { 'berth.http.routers.x.rule': 'Host(`x.test`)' });
  await waitFor(() => routers(watching.latest()).includes('x'), 10_000, 'the other provider to see the container');
  assert.equal(aborted.messages.length, count);
});

test('a storm of 50 container starts and stops ends in the right state, with coalesced publications', async () => {
  const provider = watch();
  await provider.started;
  const ids: string[] = [];
  for (let batch = 0; batch < 50; batch += 10) {
    ids.push(...await Promise.all(Array.from({ length: 10 }, (_, i) => engine.docker(
      'create', '--network', 'host', '--init', '--stop-timeout', '1',
      '--label', `berth.http.routers.s${batch + i}.rule=Host(\`s${batch + i}.test\`)`,
      '--label', `berth.http.services.s${batch + i}.loadbalancer.server.port=${20000 + batch + i}`,
      TEST_IMAGE, '/bin/busybox', 'sleep', '600',
    ))));
  }
  const before = provider.messages.length;
  await engine.docker('start', ...ids);
  await engine.docker('stop', '-t', '0', ...ids.slice(0, 25));

  const expected = Array.from({ length: 25 }, (_, i) => `s${i + 25}`).sort();
  await waitFor(() => JSON.stringify(routers(provider.latest())) === JSON.stringify(expected), 30_000, 'the final 25 routers');
  const published = provider.messages.length - before;
  const refreshes = provider.logs.filter((line) => line['msg'] === 'refreshing after Docker events');
  const events = refreshes.reduce((sum, line) => sum + Number(line['events']), 0);
  // 50 starts and 25 kill/die/stop triples: at least 125 relevant events, handled in far fewer refreshes.
  assert.ok(events >= 125, `only ${events} events seen`);
  assert.ok(refreshes.length < events / 2, `${refreshes.length} refreshes for ${events} events`);
  assert.ok(published <= refreshes.length, `${published} publications for ${refreshes.length} refreshes`);
  for (let i = before + 1; i < provider.messages.length; i++) {
    assert.notDeepEqual(provider.messages[i], provider.messages[i - 1], 'an unchanged state was republished');
  }
});

test('a daemon stopped and restarted under a running provider is reconnected to, and the config comes back', async () => {
  const provider = watch();
  await httpd('sticky', { 'berth.http.routers.sticky.rule': 'Host(`sticky.test`)' }, { restart: 'always' });
  await waitFor(() => routers(provider.latest()).includes('sticky'), 10_000, 'router sticky');

  // The daemon serves API calls for a while during its shutdown, so the provider may lose it, reconnect
  // and lose it again: the outage that matters starts once the daemon has exited.
  await engine.stop();
  const exitedAt = provider.logs.length;
  const isFailure = (line: Record<string, unknown>) => line['level'] === 'warn' || line['msg'] === 'Docker daemon still unreachable';
  await waitFor(() => provider.logs.slice(exitedAt).some(isFailure), 10_000, 'a failed attempt after the daemon exited');
  const warning = provider.logs.findLast((line) => line['level'] === 'warn');
  assert.ok(warning !== undefined, 'the first failure of an outage is a warning');
  assert.equal(warning['endpoint'], engine.endpoint);
  assert.match(String(warning['hint']), /daemon/);
  // Let at least one retry fail too, so that the level of later attempts is what is checked below.
  await waitFor(() => provider.logs.slice(exitedAt).some((line) => line['level'] === 'debug' && line['msg'] === 'Docker daemon still unreachable'), 15_000, 'a failed retry');

  await engine.start();
  const isReconnected = (line: Record<string, unknown>) => line['level'] === 'info' && line['msg'] === 'reconnected to the Docker daemon';
  await waitFor(() => provider.logs.slice(exitedAt).some(isReconnected), 20_000, 'reconnection');
  // While the daemon was away nothing was published (the last configuration stays); on reconnection the
  // full state was published once, right before the "reconnected" line. Retries were logged at debug.
  const outage = provider.logs.slice(exitedAt, exitedAt + provider.logs.slice(exitedAt).findIndex(isReconnected));
  assert.equal(outage.filter((line) => line['msg'] === 'test: published').length, 1, JSON.stringify(outage));
  assert.equal(outage.at(-1)?.['msg'], 'test: published');
  assert.ok(outage.some((line) => line['level'] === 'debug' && line['msg'] === 'Docker daemon still unreachable'), JSON.stringify(outage));
  assert.ok(outage.filter((line) => line['level'] === 'warn').length <= 1);
  await waitFor(() => routers(provider.latest()).includes('sticky'), 20_000, 'router sticky to come back');
  // Retries after the first failure log at debug, not warn.
  assert.equal(provider.logs.filter((line) => line['level'] === 'warn').length, 1);
});

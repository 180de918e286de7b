import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import type { DynamicConfig } from '../../src/config/dynamic/model.js';
import type { Snapshot } from '../../src/config/dynamic/snapshot.js';
import type { ConfigIssue } from '../../src/errors/config-issue.js';
import { silentLogger } from '../../src/observability/logger.js';
import { parseDynamicFiles } from '../../src/providers/file/parse.js';
import type { Provider, Publish } from '../../src/providers/provider.js';
import { createConfigurationWatcher } from '../../src/watcher/configuration-watcher.js';
import { waitFor } from '../helpers/wait-for.js';

function routers(...names: string[]): DynamicConfig {
  const yaml = `http:\n  routers:\n${names.map((n) => `    ${n}: { rule: "Host(\`${n}.test\`)", service: app }\n`).join('')}`;
  return parseDynamicFiles([{ name: 't.yml', text: yaml }]).config as DynamicConfig;
}

const yamlError: ConfigIssue = { code: 'BERTH_ERR_YAML_SYNTAX', severity: 'error', where: 'dynamic/app.yml:3:5', message: 'YAML syntax error' };

/** A provider driven by the test: `send` publishes; the first message is published by start(). */
function fakeProvider(name: string, first: { config?: DynamicConfig; issues?: ConfigIssue[] }, options: { throttled?: boolean; failures?: number } = {}) {
  let publish: Publish | undefined;
  let failures = options.failures ?? 0;
  const provider: Provider = {
    name,
    throttled: options.throttled ?? true,
    async start(p) {
      if (failures-- > 0) throw new Error('socket not found');
      publish = p;
      send(first);
    },
  };
  const send = (message: { config?: DynamicConfig; issues?: ConfigIssue[] }): void => {
    const issues = message.issues ?? [];
    publish?.(message.config === undefined ? { provider: name, issues } : { provider: name, config: message.config, issues });
  };
  return { provider, send };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function watch(t: { after: (fn: () => void) => void }, providers: Provider[], throttleMs = 0) {
  const snapshots: Snapshot[] = [];
  const controller = new AbortController();
  t.after(() => controller.abort());
  const watcher = createConfigurationWatcher({
    providers,
    throttleMs,
    logger: silentLogger(),
    onSnapshot: (snapshot) => snapshots.push(snapshot),
    retry: { initialMs: 5, maxMs: 5, jitter: 0 },
  });
  return { snapshots, watcher, controller, start: () => watcher.start(controller.signal) };
}

const routerNames = (snapshot: Snapshot | undefined): string[] => Object.keys(snapshot?.config.http?.routers ?? {}).sort();

test('snapshots are merged, frozen and numbered; one per change', async (t) => {
  const file = fakeProvider('file', { config: routers('web') });
  const w = watch(t, [file.provider]);
  await w.start();
  assert.equal(w.snapshots.length, 1);
  const first = w.snapshots[0] as Snapshot;
  assert.equal(first.generation, 1);
  assert.deepEqual(first.providers, ['file']);
  assert.deepEqual(routerNames(first), ['web@file']);
  assert.equal(w.watcher.current(), first);
  assert.ok(Object.isFrozen(first) && Object.isFrozen(first.config.http?.routers?.['web@file']));

  file.send({ config: routers('web', 'api') });
  await turn();
  assert.equal(w.snapshots.length, 2);
  assert.equal(w.snapshots[1]?.generation, 2);
  assert.deepEqual(routerNames(w.snapshots[1]), ['api@file', 'web@file']);
});

test('a message identical to the provider\'s previous one is dropped', async (t) => {
  const file = fakeProvider('file', { config: routers('web') });
  const w = watch(t, [file.provider]);
  await w.start();
  file.send({ config: routers('web') });
  await turn();
  await turn();
  assert.equal(w.snapshots.length, 1);
  // Issues alone are a change.
  const warning: ConfigIssue = { ...yamlError, severity: 'warning', code: 'BERTH_ERR_DUPLICATE_ELEMENT' };
  file.send({ config: routers('web'), issues: [warning] });
  await turn();
  assert.equal(w.snapshots.length, 2);
  assert.deepEqual(w.snapshots[1]?.issues, [warning]);
});

test('a message without configuration keeps the provider\'s previous configuration and replaces its issues', async (t) => {
  const file = fakeProvider('file', { config: routers('web') });
  const docker = fakeProvider('docker', { config: routers('whoami') });
  const w = watch(t, [file.provider, docker.provider]);
  await w.start();
  const before = w.watcher.current() as Snapshot;
  file.send({ issues: [yamlError] });
  await turn();
  const broken = w.watcher.current() as Snapshot;
  assert.equal(broken.generation, before.generation + 1);
  assert.deepEqual(routerNames(broken), ['web@file', 'whoami@docker']);
  assert.deepEqual(broken.issues, [yamlError]);
  file.send({ config: routers('fixed') });
  await turn();
  assert.deepEqual(routerNames(w.watcher.current()), ['fixed@file', 'whoami@docker']);
  assert.deepEqual(w.watcher.current()?.issues, []);
});

test('a provider whose first message has no configuration still appears, with an empty configuration', async (t) => {
  const file = fakeProvider('file', { issues: [yamlError] });
  const w = watch(t, [file.provider]);
  await w.start();
  assert.deepEqual(w.watcher.current()?.providers, ['file']);
  assert.deepEqual(routerNames(w.watcher.current()), []);
  assert.deepEqual(w.watcher.current()?.issues, [yamlError]);
});

test('messages in the same turn make one snapshot; onSnapshot is never re-entered', async (t) => {
  const a = fakeProvider('a', { config: routers('one') }, { throttled: false });
  const b = fakeProvider('b', { config: routers('two') }, { throttled: false });
  let inside = false;
  let reentered = false;
  const seen: number[] = [];
  const controller = new AbortController();
  t.after(() => controller.abort());
  const watcher = createConfigurationWatcher({
    providers: [a.provider, b.provider],
    throttleMs: 0,
    logger: silentLogger(),
    onSnapshot(snapshot) {
      reentered ||= inside;
      inside = true;
      seen.push(snapshot.generation);
      // A publication from inside the callback is applied afterwards, in a snapshot of its own.
      if (snapshot.generation === 2) a.send({ config: routers('three') });
      inside = false;
    },
  });
  await watcher.start(controller.signal);
  assert.deepEqual(seen, [1]);
  assert.deepEqual(routerNames(watcher.current()), ['one@a', 'two@b']);
  a.send({ config: routers('one', 'x') });
  b.send({ config: routers('two', 'y') });
  await turn();
  assert.deepEqual(seen, [1, 2]);
  await turn();
  assert.deepEqual(seen, [1, 2, 3]);
  assert.equal(reentered, false);
  assert.deepEqual(routerNames(watcher.current()), ['three@a', 'two@b', 'y@b']);
});

test('throttled providers are throttled on their own; unthrottled ones pass straight through', async (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const docker = fakeProvider('docker', { config: routers('d0') });
  const internal = fakeProvider('internal', { config: routers('i0') }, { throttled: false });
  const w = watch(t, [docker.provider, internal.provider], 2000);
  await w.start();
  assert.deepEqual(routerNames(w.watcher.current()), ['d0@docker', 'i0@internal']);
  docker.send({ config: routers('d1') });
  docker.send({ config: routers('d2') });
  internal.send({ config: routers('i1') });
  await turn();
  assert.deepEqual(routerNames(w.watcher.current()), ['d0@docker', 'i1@internal']);
  mock.timers.tick(2000);
  await turn();
  assert.deepEqual(routerNames(w.watcher.current()), ['d2@docker', 'i1@internal']);
});

test('a provider whose start() throws is reported and restarted with backoff; the others are served', async (t) => {
  const flaky = fakeProvider('docker', { config: routers('whoami') }, { failures: 2 });
  const file = fakeProvider('file', { config: routers('web') });
  const w = watch(t, [flaky.provider, file.provider]);
  await w.start();
  const first = w.watcher.current() as Snapshot;
  assert.deepEqual(routerNames(first), ['web@file']);
  assert.deepEqual(first.issues.map((i) => [i.code, i.where]), [['BERTH_ERR_PROVIDER_FAILED', 'provider docker']]);
  assert.match(first.issues[0]?.message ?? '', /socket not found/);
  await waitFor(() => routerNames(w.watcher.current()).includes('whoami@docker'), 2000, 'the restarted provider');
  assert.deepEqual(w.watcher.current()?.issues, []);
});

test('nothing is applied after abort', async (t) => {
  const file = fakeProvider('file', { config: routers('web') });
  const w = watch(t, [file.provider]);
  await w.start();
  w.controller.abort();
  file.send({ config: routers('late') });
  await turn();
  assert.equal(w.snapshots.length, 1);
});

test('an onSnapshot that throws does not stop later snapshots', async (t) => {
  const file = fakeProvider('file', { config: routers('web') });
  const seen: number[] = [];
  const controller = new AbortController();
  t.after(() => controller.abort());
  const watcher = createConfigurationWatcher({
    providers: [file.provider],
    throttleMs: 0,
    logger: silentLogger(),
    onSnapshot(snapshot) {
      seen.push(snapshot.generation);
      if (snapshot.generation === 1) throw new Error('compile failed');
    },
  });
  await watcher.start(controller.signal);
  file.send({ config: routers('api') });
  await turn();
  assert.deepEqual(seen, [1, 2]);
});

test('two providers with one name are refused', () => {
  const a = fakeProvider('file', {});
  const b = fakeProvider('file', {});
  assert.throws(() => createConfigurationWatcher({ providers: [a.provider, b.provider], throttleMs: 0, logger: silentLogger(), onSnapshot: () => undefined }), /named "file"/);
});

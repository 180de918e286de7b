import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Snapshot } from '../../src/config/dynamic/snapshot.js';
import { silentLogger } from '../../src/observability/logger.js';
import { createFileProvider } from '../../src/providers/file/provider.js';
import { createConfigurationWatcher } from '../../src/watcher/configuration-watcher.js';
import { waitFor } from '../helpers/wait-for.js';

test('file provider through the watcher: edits become snapshots, a broken file keeps the last good configuration', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-watch-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const controller = new AbortController();
  t.after(() => controller.abort());
  await writeFile(join(dir, 'app.yml'), 'http:\n  routers:\n    web: { rule: "Host(`a.test`)", service: app, middlewares: [auth] }\n');
  const snapshots: Snapshot[] = [];
  const watcher = createConfigurationWatcher({
    providers: [createFileProvider({ directory: dir, watch: true, debugLogGeneratedTemplate: false }, { logger: silentLogger(), debounceMs: 20 })],
    throttleMs: 50,
    logger: silentLogger(),
    onSnapshot: (snapshot) => snapshots.push(snapshot),
  });
  await watcher.start(controller.signal);
  assert.deepEqual(snapshots.map((s) => s.generation), [1]);
  assert.deepEqual(snapshots[0]?.config.http?.routers?.['web@file']?.middlewares, ['auth@file']);

  await writeFile(join(dir, 'app.yml'), 'http:\n  routers:\n    web: [\n');
  const broken = await waitFor(() => snapshots.find((s) => s.issues.length > 0), 4000, 'the broken-file snapshot');
  assert.equal(broken.generation, 2);
  assert.equal(broken.issues[0]?.code, 'BERTH_ERR_YAML_SYNTAX');
  assert.equal(broken.config.http?.routers?.['web@file']?.rule, 'Host(`a.test`)');

  await writeFile(join(dir, 'app.yml'), 'http:\n  routers:\n    web: { rule: "Host(`b.test`)", service: app }\n');
  const fixed = await waitFor(() => snapshots.find((s) => s.config.http?.routers?.['web@file']?.rule === 'Host(`b.test`)'), 4000, 'the fixed snapshot');
  assert.equal(fixed.generation, 3);
  assert.deepEqual(fixed.issues, []);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProviderMessage } from '../../../src/providers/provider.js';
import { createDockerProvider } from '../../../src/providers/docker/provider.js';
import { captureLogs } from '../../fixtures/docker/capture-logs.js';
import { dockerSettings } from '../../fixtures/docker/containers.js';
import { waitFor } from '../../helpers/wait-for.js';

test('a daemon that is down at start: start() resolves at once, nothing is published, a warning with a hint, retries at debug', async () => {
  const dir = await mkdtemp('/tmp/berth-nodocker-');
  const socket = join(dir, 'docker.sock');
  const { logs, logger } = captureLogs();
  const provider = createDockerProvider(dockerSettings({ endpoint: `unix://${socket}` }), { logger, backoff: { initialMs: 20, maxMs: 50, jitter: 0 } });
  const messages: ProviderMessage[] = [];
  const controller = new AbortController();
  try {
    const began = Date.now();
    await provider.start((message) => messages.push(message), controller.signal);
    assert.ok(Date.now() - began < 2000, 'start() waited for the daemon');
    await waitFor(() => logs.filter((line) => line['msg'] === 'Docker daemon still unreachable').length >= 2, 5000, 'retries');
    const warnings = logs.filter((line) => line['level'] === 'warn');
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]?.['endpoint'], `unix://${socket}`);
    assert.match(String(warnings[0]?.['hint']), /no socket at .*docker\.sock: is the Docker socket mounted/);
    assert.deepEqual(messages, []);
    assert.equal(provider.name, 'docker');
    assert.equal(provider.throttled, true);
  } finally {
    controller.abort();
    await rm(dir, { recursive: true, force: true });
  }
  const count = logs.length;
  // After abort no attempt is made any more: wait past several backoff periods by polling for a change.
  await assert.rejects(waitFor(() => logs.length > count, 300, 'more log lines'));
});

test('broken settings: the provider publishes the issue without a configuration and does not connect', async () => {
  const { logs, logger } = captureLogs();
  const provider = createDockerProvider(dockerSettings({ endpoint: 'unix:///nonexistent/docker.sock', constraints: 'Label(`a`' }), { logger });
  const messages: ProviderMessage[] = [];
  await provider.start((message) => messages.push(message), new AbortController().signal);
  assert.equal(messages.length, 1);
  assert.equal(messages[0]?.config, undefined);
  assert.equal(messages[0]?.issues[0]?.where, 'providers.docker.constraints');
  assert.ok(logs.some((line) => line['level'] === 'error'));
  assert.ok(!logs.some((line) => line['level'] === 'warn'));
});

test('an unsupported endpoint is reported as an issue', async () => {
  const { logger } = captureLogs();
  const provider = createDockerProvider(dockerSettings({ endpoint: 'ssh://user@host' }), { logger });
  const messages: ProviderMessage[] = [];
  await provider.start((message) => messages.push(message), new AbortController().signal);
  assert.equal(messages[0]?.issues[0]?.code, 'BERTH_ERR_NOT_SUPPORTED');
  assert.equal(messages[0]?.issues[0]?.where, 'providers.docker.endpoint');
});

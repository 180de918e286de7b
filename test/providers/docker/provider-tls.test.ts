import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProviderMessage } from '../../../src/providers/provider.js';
import { createDockerProvider } from '../../../src/providers/docker/provider.js';
import { captureLogs } from '../../fixtures/docker/capture-logs.js';
import { dockerSettings } from '../../fixtures/docker/containers.js';
import { startDockerEngine, type DockerEngine } from '../../helpers/docker-engine.js';
import { freePort } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait-for.js';

// providers.docker over tcp:// with client TLS, against a real dockerd started with --tlsverify.

let engine: DockerEngine;

before(async () => {
  engine = await startDockerEngine({ tls: true });
});

after(async () => {
  await engine?.close();
});

function start(tls: Record<string, unknown>) {
  const { logs, logger } = captureLogs();
  const settings = dockerSettings({ endpoint: engine.tls?.endpoint, tls });
  const provider = createDockerProvider(settings, { logger, resolveHostIp: async () => '127.0.0.1', backoff: { initialMs: 50, maxMs: 200, jitter: 0 } });
  const messages: ProviderMessage[] = [];
  const controller = new AbortController();
  const started = provider.start((message) => messages.push(message), controller.signal);
  return { logs, messages, started, stop: () => controller.abort() };
}

test('a tcp:// endpoint with tls.{ca,cert,key} lists containers and follows events', async () => {
  const files = engine.tls;
  assert.ok(files !== undefined);
  const watched = start({ ca: files.ca, cert: files.cert, key: files.key });
  try {
    await watched.started;
    assert.equal(watched.messages.length, 1);
    await engine.runHttpd({ name: 'secure', port: await freePort(), labels: { 'berth.http.routers.secure.rule': 'Host(`secure.test`)' } });
    await waitFor(() => watched.messages.at(-1)?.config?.http?.routers?.['secure'] !== undefined, 10_000, 'router secure');
  } finally {
    watched.stop();
  }
});

test('without a client certificate the daemon refuses, and the provider keeps retrying without publishing', async () => {
  const files = engine.tls;
  assert.ok(files !== undefined);
  const watched = start({ ca: files.ca });
  try {
    await watched.started;
    await waitFor(() => watched.logs.some((line) => line['msg'] === 'Docker daemon still unreachable'), 5000, 'a retry');
    assert.deepEqual(watched.messages, []);
    assert.equal(watched.logs.filter((line) => line['level'] === 'warn').length, 1);
  } finally {
    watched.stop();
  }
});

test('insecureSkipVerify accepts the daemon certificate without the CA', async () => {
  const files = engine.tls;
  assert.ok(files !== undefined);
  const watched = start({ cert: files.cert, key: files.key, insecureSkipVerify: true });
  try {
    await watched.started;
    assert.equal(watched.messages.length, 1);
    assert.ok(watched.logs.some((line) => line['msg'] === 'connected to the Docker daemon'));
  } finally {
    watched.stop();
  }
});

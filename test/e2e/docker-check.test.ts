import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { startDockerEngine, TEST_IMAGE, type DockerEngine } from '../helpers/docker-engine.js';
import { removeAllContainers } from '../helpers/named-httpd.js';
import { BERTH_MAIN } from '../helpers/spawn-berth.js';

// `berth check --providers.docker...` against a real dockerd: every issue in the labels of the running
// containers is listed with its label and container, and the exit code says whether there is an error.

let engine: DockerEngine;

before(async () => {
  engine = await startDockerEngine();
});

after(async () => {
  await engine?.close();
});

afterEach(() => removeAllContainers(engine));

function check(...flags: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'DOCKER_HOST' && !name.startsWith('BERTH_') && !name.startsWith('TRAEFIK_')));
  return new Promise((resolve) => {
    execFile(process.execPath, [BERTH_MAIN, 'check', ...flags], { env, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
}

async function sleeper(name: string, labels: Record<string, string>): Promise<void> {
  await engine.docker('run', '-d', '--name', name, '--network', 'host', ...Object.entries(labels).flatMap(([key, value]) => ['--label', `${key}=${value}`]),
    TEST_IMAGE, '/bin/busybox', 'sleep', '600');
}

const good = { 'berth.http.routers.good.rule': 'Host(`good.test`)', 'berth.http.services.good.loadbalancer.server.port': '8081' };

test('exit 0 when the labels of every running container are fine', async () => {
  await sleeper('good', good);
  await sleeper('traefik-style', { 'traefik.http.routers.t.rule': 'Host(`t.test`) && PathPrefix(`/api`)', 'traefik.http.services.t.loadbalancer.server.port': '80' });
  const result = await check(`--providers.docker.endpoint=${engine.endpoint}`);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /0 errors/);
});

test('exit 1, listing every issue with its label and container', async () => {
  await sleeper('good', good);
  await sleeper('bad', { 'berth.http.routers.bad.rule': 'Host(`bad.test`)', 'berth.http.routers.bad.priority': 'high', 'berth.http.services.bad.loadbalancer.server.port': '80' });
  await sleeper('broken', {
    'traefik.http.routers.broken.rule': 'Host(`broken.test`',
    'traefik.http.routers.broken.middlewares': 'missing@file',
    'traefik.http.services.broken.loadbalancer.server.port': '80',
  });
  await sleeper('mixed', { 'berth.http.routers.m.rule': 'Host(`m.test`)', 'traefik.enable': 'false', 'berth.http.services.m.loadbalancer.server.port': '80' });
  const result = await check(`--providers.docker.endpoint=${engine.endpoint}`);
  assert.equal(result.code, 1, result.stdout + result.stderr);
  const lines = result.stdout.split('\n');
  const find = (pattern: RegExp) => lines.find((line) => pattern.test(line));
  assert.ok(find(/^error: label berth\.http\.routers\.bad\.priority on container bad: .*integer/), result.stdout);
  assert.ok(find(/^error: label traefik\.http\.routers\.broken\.rule on container broken: .*Host\(`broken\.test`/), result.stdout);
  assert.ok(find(/^warning: container mixed: the labels under "traefik\." are ignored/), result.stdout);
  assert.equal(find(/container good/), undefined, 'the good container has no issue');
  assert.match(result.stdout, /checked flags and environment: [1-9]\d* errors?, [1-9]\d* warnings?/);
});

test('exit 1 when the daemon cannot be reached: labels that were not read did not pass', async () => {
  const result = await check('--providers.docker.endpoint=unix:///nonexistent/docker.sock');
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.match(result.stdout, /BERTH_ERR_DOCKER_UNREACHABLE/);
});

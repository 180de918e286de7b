import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { ensureBerthImage, type BerthImage } from '../helpers/berth-image.js';
import { startDockerEngine, type DockerEngine } from '../helpers/docker-engine.js';
import { send } from '../helpers/http-request.js';
import { removeAllContainers, runNamedHttpd } from '../helpers/named-httpd.js';
import { NODE_BASE_IMAGE } from '../helpers/node-base-image.js';
import { freePort } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait-for.js';

// The Berth image, built from the repository's Dockerfile on a locally made Node 24 base (no registry here), run
// as users run it: the Docker socket mounted, the configuration given as flags, host networking on loopback.

let engine: DockerEngine;
let image: BerthImage;

before(async () => {
  engine = await startDockerEngine();
  image = await ensureBerthImage(engine);
});

after(async () => {
  await engine?.close();
});

afterEach(() => removeAllContainers(engine));

async function inspect<T>(what: string, format: string): Promise<T> {
  return JSON.parse(await engine.docker('inspect', '--format', `{{json ${format}}}`, what)) as T;
}

const healthOf = (container: string) => inspect<string>(container, '.State.Health.Status');

test('the image runs Berth as a non-root user, with a HEALTHCHECK, no dev dependencies, and stays small', async (t) => {
  const config = await inspect<{ User: string; Entrypoint: string[]; Healthcheck: { Test: string[] }; ExposedPorts: Record<string, unknown> }>(image.tag, '.Config');
  assert.equal(config.User, 'node');
  assert.deepEqual(config.Entrypoint, ['node', '/app/dist/src/main.js']);
  assert.deepEqual(config.Healthcheck.Test, ['CMD', 'node', '/app/dist/src/main.js', 'healthcheck']);
  assert.deepEqual(Object.keys(config.ExposedPorts).sort(), ['443/tcp', '80/tcp', '8080/tcp', '8081/tcp']);

  const inside = await engine.docker('run', '--rm', '--entrypoint', 'sh', image.tag, '-c',
    'id -u; ls /app; ls /app/node_modules/typescript /app/node_modules/@types/dockerode /app/node_modules/ws 2>&1 | grep -c "No such file"');
  assert.deepEqual(inside.split('\n'), ['1000', 'defaults', 'dist', 'node_modules', 'package.json', '3']);
  assert.match(await engine.docker('run', '--rm', image.tag, 'version'), /^berth \S+ \(node v24\./);

  const size = Number(await engine.docker('image', 'inspect', '--format', '{{.Size}}', image.tag));
  const base = Number(await engine.docker('image', 'inspect', '--format', '{{.Size}}', NODE_BASE_IMAGE));
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
  t.diagnostic(`image ${image.tag}: ${mb(size)} MB (Node base ${mb(base)} MB, Berth and its production dependencies ${mb(size - base)} MB); ${image.built ? 'built in this run' : 'loaded from the build cache'}`);
  // Node 24 itself is ~130 MB; what Berth adds must stay a small fraction of it.
  assert.ok(size < 200e6, `image is ${mb(size)} MB`);
  assert.ok(size - base < 40e6, `Berth adds ${mb(size - base)} MB`);
});

test('Berth in its image reads the mounted socket, routes a labeled container and turns healthy', async () => {
  const [web, ping, backend] = [await freePort(), await freePort(), await freePort()];
  const gid = String((await stat(engine.socketPath)).gid);
  await engine.docker('run', '-d', '--name', 'berth', '--network', 'host', '--health-interval', '1s',
    '--group-add', gid, '-v', `${engine.socketPath}:/var/run/docker.sock:ro`, image.tag,
    `--entryPoints.web.address=127.0.0.1:${web}`, `--entryPoints.ping.address=127.0.0.1:${ping}`, '--ping.entryPoint=ping',
    '--providers.docker.exposedByDefault=false', '--log.format=json');
  await runNamedHttpd(engine, { name: 'labeled', port: backend, labels: {
    'berth.enable': 'true', 'berth.http.routers.app.rule': 'Host(`app.test`)', 'berth.http.services.app.loadbalancer.server.port': String(backend),
  } });
  await runNamedHttpd(engine, { name: 'unlabeled', port: await freePort() });

  const routed = await waitFor(async () => {
    const answer = await send(`http://127.0.0.1:${web}/`, { host: 'app.test' }).catch(() => undefined);
    return answer?.status === 200 ? answer : undefined;
  }, 30_000, 'app.test through Berth in its container').catch(async (err: Error) => {
    throw new Error(`${err.message}\n${await engine.docker('logs', 'berth').catch(() => '')}`);
  });
  assert.equal(routed.body, 'labeled\n');
  // The flags reach the HEALTHCHECK through the main process: /ping on the ping entryPoint, not the default one.
  await waitFor(async () => (await healthOf('berth')) === 'healthy', 30_000, 'the Berth container to turn healthy');
  assert.equal(await engine.docker('exec', 'berth', 'id', '-u'), '1000');
  const probe = await inspect<{ Log: Array<{ Output: string }> }>('berth', '.State.Health');
  assert.match(probe.Log.at(-1)?.Output ?? '', new RegExp(`OK: http://127\\.0\\.0\\.1:${ping}/ping`));
});

test('the same image is the whoami demo backend, healthy through /health', async () => {
  const port = await freePort();
  await engine.docker('run', '-d', '--name', 'whoami', '--network', 'host', '--health-interval', '1s', image.tag,
    'whoami', `--port=${port}`, '--host=127.0.0.1', '--name=demo');
  await waitFor(async () => (await healthOf('whoami')) === 'healthy', 30_000, 'the whoami container to turn healthy');
  const answer = await send(`http://127.0.0.1:${port}/`);
  assert.match(answer.body, /^Name: demo$/m);

  // A failing /health turns the container unhealthy, which is how the compose examples take a backend out.
  await send(`http://127.0.0.1:${port}/health`, { method: 'POST', body: '500' });
  await waitFor(async () => (await healthOf('whoami')) === 'unhealthy', 30_000, 'the whoami container to turn unhealthy');
});

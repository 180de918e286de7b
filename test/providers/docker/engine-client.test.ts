import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerFromInspect } from '../../../src/providers/docker/container.js';
import { resolveEndpoint } from '../../../src/providers/docker/endpoint.js';
import { isRelevantEvent } from '../../../src/providers/docker/engine-client.js';
import { dockerSettings } from '../../fixtures/docker/containers.js';

test('endpoints: unix socket, tcp, http(s), TLS upgrades tcp://', () => {
  assert.deepEqual(resolveEndpoint(dockerSettings(), {}), { url: 'unix:///var/run/docker.sock', socketPath: '/var/run/docker.sock', protocol: 'http' });
  assert.deepEqual(resolveEndpoint(dockerSettings({ endpoint: 'tcp://127.0.0.1:2375' }), {}), { url: 'tcp://127.0.0.1:2375', host: '127.0.0.1', port: 2375, protocol: 'http' });
  assert.deepEqual(resolveEndpoint(dockerSettings({ endpoint: 'http://localhost' }), {}), { url: 'http://localhost', host: 'localhost', port: 2375, protocol: 'http' });
  const tls = resolveEndpoint(dockerSettings({ endpoint: 'tcp://[::1]:2376', tls: { ca: '/c/ca.pem', insecureSkipVerify: true } }), {});
  assert.deepEqual(tls, { url: 'tcp://[::1]:2376', host: '::1', port: 2376, protocol: 'https', tls: { ca: '/c/ca.pem', insecureSkipVerify: true } });
  assert.equal(resolveEndpoint(dockerSettings({ endpoint: 'https://docker.test' }), {}).port, 2376);
});

test('endpoints: DOCKER_HOST is honoured only when the endpoint is left at its default', () => {
  const env = { DOCKER_HOST: 'unix:///run/user/1000/docker.sock' };
  assert.equal(resolveEndpoint(dockerSettings(), env).socketPath, '/run/user/1000/docker.sock');
  assert.equal(resolveEndpoint(dockerSettings({ endpoint: 'unix:///custom.sock' }), env).socketPath, '/custom.sock');
  const secure = resolveEndpoint(dockerSettings(), { DOCKER_HOST: 'tcp://docker.test:2376', DOCKER_CERT_PATH: '/certs', DOCKER_TLS_VERIFY: '1' });
  assert.deepEqual(secure.tls, { ca: '/certs/ca.pem', cert: '/certs/cert.pem', key: '/certs/key.pem', insecureSkipVerify: false });
  assert.equal(secure.protocol, 'https');
});

test('endpoints: unsupported or malformed ones are refused with a code and where', () => {
  assert.throws(() => resolveEndpoint(dockerSettings({ endpoint: 'ssh://me@docker.test' }), {}), { code: 'BERTH_ERR_NOT_SUPPORTED', where: 'providers.docker.endpoint' });
  assert.throws(() => resolveEndpoint(dockerSettings({ endpoint: '/var/run/docker.sock' }), {}), { code: 'BERTH_ERR_INVALID_VALUE' });
  assert.throws(() => resolveEndpoint(dockerSettings(), { DOCKER_HOST: 'npipe:////./pipe/docker' }), { code: 'BERTH_ERR_INVALID_VALUE', where: 'DOCKER_HOST' });
  assert.throws(() => resolveEndpoint(dockerSettings({ endpoint: 'unix://' }), {}), { code: 'BERTH_ERR_INVALID_VALUE' });
});

test('an inspect answer maps onto ContainerInfo', () => {
  const info = containerFromInspect({
    Id: 'abc',
    Name: '/demo-web-1',
    Config: { Labels: { a: 'b' }, ExposedPorts: { '80/tcp': {}, '53/udp': {} } },
    State: { Status: 'running', Health: { Status: 'healthy' } },
    HostConfig: { NetworkMode: 'demo_default' },
    NetworkSettings: {
      Ports: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '443/tcp': null },
      Networks: { demo_default: { IPAddress: '127.0.0.5', GlobalIPv6Address: '' }, v6: { IPAddress: '', GlobalIPv6Address: '2001:db8::5' } },
    },
  });
  assert.deepEqual(info, {
    id: 'abc',
    name: 'demo-web-1',
    labels: { a: 'b' },
    state: { status: 'running', health: 'healthy' },
    networkMode: 'demo_default',
    networks: { demo_default: { ipv4: '127.0.0.5' }, v6: { ipv6: '2001:db8::5' } },
    ports: [
      { port: 53, protocol: 'udp', bindings: [] },
      { port: 80, protocol: 'tcp', bindings: [{ hostIp: '127.0.0.1', hostPort: '8080' }] },
      { port: 443, protocol: 'tcp', bindings: [] },
    ],
  });
  assert.deepEqual(containerFromInspect({}), { id: '', name: '', labels: {}, state: { status: '' }, networkMode: '', networks: {}, ports: [] });
});

test('events: container lifecycle, health and network attachment count; exec probes do not', () => {
  const relevant = (type: string, action: string) => isRelevantEvent({ type, action, id: 'x' });
  for (const action of ['start', 'die', 'stop', 'destroy', 'kill', 'pause', 'unpause', 'rename', 'update', 'create', 'health_status: unhealthy']) {
    assert.ok(relevant('container', action), action);
  }
  assert.ok(relevant('network', 'connect'));
  for (const action of ['exec_create: sh', 'exec_start: sh', 'exec_die', 'attach', 'top']) assert.ok(!relevant('container', action), action);
  assert.ok(!relevant('image', 'pull'));
});

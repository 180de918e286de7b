import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { startBackend, type Backend } from '../helpers/backend.js';
import { freePort } from '../helpers/ports.js';
import { startBerth, type StartedBerth } from '../helpers/start-berth.js';
import { echoed, getHost, http } from './http.js';

// Issue 2 acceptance: requests through the real system (bootstrap, file provider, compile, entrypoint, forwarder).
describe('routing through bootstrap()', { timeout: 60_000 }, () => {
  let berth: StartedBerth;
  const backends: Record<string, Backend> = {};
  let refusedPort = 0;

  before(async () => {
    for (const name of ['a', 'b', 'one', 'two', 'heavy', 'light']) backends[name] = await startBackend(name);
    backends['slow'] = await startBackend('slow', (_req, res) => {
      const timer = setTimeout(() => res.end('late'), 2000);
      res.on('close', () => clearTimeout(timer));
    });
    refusedPort = await freePort();
    const url = (name: string): string => (backends[name] as Backend).url;
    berth = await startBerth({
      staticYaml: `
entryPoints:
  web:
    address: "127.0.0.1:0"
    forwardedHeaders:
      trustedIPs: ["127.0.0.2"]
`,
      dynamic: {
        'routes.yml': `
http:
  routers:
    a: { rule: "Host(\`a.test\`)", service: a }
    b: { rule: "Host(\`b.test\`)", service: b }
    one: { rule: "Host(\`paths.test\`) && PathPrefix(\`/one\`)", service: one }
    two: { rule: "Host(\`paths.test\`) && PathPrefix(\`/two\`)", service: two }
    weighted: { rule: "Host(\`wrr.test\`)", service: weighted }
    empty: { rule: "Host(\`empty.test\`)", service: empty }
    refused: { rule: "Host(\`refused.test\`)", service: refused }
    slow: { rule: "Host(\`slow.test\`)", service: slow }
  services:
    a: { loadBalancer: { servers: [{ url: "${url('a')}" }] } }
    b: { loadBalancer: { servers: [{ url: "${url('b')}" }] } }
    one: { loadBalancer: { servers: [{ url: "${url('one')}" }] } }
    two: { loadBalancer: { servers: [{ url: "${url('two')}" }] } }
    weighted:
      loadBalancer:
        servers:
          - { url: "${url('heavy')}", weight: 3 }
          - { url: "${url('light')}", weight: 1 }
    empty: { loadBalancer: { servers: [] } }
    refused: { loadBalancer: { servers: [{ url: "http://127.0.0.1:${refusedPort}" }] } }
    slow: { loadBalancer: { servers: [{ url: "${url('slow')}" }], serversTransport: quick } }
  serversTransports:
    quick: { forwardingTimeouts: { responseHeaderTimeout: 300ms } }
`,
      },
    });
    await berth.nextGeneration(0);
  });

  after(async () => {
    await berth?.close();
    for (const backend of Object.values(backends)) await backend.close();
  });

  it('routes two hosts and two paths to the right backends', async () => {
    const web = berth.url('web', '/one/x?q=1');
    assert.equal(echoed(await getHost(web, 'a.test')).name, 'a');
    assert.equal(echoed(await getHost(web, 'b.test')).name, 'b');
    const one = echoed(await getHost(web, 'paths.test'));
    assert.equal(one.name, 'one');
    assert.equal(one.url, '/one/x?q=1');
    assert.equal(echoed(await getHost(berth.url('web', '/two'), 'paths.test')).name, 'two');
  });

  it('answers 404 page not found when no router matches', async () => {
    const reply = await getHost(berth.url('web', '/three'), 'paths.test');
    assert.equal(reply.status, 404);
    assert.equal(reply.text, '404 page not found\n');
    assert.equal((await getHost(berth.url('web'), 'nobody.test')).status, 404);
  });

  it('spreads 400 requests 3:1 over weighted servers, within 2%', async () => {
    const counts: Record<string, number> = { heavy: 0, light: 0 };
    for (let i = 0; i < 400; i++) {
      const name = echoed(await getHost(berth.url('web'), 'wrr.test')).name;
      counts[name] = (counts[name] ?? 0) + 1;
    }
    assert.ok(Math.abs((counts['heavy'] ?? 0) / 400 - 0.75) <= 0.02, JSON.stringify(counts));
    assert.ok(Math.abs((counts['light'] ?? 0) / 400 - 0.25) <= 0.02, JSON.stringify(counts));
  });

  it('answers 503 with no servers, 502 when refused, 504 after responseHeaderTimeout', async () => {
    const empty = await getHost(berth.url('web'), 'empty.test');
    assert.equal(empty.status, 503);
    assert.equal(empty.text, 'no available server\n');
    const refused = await getHost(berth.url('web'), 'refused.test');
    assert.equal(refused.status, 502);
    assert.equal(refused.text, 'Bad Gateway\n');
    const started = Date.now();
    const slow = await getHost(berth.url('web'), 'slow.test');
    assert.equal(slow.status, 504);
    assert.equal(slow.text, 'Gateway Timeout\n');
    assert.ok(Date.now() - started < 1500, 'the timeout, not the backend, ended the request');
  });

  it('sends X-Forwarded-* and X-Real-Ip; strips them from untrusted clients, keeps them from trusted ones', async () => {
    const spoofed = { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-host': 'evil.test', 'x-forwarded-proto': 'https', 'x-forwarded-port': '8443', 'x-real-ip': '203.0.113.9', 'x_forwarded_for': '203.0.113.7' };
    const untrusted = echoed(await http(berth.url('web', '/h'), { headers: { host: 'a.test:8000', ...spoofed } })).headers;
    assert.equal(untrusted['x-forwarded-for'], '127.0.0.1');
    assert.equal(untrusted['x-forwarded-host'], 'a.test:8000');
    assert.equal(untrusted['x-forwarded-port'], '8000');
    assert.equal(untrusted['x-forwarded-proto'], 'http');
    assert.equal(untrusted['x-forwarded-server'], hostname());
    assert.equal(untrusted['x-real-ip'], '127.0.0.1');
    assert.equal(untrusted['x_forwarded_for'], undefined);

    const trusted = echoed(await http(berth.url('web', '/h'), { localAddress: '127.0.0.2', headers: { host: 'a.test', ...spoofed } })).headers;
    assert.equal(trusted['x-forwarded-for'], '203.0.113.9, 127.0.0.2', 'the client is appended to the trusted list');
    assert.equal(trusted['x-forwarded-host'], 'evil.test');
    assert.equal(trusted['x-forwarded-proto'], 'https');
    assert.equal(trusted['x-forwarded-port'], '8443');
    assert.equal(trusted['x-real-ip'], '203.0.113.9');
  });
});

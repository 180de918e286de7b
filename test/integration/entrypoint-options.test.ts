import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startBackend, type Backend } from '../helpers/backend.js';
import { startBerth, type StartedBerth } from '../helpers/start-berth.js';
import { waitFor } from '../helpers/wait-for.js';
import { echoed, http } from './http.js';

// Entrypoint-level request options, through the real system.
describe('entrypoint options', { timeout: 60_000 }, () => {
  let berth: StartedBerth;
  let backend: Backend;
  let keeper: Backend;

  before(async () => {
    backend = await startBackend('echo');
    keeper = await startBackend('keeper');
    berth = await startBerth({
      staticYaml: `
entryPoints:
  strict:
    address: "127.0.0.1:0"
    http:
      encodedCharacters: { allowEncodedSlash: false, allowEncodedHash: false }
      underscoreHeadersStrategy: reject
    transport:
      keepAliveMaxRequests: 2
  lenient:
    address: "127.0.0.1:0"
    http:
      underscoreHeadersStrategy: delete
    forwardedHeaders:
      connection: [X-Keep]
      addXForwardedSchemeHeaders: true
    transport:
      keepAliveMaxTime: 300ms
`,
      dynamic: {
        'app.yml': `
http:
  routers:
    keep: { rule: "Header(\`X-Keep\`, \`yes\`) || Header(\`X-Drop\`, \`yes\`)", service: keeper, priority: 100 }
    all: { rule: "PathPrefix(\`/\`)", service: echo }
  services:
    echo: { loadBalancer: { servers: [{ url: "${backend.url}" }] } }
    keeper: { loadBalancer: { servers: [{ url: "${keeper.url}" }] } }
`,
      },
    });
    await berth.nextGeneration(0);
  });

  after(async () => {
    await berth?.close();
    await backend?.close();
    await keeper?.close();
  });

  it('http.encodedCharacters: 400 for a refused escape in the path, other escapes and the query pass', async () => {
    assert.equal((await http(berth.url('strict', '/a%2Fb'))).status, 400);
    assert.equal((await http(berth.url('strict', '/a%2fb'))).status, 400);
    assert.equal((await http(berth.url('strict', '/a%23b'))).status, 400);
    assert.equal((await http(berth.url('strict', '/a%20b?x=%2F'))).status, 200);
    // The default allows everything.
    assert.equal((await http(berth.url('lenient', '/a%2Fb'))).status, 200);
  });

  it('http.underscoreHeadersStrategy: reject answers 400, delete removes the header, keep is the default', async () => {
    assert.equal((await http(berth.url('strict', '/'), { headers: { x_user: 'admin' } })).status, 400);
    assert.equal((await http(berth.url('strict', '/'), { headers: { 'x-user': 'admin' } })).status, 200);
    const deleted = echoed(await http(berth.url('lenient', '/'), { headers: { x_user: 'admin', 'x-user': 'real' } }));
    assert.equal(deleted.headers['x_user'], undefined);
    assert.equal(deleted.headers['x-user'], 'real');
  });

  it('forwardedHeaders.connection: Connection-listed headers are removed before routing unless allowed; never forwarded', async () => {
    // X-Keep is allowed through the middleware chain: the router sees it, the server does not (hop-by-hop).
    const kept = echoed(await http(berth.url('lenient', '/'), { headers: { 'x-keep': 'yes', connection: 'keep-alive, X-Keep' } }));
    assert.equal(kept.name, 'keeper');
    assert.equal(kept.headers['x-keep'], undefined);
    // X-Drop is not: removed at the entrypoint, the router never matches on it, and the catch-all takes it.
    const strict = await http(berth.url('strict', '/'), { headers: { 'x-drop': 'yes', connection: 'X-Drop' } });
    assert.equal(echoed(strict).name, 'echo');
    assert.equal(echoed(strict).headers['x-drop'], undefined);
    // Without Connection naming it, the header reaches routing and the server.
    const named = echoed(await http(berth.url('strict', '/'), { headers: { 'x-drop': 'yes' } }));
    assert.equal(named.name, 'keeper');
    assert.equal(named.headers['x-drop'], 'yes');
    // A Connection header cannot remove a managed X-Forwarded header.
    const managed = echoed(await http(berth.url('strict', '/'), { headers: { connection: 'X-Forwarded-For' } }));
    assert.equal(managed.headers['x-forwarded-for'], '127.0.0.1');
  });

  it('forwardedHeaders.addXForwardedSchemeHeaders adds X-Forwarded-Scheme and X-Scheme', async () => {
    const added = echoed(await http(berth.url('lenient', '/'))).headers;
    assert.equal(added['x-forwarded-scheme'], 'http');
    assert.equal(added['x-scheme'], 'http');
    const plain = echoed(await http(berth.url('strict', '/'))).headers;
    assert.equal(plain['x-forwarded-scheme'], undefined);
    // From an untrusted client, its own values are replaced.
    assert.equal(echoed(await http(berth.url('lenient', '/'), { headers: { 'x-scheme': 'https' } })).headers['x-scheme'], 'http');
  });

  it('transport.keepAliveMaxRequests: the last allowed response says Connection: close', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await http(berth.url('strict', '/1'), { agent });
      const second = await http(berth.url('strict', '/2'), { agent });
      assert.equal(first.headers.connection, 'keep-alive');
      assert.equal(second.headers.connection, 'close');
    } finally {
      agent.destroy();
    }
  });

  it('transport.keepAliveMaxTime: once the connection is older, its response says Connection: close', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const started = Date.now();
      assert.equal((await http(berth.url('lenient', '/'), { agent })).headers.connection, 'keep-alive');
      // Requests on the same connection until one is told to close.
      await waitFor(async () => (await http(berth.url('lenient', '/'), { agent })).headers.connection === 'close', 3000, 'Connection: close');
      assert.ok(Date.now() - started >= 300, `closed after ${Date.now() - started} ms`);
    } finally {
      agent.destroy();
    }
  });
});

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocketServer } from 'ws';
import { startBerth, type BerthProcess } from '../helpers/berth-process.js';
import { startBackend, type Backend } from '../helpers/backend.js';
import { createTestCa, type PemPair } from '../helpers/certs.js';
import { freePort } from '../helpers/ports.js';
import { waitFor } from '../helpers/wait-for.js';
import { h2Request, h2Session, handshake, request1, wssRoundTrip } from '../entrypoints/clients.js';

/**
 * HTTPS through the real `berth` process with certificates from the file provider: one HTTP entrypoint that
 * redirects to HTTPS, one HTTPS entrypoint (http.tls on the entrypoint, as most users write it).
 */
const ca = await createTestCa('e2e site CA');
const clientCa = await createTestCa('e2e client CA');
const exact = await ca.issue(['a.sni.test']);
const wildcard = await ca.issue(['*.sni.test']);
const mtlsSite = await ca.issue(['mtls.test']);
const client = await clientCa.issue([], { commonName: 'e2e client' });

let berth: BerthProcess;
let backend: Backend;
let wss: WebSocketServer;
let web: number;
let websecure: number;
let api: number;

const certificate = (pair: PemPair, name: string): Record<string, string> => ({ [`certs/${name}.pem`]: pair.certPem, [`certs/${name}.key`]: pair.keyPem });

function dynamic(dir: string, reloadCert: string): string {
  return JSON.stringify({
    http: {
      routers: {
        app: { rule: 'Host(`a.sni.test`) || Host(`b.sni.test`) || Host(`other.test`) || Host(`reload.test`)', service: 'backend', entryPoints: ['websecure'] },
        mtls: { rule: 'Host(`mtls.test`)', service: 'backend', entryPoints: ['websecure'], tls: { options: 'mtls' } },
      },
      services: { backend: { loadBalancer: { servers: [{ url: backend.url }] } } },
    },
    tls: {
      certificates: ['exact', 'wildcard', 'mtls', reloadCert].map((name) => ({ certFile: `${dir}/certs/${name}.pem`, keyFile: `${dir}/certs/${name}.key` })),
      options: { mtls: { clientAuth: { caFiles: [`${dir}/certs/client-ca.pem`], clientAuthType: 'RequireAndVerifyClientCert' } } },
    },
  }, null, 2);
}

before(async () => {
  backend = await startBackend('e2e-backend');
  wss = new WebSocketServer({ server: backend.server });
  wss.on('connection', (ws) => ws.on('message', (data) => ws.send(`echo:${String(data)}`)));
  [web, websecure, api] = await Promise.all([freePort(), freePort(), freePort()]);
  const reloadV1 = await ca.issue(['reload.test'], { commonName: 'reload v1' });
  const files = {
    ...certificate(exact, 'exact'), ...certificate(wildcard, 'wildcard'), ...certificate(mtlsSite, 'mtls'), ...certificate(reloadV1, 'reload-v1'),
    'certs/client-ca.pem': clientCa.certPem,
  };
  berth = await startBerth({
    config: {
      entryPoints: {
        web: { address: `127.0.0.1:${web}`, http: { redirections: { entryPoint: { to: 'websecure' } } } },
        websecure: { address: `127.0.0.1:${websecure}`, http: { tls: {} }, http2: { maxConcurrentStreams: 42 } },
        traefik: { address: `127.0.0.1:${api}` },
      },
      api: { insecure: true },
      providers: { file: { directory: 'dynamic', watch: true } },
    },
    files,
  });
  await berth.write('dynamic/app.yml', dynamic(berth.dir, 'reload-v1'));
  await waitFor(async () => (await handshake(websecure, { servername: 'a.sni.test' })).subject === 'a.sni.test', 10_000, 'file certificates served');
});

after(async () => {
  await berth?.stop();
  wss?.close();
  await backend?.close();
});

test('SNI: an exact certificate beats a wildcard, which beats the default certificate', async () => {
  assert.equal((await handshake(websecure, { servername: 'a.sni.test', ca: ca.certPem })).subject, 'a.sni.test');
  assert.equal((await handshake(websecure, { servername: 'B.sni.test', ca: ca.certPem })).subject, '*.sni.test');
  assert.equal((await handshake(websecure, { servername: 'deep.b.sni.test' })).subject, 'BERTH DEFAULT CERT', 'a wildcard covers one label only');
  assert.equal((await handshake(websecure, { servername: 'other.test' })).subject, 'BERTH DEFAULT CERT');
  const reply = await request1(websecure, { tls: true, servername: 'b.sni.test', ca: ca.certPem, host: 'b.sni.test', path: '/hello' });
  assert.equal(reply.status, 200);
  assert.equal(JSON.parse(reply.body).headers['x-forwarded-proto'], 'https');
});

test('HTTP/2 is negotiated and proxied; http2.maxConcurrentStreams is announced', async () => {
  const session = await h2Session(websecure, { servername: 'a.sni.test', ca: ca.certPem });
  try {
    assert.equal(session.alpnProtocol, 'h2');
    const reply = await h2Request(session, { authority: 'a.sni.test', path: '/h2?x=1', method: 'POST', body: 'over h2' });
    assert.equal(reply.status, 200);
    const echoed = JSON.parse(reply.body);
    assert.deepEqual([echoed.name, echoed.url, echoed.body], ['e2e-backend', '/h2?x=1', 'over h2']);
    await waitFor(() => session.remoteSettings.maxConcurrentStreams === 42, 5000, 'SETTINGS_MAX_CONCURRENT_STREAMS 42');
  } finally {
    session.close();
  }
});

test('HTTP redirects to HTTPS: 301 for GET, 308 for POST, to the websecure port', async () => {
  const get = await request1(web, { host: 'a.sni.test', path: '/path?q=1' });
  assert.deepEqual([get.status, get.headers['location']], [301, `https://a.sni.test:${websecure}/path?q=1`]);
  const post = await request1(web, { host: 'a.sni.test', path: '/form', method: 'POST', body: 'x' });
  assert.deepEqual([post.status, post.headers['location']], [308, `https://a.sni.test:${websecure}/form`]);
});

test('mTLS RequireAndVerifyClientCert: no certificate, no answer; a client certificate gets through; 421 across options', async () => {
  const refused = await handshake(websecure, { servername: 'mtls.test', send: 'GET / HTTP/1.1\r\nHost: mtls.test\r\n\r\n' });
  assert.equal(refused.data, '');
  const served = await request1(websecure, { tls: true, servername: 'mtls.test', host: 'mtls.test', ca: ca.certPem, cert: client.certPem, key: client.keyPem });
  assert.equal(served.status, 200);
  const misdirected = await request1(websecure, { tls: true, servername: 'a.sni.test', host: 'mtls.test', ca: ca.certPem });
  assert.equal(misdirected.status, 421, 'a connection made without client authentication cannot reach the mTLS host');
});

test('WebSocket over HTTPS reaches the backend', async () => {
  assert.equal(await wssRoundTrip(websecure, '/ws', 'a.sni.test', ca.certPem, 'hello'), 'echo:hello');
});

test('file certificates are hot-reloaded: new handshakes get the new one, open connections and the listener stay', async () => {
  const session = await h2Session(websecure, { servername: 'reload.test', ca: ca.certPem });
  try {
    assert.equal((await handshake(websecure, { servername: 'reload.test' })).subject, 'reload v1');
    const v2 = await ca.issue(['reload.test'], { commonName: 'reload v2' });
    for (const [path, content] of Object.entries(certificate(v2, 'reload-v2'))) await berth.write(path, content);
    await berth.write('dynamic/app.yml', dynamic(berth.dir, 'reload-v2'));
    await waitFor(async () => (await handshake(websecure, { servername: 'reload.test', ca: ca.certPem })).subject === 'reload v2', 10_000, 'the new certificate');
    assert.equal((await h2Request(session, { authority: 'reload.test' })).status, 200, 'the connection opened before still serves');
    assert.equal(berth.entries().filter((e) => e['msg'] === 'entryPoint websecure listening').length, 1, 'the listener was never reopened');
  } finally {
    session.close();
  }
});

test('the API shows the TLS routers as enabled', async () => {
  const routers = JSON.parse((await request1(api, { path: '/api/http/routers' })).body) as Array<{ name: string; status: string; using: string[] }>;
  const app = routers.find((r) => r.name === 'app@file');
  assert.deepEqual([app?.status, app?.using], ['enabled', ['websecure']]);
  assert.equal(routers.find((r) => r.name === 'websecure-to-websecure@internal'), undefined);
  assert.equal(routers.find((r) => r.name === 'web-to-websecure@internal')?.status, 'enabled');
});

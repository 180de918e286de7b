import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, createSecureContext } from 'node:tls';
import { WebSocketServer } from 'ws';
import { createTlsManager, type TlsManager } from '../../src/tls/tls-manager.js';
import { generateDefaultCertificate } from '../../src/tls/default-certificate.js';
import type { Handler } from '../../src/runtime/handler.js';
import { createTestCa } from '../helpers/certs.js';
import { waitFor } from '../helpers/wait-for.js';
import { h2Request, h2Session, handshake, request1, wssRoundTrip } from './clients.js';
import { echo, entryPointOptions, held, startEntryPoint, table, type Echoed } from './fixture.js';

const generatedDefault = await generateDefaultCertificate();
const ca = await createTestCa('Site CA');
const clientCa = await createTestCa('Client CA');
const siteA = await ca.issue(['a.test']);
const siteB = await ca.issue(['b.test']);
const strict = await ca.issue(['strict.test']);
const alice = await clientCa.issue([], { commonName: 'alice' });
const noFiles = async (path: string): Promise<string> => { throw new Error(`no file ${path}`); };
const OPTIONS = { minVersion: 'VersionTLS12', sniStrict: false, alpnProtocols: ['h2', 'http/1.1', 'acme-tls/1'], disableSessionTickets: false } as const;

async function manager(challenge?: (name: string) => ReturnType<typeof createSecureContext> | undefined): Promise<TlsManager> {
  const tls = await createTlsManager({ readFile: noFiles, generatedDefault, ...(challenge === undefined ? {} : { challengeCertificateFor: challenge }) });
  await tls.update({
    certificates: [siteA, siteB, strict].map((pair) => ({ certFile: pair.certPem, keyFile: pair.keyPem })),
    options: { mtls: { ...OPTIONS, alpnProtocols: [...OPTIONS.alpnProtocols], clientAuth: { caFiles: [clientCa.certPem], clientAuthType: 'RequireAndVerifyClientCert' } } },
  }, new Map([['strict.test', 'mtls']]));
  return tls;
}

async function withHttps(run: (port: number, tls: TlsManager) => Promise<void>, handlers: { http?: Handler; https?: Handler } = { http: echo, https: echo }, overrides: Parameters<typeof entryPointOptions>[0] = {}): Promise<void> {
  const tls = await manager();
  const { entryPoint, close } = await startEntryPoint(entryPointOptions({
    https: { acceptor: tls, http2: { maxConcurrentStreams: 7, maxDecoderHeaderTableSize: 4096, maxEncoderHeaderTableSize: 4096 } },
    ...overrides,
  }), table(1, handlers));
  try {
    await run(entryPoint.port, tls);
  } finally {
    await close();
  }
}

test('one port serves plain HTTP and TLS: each reaches its own handler, TLS requests know their SNI', async () => {
  const plainOnly: Handler = (_req, res) => { res.end('plain handler'); };
  await withHttps(async (port) => {
    const plain = await request1(port, { host: 'a.test', method: 'POST', body: 'hello' });
    assert.equal(plain.body, 'plain handler');
    const secure = await request1(port, { tls: true, servername: 'A.Test', ca: ca.certPem, host: 'a.test', method: 'POST', body: 'hello', ALPNProtocols: ['http/1.1'] });
    assert.equal(secure.subject, 'a.test', 'the SNI chose the certificate and the client verified it');
    const echoed = JSON.parse(secure.body) as Echoed;
    assert.equal(echoed.tls, true);
    assert.equal(echoed.serverName, 'a.test', 'lower-cased SNI');
    assert.equal(echoed.version, '1.1');
    assert.equal(echoed.body, 'hello');
    assert.equal(echoed.clientIp, '127.0.0.1');
    assert.equal(echoed.localPort, port);
    const other = await request1(port, { tls: true, servername: 'b.test', ca: ca.certPem, host: 'b.test' });
    assert.equal(other.subject, 'b.test');
    const unknown = await request1(port, { tls: true, servername: 'nobody.test', host: 'nobody.test' });
    assert.equal(unknown.subject, 'BERTH DEFAULT CERT', 'no certificate covers the name: the default one');
  }, { http: plainOnly, https: echo });
});

test('HTTP/2 is chosen by ALPN and served through the compatibility API; maxConcurrentStreams is announced', async () => {
  await withHttps(async (port) => {
    const session = await h2Session(port, { servername: 'a.test', ca: ca.certPem });
    try {
      assert.equal(session.alpnProtocol, 'h2');
      await waitFor(() => session.remoteSettings.maxConcurrentStreams === 7, 5000, 'SETTINGS_MAX_CONCURRENT_STREAMS 7 from the server');
      const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => h2Request(session, { path: `/r${i}`, authority: 'a.test', method: 'POST', body: `b${i}` })));
      for (const [i, reply] of replies.entries()) {
        const echoed = JSON.parse(reply.body) as Echoed;
        assert.equal(reply.status, 200);
        assert.deepEqual([echoed.version, echoed.tls, echoed.serverName, echoed.url, echoed.body, echoed.host, echoed.clientIp], ['2.0', true, 'a.test', `/r${i}`, `b${i}`, 'a.test', '127.0.0.1']);
      }
    } finally {
      session.close();
    }
  });
});

test('HTTP/1.1 for clients that offer only http/1.1 or no ALPN at all', async () => {
  await withHttps(async (port) => {
    const h1 = await handshake(port, { servername: 'a.test', ALPNProtocols: ['http/1.1'], send: 'GET /x HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n' });
    assert.equal(h1.alpn, 'http/1.1');
    assert.match(h1.data, /^HTTP\/1\.1 200/);
    const none = await handshake(port, { servername: 'a.test', send: 'GET /y HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n' });
    assert.equal(none.alpn, false);
    assert.match(none.data, /"url":"\/y"/);
  });
});

test('WebSocket over HTTPS: the upgrade reaches the handler with the TLS socket', async () => {
  const wss = new WebSocketServer({ noServer: true });
  const upgrade: Handler = (req, _res, ctx) => {
    assert.ok(ctx.upgrade);
    wss.handleUpgrade(req, ctx.upgrade.socket as never, ctx.upgrade.head, (ws) => {
      ws.on('message', (data) => ws.send(`${ctx.tls ? 'wss' : 'ws'}:${ctx.serverName}:${String(data)}`));
    });
  };
  await withHttps(async (port) => {
    assert.equal(await wssRoundTrip(port, '/socket', 'a.test', ca.certPem, 'ping'), 'wss:a.test:ping');
  }, { https: upgrade });
  wss.close();
});

test('421 Misdirected Request when the Host needs other TLS options than the SNI negotiated', async () => {
  await withHttps(async (port) => {
    const misdirected = await request1(port, { tls: true, servername: 'a.test', host: 'strict.test' });
    assert.equal(misdirected.status, 421);
    assert.equal(misdirected.body, 'Misdirected Request\n');
    assert.equal((await request1(port, { tls: true, servername: 'a.test', host: 'b.test:8443' })).status, 200, 'same (default) options: served');
    assert.equal((await request1(port, { tls: true, servername: 'a.test', host: 'A.TEST.' })).status, 200);
    const session = await h2Session(port, { servername: 'a.test' });
    try {
      assert.equal((await h2Request(session, { authority: 'strict.test' })).status, 421);
      assert.equal((await h2Request(session, { authority: 'b.test' })).status, 200);
    } finally {
      session.close();
    }
  });
});

test('mTLS: RequireAndVerifyClientCert refuses a client without a certificate and serves one with', async () => {
  await withHttps(async (port) => {
    const refused = await handshake(port, { servername: 'strict.test', send: 'GET / HTTP/1.1\r\nHost: strict.test\r\n\r\n' });
    assert.equal(refused.data, '', 'no response without a client certificate');
    const served = await request1(port, { tls: true, servername: 'strict.test', host: 'strict.test', ca: ca.certPem, cert: alice.certPem, key: alice.keyPem });
    assert.equal(served.status, 200);
    assert.equal(served.subject, 'strict.test');
  });
});

test('certificate changes apply to new handshakes; open connections keep theirs; the listener stays', async () => {
  await withHttps(async (port, tls) => {
    const session = await h2Session(port, { servername: 'a.test', ca: ca.certPem });
    try {
      const renewed = await ca.issue(['a.test'], { commonName: 'a.test renewed' });
      await tls.update({ certificates: [{ certFile: renewed.certPem, keyFile: renewed.keyPem }] }, new Map());
      assert.equal((await h2Request(session, { authority: 'a.test' })).status, 200, 'the open connection still serves');
      const fresh = await request1(port, { tls: true, servername: 'a.test', ca: ca.certPem, host: 'a.test' });
      assert.equal(fresh.subject, 'a.test renewed');
    } finally {
      session.close();
    }
  });
});

test('TLS-ALPN-01: an acme-tls/1 handshake gets the pending challenge certificate, and nothing else', async () => {
  const challenge = await createTestCa('acme challenge');
  const context = createSecureContext({ cert: challenge.certPem, key: challenge.keyPem });
  const tls = await manager((name) => (name === 'pending.test' ? context : undefined));
  const { entryPoint, close } = await startEntryPoint(entryPointOptions({
    https: { acceptor: tls, http2: { maxConcurrentStreams: 250, maxDecoderHeaderTableSize: 4096, maxEncoderHeaderTableSize: 4096 } },
  }), table(1, { https: echo }));
  try {
    const validated = await handshake(entryPoint.port, { servername: 'pending.test', ALPNProtocols: ['acme-tls/1'] });
    assert.deepEqual([validated.ok, validated.subject, validated.alpn], [true, 'acme challenge', 'acme-tls/1']);
    const none = await handshake(entryPoint.port, { servername: 'a.test', ALPNProtocols: ['acme-tls/1'] });
    assert.equal(none.ok, false, 'no challenge pending for that name: refused');
  } finally {
    await close();
  }
});

test('first bytes: a silent connection is closed after the timeout; a slow plain client is still served', async () => {
  await withHttps(async (port) => {
    const silent = netConnect(port, '127.0.0.1');
    silent.on('error', () => undefined);
    const closedAt = await new Promise<number>((resolve) => silent.on('close', () => resolve(Date.now())));
    assert.ok(closedAt > 0);
    const slow = netConnect(port, '127.0.0.1');
    let data = '';
    slow.on('data', (chunk: Buffer) => { data += chunk.toString(); });
    slow.write('G');
    setTimeout(() => slow.write('ET /slow HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n'), 50);
    await new Promise((resolve) => slow.on('close', resolve));
    assert.match(data, /"url":"\/slow"/);
  }, { http: echo }, { readTimeout: 300 });
});

test('many connections in a row: no request is lost between the handshake and the HTTP servers', async () => {
  await withHttps(async (port) => {
    for (let i = 0; i < 25; i++) {
      const session = await h2Session(port, { servername: 'a.test', ca: ca.certPem });
      const reply = await h2Request(session, { path: `/h2-${i}`, authority: 'a.test' });
      session.close();
      assert.equal(JSON.parse(reply.body).url, `/h2-${i}`);
      const h1 = await request1(port, { tls: true, servername: 'a.test', ca: ca.certPem, host: 'a.test', path: `/h1-${i}`, ALPNProtocols: ['http/1.1'] });
      assert.equal(JSON.parse(h1.body).url, `/h1-${i}`);
      const plain = await request1(port, { host: 'a.test', path: `/p-${i}` });
      assert.equal(JSON.parse(plain.body).url, `/p-${i}`);
    }
  });
});

test('graceful shutdown: an HTTP/2 client gets GOAWAY, its request in flight finishes, new connections are refused', async () => {
  const hold = held();
  const tls = await manager();
  const { entryPoint, close } = await startEntryPoint(entryPointOptions({
    https: { acceptor: tls, http2: { maxConcurrentStreams: 250, maxDecoderHeaderTableSize: 4096, maxEncoderHeaderTableSize: 4096 } },
  }), table(1, { https: hold.handler }));
  const session = await h2Session(entryPoint.port, { servername: 'a.test' });
  const goaway = new Promise((resolve) => session.once('goaway', resolve));
  const inFlight = h2Request(session, { authority: 'a.test' });
  await waitFor(() => hold.started.length === 1, 5000, 'request in flight');
  const closing = close();
  await goaway;
  await assert.rejects(request1(entryPoint.port, { tls: true, servername: 'a.test' }));
  hold.release();
  assert.equal((await inFlight).body, 'released');
  await closing;
  session.close();
});

test('an HTTP/2 connection without streams for idleTimeout is closed; one with a stream open is not', async () => {
  const hold = held();
  await withHttps(async (port) => {
    const busy = await h2Session(port, { servername: 'a.test' });
    try {
      let goaway = false;
      busy.once('goaway', () => { goaway = true; });
      const slow = h2Request(busy, { authority: 'a.test', path: '/slow' });
      await waitFor(() => hold.started.length === 1, 5000, 'the slow request');
      // Opened after the busy connection's last activity, the idle one times out after it: by the time it is
      // closed, the busy connection's own idle timer has fired too, and must have been ignored.
      const idle = await h2Session(port, { servername: 'a.test' });
      await new Promise((resolve) => idle.once('close', resolve));
      assert.equal(goaway, false, 'no GOAWAY for a connection with a stream open');
      const after = h2Request(busy, { authority: 'a.test', path: '/after' });
      await waitFor(() => hold.started.length === 2, 5000, 'the connection still takes new streams');
      hold.release();
      assert.deepEqual([(await slow).body, (await after).body], ['released', 'released']);
    } finally {
      hold.release();
      busy.destroy();
    }
  }, { https: hold.handler }, { idleTimeout: 200 });
});

test('keepAliveMaxRequests: HTTPS/1.1 answers the last request with Connection: close, HTTP/2 sends GOAWAY', async () => {
  await withHttps(async (port) => {
    const session = await h2Session(port, { servername: 'a.test' });
    try {
      const goaway = new Promise((resolve) => session.once('goaway', resolve));
      assert.equal((await h2Request(session, { authority: 'a.test' })).status, 200);
      assert.equal((await h2Request(session, { authority: 'a.test' })).status, 200, 'the request that reaches the limit is served');
      await goaway;
    } finally {
      session.destroy();
    }
    const replies = await new Promise<string>((resolve) => {
      let data = '';
      const socket = tlsConnect({ port, host: '127.0.0.1', servername: 'a.test', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }, () => {
        socket.write('GET /1 HTTP/1.1\r\nHost: a.test\r\n\r\nGET /2 HTTP/1.1\r\nHost: a.test\r\n\r\n');
      });
      socket.on('data', (chunk: Buffer) => { data += chunk.toString(); });
      socket.on('close', () => resolve(data));
    });
    assert.match(replies, /^HTTP\/1\.1 200[\s\S]*\r\nConnection: keep-alive\r\n[\s\S]*HTTP\/1\.1 200[\s\S]*\r\nConnection: close\r\n/i);
  }, { https: echo }, { keepAliveMaxRequests: 2 });
});

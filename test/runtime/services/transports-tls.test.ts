import assert from 'node:assert/strict';
import { createServer as createH2cServer } from 'node:http2';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { ErrorCodes } from '../../../src/errors/codes.js';
import { resolveTransport } from '../../../src/runtime/services/transport-config.js';
import { createTestPki, type TestPki } from './helpers/certificates.js';
import { Forwarding, send, startFrontend, transportConfig } from './helpers/harness.js';

interface TlsBackend {
  readonly port: number;
  readonly seen: Array<{ servername: string | false; clientCn: string | undefined }>;
  close(): Promise<void>;
}

async function startTlsBackend(pki: TestPki, options: { requestCert?: boolean; maxVersion?: 'TLSv1.2' } = {}): Promise<TlsBackend> {
  const seen: TlsBackend['seen'] = [];
  const server: Server = createHttpsServer({
    cert: pki.serverCert,
    key: pki.serverKey,
    ...(options.requestCert === true ? { requestCert: true, rejectUnauthorized: true, ca: pki.caPem } : {}),
    ...(options.maxVersion === undefined ? {} : { maxVersion: options.maxVersion }),
  }, (req, res) => {
    const socket = req.socket as TLSSocket;
    const peer = socket.getPeerCertificate();
    seen.push({ servername: (socket as TLSSocket & { servername: string | false }).servername, clientCn: typeof peer.subject?.CN === 'string' ? peer.subject.CN : undefined });
    res.end('secure');
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => ws.on('message', (data) => ws.send(data.toString())));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('serversTransport resolution', () => {
  it('reports spiffe as not supported and unknown cipher suites as invalid', () => {
    const spiffe = resolveTransport('t@file', transportConfig({ spiffe: { trustDomain: 'example.org' } }));
    assert.ok('code' in spiffe && spiffe.code === ErrorCodes.NOT_SUPPORTED, JSON.stringify(spiffe));
    const cipher = resolveTransport('t@file', transportConfig({ cipherSuites: ['TLS_NOT_A_SUITE'] }));
    assert.ok('code' in cipher && cipher.code === ErrorCodes.INVALID_VALUE && cipher.message.includes('TLS_NOT_A_SUITE'));
  });

  it('reports a root CA file that cannot be read, naming it', () => {
    const missing = resolveTransport('t@file', transportConfig({ rootCAs: ['/nonexistent/ca.pem'] }));
    assert.ok('code' in missing && missing.code === ErrorCodes.CERTIFICATE && missing.message.includes('/nonexistent/ca.pem'));
  });

  it('maps Go names and versions, and changes identity with the certificate content', () => {
    const a = resolveTransport('t@file', transportConfig({ minVersion: 'VersionTLS12', cipherSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'], rootCAs: ['-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----'] }));
    const b = resolveTransport('t@file', transportConfig({ minVersion: 'VersionTLS12', cipherSuites: ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'], rootCAs: ['-----BEGIN CERTIFICATE-----\nB\n-----END CERTIFICATE-----'] }));
    assert.ok(!('code' in a) && !('code' in b));
    assert.equal(a.tls.minVersion, 'TLSv1.2');
    assert.equal(a.tls.ciphers, 'ECDHE-RSA-AES128-GCM-SHA256');
    assert.notEqual(a.identity, b.identity);
    const zero = resolveTransport('t@file', transportConfig({ maxIdleConnsPerHost: 0 }));
    assert.ok(!('code' in zero) && zero.maxIdleConnsPerHost === 2, 'Go keeps 2 idle connections when the setting is 0');
  });
});

for (const engine of ['http1', 'undici', 'http-proxy'] as const) {
  describe(`https and h2c servers with ${engine}`, { timeout: 30_000 }, () => {
    let pki: TestPki;
    let backend: TlsBackend;
    let forwarding: Forwarding;

    before(async () => {
      pki = createTestPki();
      backend = await startTlsBackend(pki);
      forwarding = new Forwarding(engine);
    });

    after(async () => {
      await forwarding.close();
      await backend.close();
      pki.cleanup();
    });

    async function status(url: string, transport: Record<string, unknown>): Promise<number> {
      const front = await startFrontend(forwarding.handler(forwarding.target(url, { transport })));
      try {
        return (await send(front.port, { headers: { host: 'public.example.com' } })).status;
      } finally {
        await front.close();
      }
    }

    it('answers 500 for a certificate it cannot verify, as Traefik does', async () => {
      assert.equal(await status(`https://127.0.0.1:${backend.port}`, {}), 500);
    });

    it('connects with insecureSkipVerify, or with the CA in rootCAs as a file or as PEM', async () => {
      assert.equal(await status(`https://127.0.0.1:${backend.port}`, { insecureSkipVerify: true }), 200);
      assert.equal(await status(`https://127.0.0.1:${backend.port}`, { rootCAs: [pki.caFile] }), 200);
      assert.equal(await status(`https://127.0.0.1:${backend.port}`, { rootCAs: [pki.caPem] }), 200);
    });

    it('sends the server URL host as SNI (not the client Host), or serverName when set', async () => {
      assert.equal(await status(`https://localhost:${backend.port}`, { rootCAs: [pki.caFile] }), 200);
      assert.equal(backend.seen.at(-1)?.servername, 'localhost');
      assert.equal(await status(`https://127.0.0.1:${backend.port}`, { rootCAs: [pki.caFile], serverName: 'localhost' }), 200);
      assert.equal(backend.seen.at(-1)?.servername, 'localhost');
      assert.equal(await status(`https://127.0.0.1:${backend.port}`, { rootCAs: [pki.caFile], serverName: 'other.example' }), 500);
    });

    it('verifies peerCertSANs instead of the host name', async () => {
      assert.equal(await status(`https://127.0.0.1:${backend.port}`, { rootCAs: [pki.caFile], serverName: 'other.example', peerCertSANs: [{ type: 'URI', value: 'spiffe://berth.test/backend' }] }), 200);
      assert.equal(await status(`https://127.0.0.1:${backend.port}`, { rootCAs: [pki.caFile], peerCertSANs: [{ type: 'URI', value: 'spiffe://berth.test/other' }] }), 500);
    });

    it('presents a client certificate to a server that requires one', async () => {
      const mtls = await startTlsBackend(pki, { requestCert: true });
      try {
        assert.equal(await status(`https://127.0.0.1:${mtls.port}`, { rootCAs: [pki.caFile], certificates: [{ certFile: pki.clientCertFile, keyFile: pki.clientKeyFile }] }), 200);
        assert.equal(mtls.seen.at(-1)?.clientCn, 'berth-client');
        assert.ok((await status(`https://127.0.0.1:${mtls.port}`, { rootCAs: [pki.caFile] })) >= 500);
      } finally {
        await mtls.close();
      }
    });

    it('honours minVersion', async () => {
      const old = await startTlsBackend(pki, { maxVersion: 'TLSv1.2' });
      try {
        assert.equal(await status(`https://127.0.0.1:${old.port}`, { rootCAs: [pki.caFile], minVersion: 'VersionTLS12' }), 200);
        assert.equal(await status(`https://127.0.0.1:${old.port}`, { rootCAs: [pki.caFile], minVersion: 'VersionTLS13' }), 500);
      } finally {
        await old.close();
      }
    });

    it('forwards a WebSocket to an https server with the transport\'s TLS settings', async () => {
      const front = await startFrontend(forwarding.handler(forwarding.target(`https://127.0.0.1:${backend.port}`, { transport: { rootCAs: [pki.caFile] } })));
      const ws = await new Promise<WebSocket>((resolve, reject) => {
        const socket = new WebSocket(`ws://127.0.0.1:${front.port}/`);
        socket.once('open', () => resolve(socket));
        socket.once('error', reject);
      });
      try {
        const reply = new Promise<string>((resolve) => ws.once('message', (data: Buffer) => resolve(data.toString())));
        ws.send('tls');
        assert.equal(await reply, 'tls');
      } finally {
        ws.close();
        await front.close();
      }
    });

    it('forwards to an h2c server', async () => {
      const h2c = createH2cServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          res.setHeader('x-proto', `h${req.httpVersion}`);
          res.end(`${req.method} ${req.url} ${Buffer.concat(chunks).toString()} ${String(req.headers['x-forwarded-for'])}`);
        });
      });
      await new Promise<void>((resolve) => h2c.listen(0, '127.0.0.1', resolve));
      // An HTTP/2 server closes only once its sessions are gone: this test's pools are closed first.
      const own = new Forwarding(engine);
      const front = await startFrontend(own.handler(own.target(`h2c://127.0.0.1:${(h2c.address() as AddressInfo).port}`)));
      try {
        const reply = await send(front.port, { method: 'POST', path: '/grpc?x=1', body: 'ping' });
        assert.equal(reply.status, 200);
        assert.equal(reply.headers['x-proto'], 'h2.0');
        assert.equal(reply.body.toString(), 'POST /grpc?x=1 ping 127.0.0.1');
      } finally {
        await front.close();
        await own.close();
        await new Promise<void>((resolve) => h2c.close(() => resolve()));
      }
    });
  });
}

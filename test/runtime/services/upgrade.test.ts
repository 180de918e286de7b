import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { freePort } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait-for.js';
import { Forwarding, RecordingObserver, startFrontend } from './helpers/harness.js';

interface EchoServer {
  readonly url: string;
  readonly handshakes: IncomingHttpHeaders[];
  readonly urls: string[];
  close(): Promise<void>;
}

/** A real `ws` WebSocket server that echoes every message and records the handshake it received. */
async function startEchoServer(): Promise<EchoServer> {
  const handshakes: IncomingHttpHeaders[] = [];
  const urls: string[] = [];
  const server: Server = createServer((_req, res) => res.end('plain'));
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket, req) => {
    handshakes.push(req.headers);
    urls.push(req.url ?? '');
    socket.on('message', (data, binary) => socket.send(data, { binary }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    handshakes,
    urls,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function open(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`unexpected response ${res.statusCode}`), { status: res.statusCode })));
  });
}

function echo(ws: WebSocket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    ws.once('message', (data: Buffer) => resolve(data.toString()));
    ws.once('error', reject);
    ws.send(text);
  });
}

for (const engine of ['http1', 'undici', 'http-proxy'] as const) {
  describe(`WebSocket upgrades with ${engine}`, { timeout: 30_000 }, () => {
    let echoServer: EchoServer;
    let forwarding: Forwarding;

    before(async () => {
      echoServer = await startEchoServer();
      forwarding = new Forwarding(engine);
    });

    after(async () => {
      await forwarding.close();
      await echoServer.close();
    });

    it('forwards the handshake with Traefik\'s headers and echoes messages both ways', async () => {
      const observer = new RecordingObserver();
      const front = await startFrontend(forwarding.handler(forwarding.target(echoServer.url), observer));
      const ws = await open(`ws://127.0.0.1:${front.port}/chat?room=1`, { 'x-forwarded-for': '203.0.113.5', 'x-custom': 'yes' });
      try {
        assert.equal(await echo(ws, 'hello'), 'hello');
        assert.equal(await echo(ws, 'again'), 'again');
        const seen = echoServer.handshakes.at(-1) ?? {};
        assert.equal(echoServer.urls.at(-1), '/chat?room=1');
        assert.equal(seen['x-forwarded-proto'], 'ws');
        assert.equal(seen['x-forwarded-for'], '127.0.0.1');
        assert.equal(seen['x-real-ip'], '127.0.0.1');
        assert.equal(seen['x-custom'], 'yes');
        assert.equal(seen.host, `127.0.0.1:${front.port}`);
        assert.equal(seen.upgrade, 'websocket');
        assert.equal(seen.connection, 'Upgrade');
        assert.equal(forwarding.upgrades.count, 1);
        assert.deepEqual(observer.responses, [101]);
      } finally {
        ws.close();
        await front.close();
      }
      await waitFor(() => observer.ends.length === 1, 3000, 'the upgraded connection to end');
      assert.deepEqual(observer.ends, [101]);
      await waitFor(() => forwarding.upgrades.count === 0, 3000, 'the tracker to forget the connection');
    });

    it('writes 502 to the raw socket when the server refuses the connection', async () => {
      const observer = new RecordingObserver();
      const front = await startFrontend(forwarding.handler(forwarding.target(`http://127.0.0.1:${await freePort()}`), observer));
      try {
        await assert.rejects(open(`ws://127.0.0.1:${front.port}/`), (err: Error & { status?: number }) => err.status === 502);
        await waitFor(() => observer.ends.length === 1);
        assert.deepEqual(observer.ends, [502]);
      } finally {
        await front.close();
      }
    });

    it('relays a server that answers the handshake with a plain response', async () => {
      const plain = createServer((_req, res) => res.writeHead(403, { 'content-type': 'text/plain' }).end('no'));
      plain.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 2\r\nconnection: close\r\n\r\nno'));
      await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
      const front = await startFrontend(forwarding.handler(forwarding.target(`http://127.0.0.1:${(plain.address() as AddressInfo).port}`)));
      try {
        await assert.rejects(open(`ws://127.0.0.1:${front.port}/`), (err: Error & { status?: number }) => err.status === 403);
      } finally {
        await front.close();
        plain.closeAllConnections();
        await new Promise<void>((resolve) => plain.close(() => resolve()));
      }
    });

    it('aborts the upstream handshake when the client leaves before the server answers', async () => {
      let upstream: import('node:stream').Duplex | undefined;
      let upstreamClosed = false;
      const silent = createServer();
      silent.on('upgrade', (_req, socket) => {
        upstream = socket;
        // Read, so that the proxy closing its side is noticed ('end': the server socket is half-open).
        socket.resume();
        socket.on('end', () => (upstreamClosed = true));
        socket.on('close', () => (upstreamClosed = true));
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const observer = new RecordingObserver();
      const front = await startFrontend(forwarding.handler(forwarding.target(`http://127.0.0.1:${(silent.address() as AddressInfo).port}`), observer));
      try {
        const client = connect(front.port, '127.0.0.1');
        client.write('GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
        await waitFor(() => upstream, 3000, 'the handshake to reach the server');
        client.destroy();
        await waitFor(() => upstreamClosed, 3000, 'the upstream handshake to be aborted');
        await waitFor(() => observer.ends.length === 1, 3000);
        assert.deepEqual(observer.ends, [499]);
      } finally {
        await front.close();
        upstream?.destroy();
        silent.closeAllConnections();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      }
    });

    it('keeps echoing after the service handler it came through is replaced and its generation aborted', async () => {
      const old = new Forwarding(engine);
      const front = await startFrontend(old.handler(old.target(echoServer.url, { transport: { forwardingTimeouts: { idleConnTimeout: '1ms' } } })));
      const ws = await open(`ws://127.0.0.1:${front.port}/`);
      try {
        assert.equal(await echo(ws, 'before'), 'before');
        // A reload: a new graph serves new requests, the old one is aborted and its pools retired.
        const next = new Forwarding(engine);
        front.handler = next.handler(next.target(echoServer.url));
        old.generation.abort();
        await waitFor(() => old.transports.size === 0, 3000, 'the old pool to be retired');
        assert.equal(await echo(ws, 'after'), 'after');
        const second = await open(`ws://127.0.0.1:${front.port}/`);
        assert.equal(await echo(second, 'new'), 'new');
        assert.equal(old.upgrades.count, 1);
        assert.equal(next.upgrades.count, 1);
        second.close();
        await next.close();
      } finally {
        ws.close();
        await front.close();
        await old.close();
      }
    });

    it('closes every upgraded connection on closeAll (graceful shutdown)', async () => {
      const front = await startFrontend(forwarding.handler(forwarding.target(echoServer.url)));
      const sockets = await Promise.all([open(`ws://127.0.0.1:${front.port}/a`), open(`ws://127.0.0.1:${front.port}/b`)]);
      try {
        assert.equal(forwarding.upgrades.count, 2);
        const closed = sockets.map((ws) => new Promise<void>((resolve) => ws.once('close', () => resolve())));
        await forwarding.upgrades.closeAll();
        await Promise.all(closed);
        assert.equal(forwarding.upgrades.count, 0);
      } finally {
        await front.close();
      }
    });
  });
}

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { ForwarderEngine } from '../../../src/runtime/services/forwarder.js';
import { startBackend, type Backend } from '../../helpers/backend.js';
import { waitFor } from '../../helpers/wait-for.js';
import { echoed, Forwarding, RecordingObserver, send, startFrontend, type Frontend } from './helpers/harness.js';

const MB = 1024 * 1024;

/** A deterministic 64 KiB block, written many times for large bodies. */
const BLOCK = Buffer.alloc(64 * 1024, 'berth-');

/** Polls `read` until its value stops changing for a while, and returns it. */
async function settled(read: () => number, quietMs = 300): Promise<number> {
  let last = -1;
  let since = Date.now();
  await waitFor(() => {
    const now = read();
    if (now !== last) {
      last = now;
      since = Date.now();
      return false;
    }
    return Date.now() - since >= quietMs;
  }, 15_000, 'the transfer to stall');
  return last;
}

/**
 * The observable behaviour of one forwarding engine over HTTP/1.1. Both engines run exactly this suite; any
 * difference between them is a bug.
 */
export function runForwardingSuite(engine: ForwarderEngine): void {
  describe(`forwarding with ${engine}`, { timeout: 120_000 }, () => {
    let forwarding: Forwarding;
    let backend: Backend;
    let frontend: Frontend;

    before(async () => {
      forwarding = new Forwarding(engine);
      backend = await startBackend('echo');
      frontend = await startFrontend(forwarding.handler(forwarding.target(backend.url)));
    });

    after(async () => {
      await frontend.close();
      await forwarding.close();
      await backend.close();
    });

    it('forwards method, path and query, and relays status, headers and body', async () => {
      const reply = await send(frontend.port, { method: 'PUT', path: '/a/b%20c?x=1&y=2', body: 'payload' });
      assert.equal(reply.status, 200);
      assert.equal(reply.headers['x-backend'], 'echo');
      const seen = echoed(reply);
      assert.equal(seen.method, 'PUT');
      assert.equal(seen.url, '/a/b%20c?x=1&y=2');
      assert.equal(seen.body, 'payload');
      assert.equal(frontend.contexts.at(-1)?.serverUrl, backend.url);
    });

    it('turns ";" in the query into "&" and drops a lone "?", as both engines must send the same target', async () => {
      assert.equal(echoed(await send(frontend.port, { path: '/q?a=1;b=2' })).url, '/q?a=1&b=2');
      assert.equal(echoed(await send(frontend.port, { path: '/q?' })).url, '/q');
      assert.equal(echoed(await send(frontend.port, { path: '/semi;colon/path' })).url, '/semi;colon/path');
    });

    it('sends Content-Length only for bodies, as Go does (no Content-Length: 0 on a bodiless DELETE or GET)', async () => {
      for (const method of ['GET', 'DELETE', 'OPTIONS']) {
        const seen = echoed(await send(frontend.port, { method }));
        assert.equal(seen.headers['content-length'], undefined, method);
        assert.equal(seen.headers['transfer-encoding'], undefined, method);
      }
      assert.equal(echoed(await send(frontend.port, { method: 'POST', body: '' })).headers['content-length'], '0');
    });

    it('streams a chunked request body chunked, and a chunked DELETE body too', async () => {
      for (const method of ['POST', 'DELETE']) {
        const seen = await new Promise<ReturnType<typeof echoed>>((resolve, reject) => {
          // node:http frames a DELETE body only when told to (it does not chunk DELETE by default).
          const req = httpRequest({ host: '127.0.0.1', port: frontend.port, method, path: '/chunked', agent: false, headers: { 'transfer-encoding': 'chunked' } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString()) as ReturnType<typeof echoed>));
          });
          req.on('error', reject);
          req.write('one,');
          req.write('two');
          req.end();
        });
        assert.equal(seen.body, 'one,two', method);
        assert.equal(seen.headers['transfer-encoding'], 'chunked', method);
      }
    });

    it('relays a chunked response as it comes', async () => {
      const chunky = await startBackend('chunky', (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first ');
        setImmediate(() => res.end('second'));
      });
      const front = await startFrontend(forwarding.handler(forwarding.target(chunky.url)));
      try {
        const reply = await send(front.port);
        assert.equal(reply.body.toString(), 'first second');
        assert.equal(reply.headers['transfer-encoding'], 'chunked');
      } finally {
        await front.close();
        await chunky.close();
      }
    });

    it('delivers a Server-Sent Event before the stream ends', async () => {
      let release: () => void = () => undefined;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      const sse = await startBackend('sse', (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.write('data: first\n\n');
        void released.then(() => res.end('data: last\n\n'));
      });
      const front = await startFrontend(forwarding.handler(forwarding.target(sse.url)));
      try {
        const received = await new Promise<string>((resolve, reject) => {
          let text = '';
          const req = httpRequest({ host: '127.0.0.1', port: front.port, path: '/events', agent: false }, (res) => {
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              text += chunk;
              // The first event arrived while the server still holds the stream open: let it finish.
              if (text.includes('data: first')) release();
            });
            res.on('end', () => resolve(text));
          });
          req.on('error', reject);
          req.end();
        });
        assert.equal(received, 'data: first\n\ndata: last\n\n');
      } finally {
        release();
        await front.close();
        await sse.close();
      }
    });

    it('streams a 50 MB upload with backpressure instead of buffering it', async () => {
      const total = 50 * MB;
      let received = 0;
      const hash = createHash('sha256');
      let upload: IncomingMessage | undefined;
      const sink = await startBackend('sink', (req, res) => {
        upload = req;
        req.pause();
        req.on('data', (chunk: Buffer) => {
          received += chunk.length;
          hash.update(chunk);
        });
        req.on('end', () => res.end(String(received)));
      });
      const front = await startFrontend(forwarding.handler(forwarding.target(sink.url)));
      try {
        let written = 0;
        const answer = new Promise<string>((resolve, reject) => {
          const req = httpRequest({ host: '127.0.0.1', port: front.port, method: 'POST', path: '/upload', agent: false, headers: { 'content-length': String(total) } }, (res) => {
            let text = '';
            res.on('data', (chunk: Buffer) => (text += chunk.toString()));
            res.on('end', () => resolve(text));
          });
          req.on('error', reject);
          const pump = (): void => {
            while (written < total) {
              written += BLOCK.length;
              if (!req.write(BLOCK)) {
                req.once('drain', pump);
                return;
              }
            }
            req.end();
          };
          pump();
        });
        // The server does not read: the client must be held back long before 50 MB are out of its hands.
        const accepted = await settled(() => written);
        assert.ok(accepted < 25 * MB, `the client could write ${(accepted / MB).toFixed(1)} MB while the server read nothing`);
        await waitFor(() => upload, 5000, 'the upload to reach the server');
        upload?.resume();
        assert.equal(await answer, String(total));
        const expected = createHash('sha256');
        for (let i = 0; i < total / BLOCK.length; i++) expected.update(BLOCK);
        assert.equal(hash.digest('hex'), expected.digest('hex'));
      } finally {
        await front.close();
        await sink.close();
      }
    });

    it('streams a 50 MB download with backpressure instead of buffering it', async () => {
      const total = 50 * MB;
      let sent = 0;
      const source = await startBackend('source', (_req, res) => {
        res.writeHead(200, { 'content-length': String(total) });
        const pump = (): void => {
          while (sent < total) {
            sent += BLOCK.length;
            if (!res.write(BLOCK)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end();
        };
        pump();
      });
      const front = await startFrontend(forwarding.handler(forwarding.target(source.url)));
      try {
        let response: IncomingMessage | undefined;
        const req = httpRequest({ host: '127.0.0.1', port: front.port, path: '/download', agent: false }, (res) => {
          response = res;
          res.pause();
        });
        req.end();
        await waitFor(() => response, 5000, 'response headers');
        // The client does not read: the server must be held back.
        const produced = await settled(() => sent);
        assert.ok(produced < 25 * MB, `the server could write ${(produced / MB).toFixed(1)} MB while the client read nothing`);
        let received = 0;
        await new Promise<void>((resolve, reject) => {
          response?.on('data', (chunk: Buffer) => (received += chunk.length));
          response?.on('end', resolve);
          response?.on('error', reject);
          response?.resume();
        });
        assert.equal(received, total);
      } finally {
        await front.close();
        await source.close();
      }
    });

    it('removes hop-by-hop request headers and those named by Connection, keeping TE: trailers', async () => {
      const seen = echoed(await send(frontend.port, {
        headers: {
          connection: 'keep-alive, x-hop, x-forwarded-proto',
          'x-hop': 'gone',
          'keep-alive': 'timeout=5',
          'proxy-authorization': 'Basic Zm9vOmJhcg==',
          'proxy-connection': 'keep-alive',
          te: 'trailers, deflate',
          upgrade: 'h2c',
          'x-kept': 'yes',
        },
      })).headers;
      for (const name of ['x-hop', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'upgrade']) assert.equal(seen[name], undefined, name);
      assert.equal(seen['te'], 'trailers');
      assert.equal(seen['x-kept'], 'yes');
      // Connection may not remove a header Traefik manages.
      assert.equal(seen['x-forwarded-proto'], 'http');
    });

    it('removes hop-by-hop response headers and those named by Connection', async () => {
      const hoppy = await startBackend('hoppy', (_req, res) => {
        res.writeHead(200, {
          connection: 'x-private',
          'x-private': 'secret',
          'keep-alive': 'timeout=99',
          'proxy-authenticate': 'Basic',
          upgrade: 'foo',
          'x-public': 'ok',
          'content-length': '2',
        });
        res.end('ok');
      });
      const front = await startFrontend(forwarding.handler(forwarding.target(hoppy.url)));
      try {
        const reply = await send(front.port);
        assert.equal(reply.body.toString(), 'ok');
        for (const name of ['x-private', 'proxy-authenticate', 'upgrade']) assert.equal(reply.headers[name], undefined, name);
        assert.notEqual(reply.headers['keep-alive'], 'timeout=99');
        assert.equal(reply.headers['x-public'], 'ok');
      } finally {
        await front.close();
        await hoppy.close();
      }
    });

    it('forwards response trailers the server announced', async () => {
      const trailing = await startBackend('trailing', (_req, res) => {
        res.writeHead(200, { trailer: 'x-checksum' });
        res.write('body');
        res.addTrailers({ 'x-checksum': 'abc123' });
        res.end();
      });
      const front = await startFrontend(forwarding.handler(forwarding.target(trailing.url)));
      try {
        const reply = await send(front.port, { headers: { te: 'trailers' } });
        assert.equal(reply.body.toString(), 'body');
        assert.equal(reply.trailers['x-checksum'], 'abc123');
      } finally {
        await front.close();
        await trailing.close();
      }
    });

    it('keeps headers set before forwarding (a sticky cookie) next to the server\'s', async () => {
      const cookies = await startBackend('cookies', (_req, res) => {
        res.writeHead(200, [['set-cookie', 'app=1'], ['set-cookie', 'other=2'], ['content-length', '0']].flat());
        res.end();
      });
      const target = forwarding.target(cookies.url);
      const front = await startFrontend((req, res, ctx) => {
        res.appendHeader('set-cookie', '_sticky=abc; Path=/');
        forwarding.forwarder.forward(req, res, ctx, target, new RecordingObserver());
      });
      try {
        const reply = await send(front.port);
        assert.deepEqual(reply.headers['set-cookie'], ['_sticky=abc; Path=/', 'app=1', 'other=2']);
      } finally {
        await front.close();
        await cookies.close();
      }
    });

    it('passes the client Host by default and the server\'s with passHostHeader false', async () => {
      const passed = echoed(await send(frontend.port, { headers: { host: 'app.example.com:8443' } })).headers;
      assert.equal(passed.host, 'app.example.com:8443');
      const front = await startFrontend(forwarding.handler(forwarding.target(backend.url, { passHostHeader: false })));
      try {
        const own = echoed(await send(front.port, { headers: { host: 'app.example.com' } })).headers;
        assert.equal(own.host, `127.0.0.1:${backend.port}`);
        assert.equal(own['x-forwarded-host'], 'app.example.com');
      } finally {
        await front.close();
      }
    });

    it('ignores the server URL path unless preservePath is set, as Traefik', async () => {
      const plain = await startFrontend(forwarding.handler(forwarding.target(`${backend.url}/base`)));
      const preserved = await startFrontend(forwarding.handler(forwarding.target(`${backend.url}/base/`, { preservePath: true })));
      try {
        assert.equal(echoed(await send(plain.port, { path: '/x/y?z=1' })).url, '/x/y?z=1');
        assert.equal(echoed(await send(preserved.port, { path: '/x/y?z=1' })).url, '/base/x/y?z=1');
        assert.equal(echoed(await send(preserved.port, { path: '/' })).url, '/base/');
      } finally {
        await plain.close();
        await preserved.close();
      }
    });

    it('rewrites X-Forwarded-* and X-Real-Ip from an untrusted client, underscore spellings included', async () => {
      const seen = echoed(await send(frontend.port, {
        headers: {
          host: 'shop.example.com:8080',
          'x-forwarded-for': '203.0.113.9',
          'x-real-ip': '203.0.113.9',
          'x-forwarded-proto': 'https',
          'x-forwarded-host': 'evil.example',
          'x-forwarded-prefix': '/evil',
          x_forwarded_host: 'evil.example',
          'x-custom': 'kept',
        },
      })).headers;
      assert.equal(seen['x-forwarded-for'], '127.0.0.1');
      assert.equal(seen['x-real-ip'], '127.0.0.1');
      assert.equal(seen['x-forwarded-proto'], 'http');
      assert.equal(seen['x-forwarded-host'], 'shop.example.com:8080');
      assert.equal(seen['x-forwarded-port'], '8080');
      assert.equal(seen['x-forwarded-server'], 'berth-test-host');
      assert.equal(seen['x-forwarded-prefix'], undefined);
      assert.equal(seen['x_forwarded_host'], undefined);
      assert.equal(seen['x-custom'], 'kept');
      // Without a port in Host, the port follows the scheme.
      assert.equal(echoed(await send(frontend.port, { headers: { host: 'shop.example.com' } })).headers['x-forwarded-port'], '80');
    });

    it('keeps forwarded headers a middleware set, even for an untrusted client', async () => {
      const target = forwarding.target(backend.url);
      const front = await startFrontend((req, res, ctx) => {
        req.headers['x-forwarded-prefix'] = '/api';
        forwarding.forwarder.forward(req, res, ctx, target, new RecordingObserver());
      });
      try {
        const seen = echoed(await send(front.port, { headers: { 'x-forwarded-prefix': '/evil' } })).headers;
        assert.equal(seen['x-forwarded-prefix'], '/api');
      } finally {
        await front.close();
      }
    });

    it('keeps X-Forwarded-* from a trusted client and appends it to X-Forwarded-For', async () => {
      const front = await startFrontend(forwarding.handler(forwarding.target(backend.url)), { trust: true });
      try {
        const seen = echoed(await send(front.port, {
          headers: { 'x-forwarded-for': '203.0.113.9', 'x-real-ip': '203.0.113.9', 'x-forwarded-proto': 'https', 'x-forwarded-port': '443', x_forwarded_host: 'kept.example' },
        })).headers;
        assert.equal(seen['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
        assert.equal(seen['x-real-ip'], '203.0.113.9');
        assert.equal(seen['x-forwarded-proto'], 'https');
        assert.equal(seen['x-forwarded-port'], '443');
        assert.equal(seen['x_forwarded_host'], 'kept.example');
      } finally {
        await front.close();
      }
    });

    it('does not append to X-Forwarded-For on an entrypoint with notAppendXForwardedFor', async () => {
      const front = await startFrontend(forwarding.handler(forwarding.target(backend.url)), { trust: true, entryPoint: 'quiet' });
      try {
        assert.equal(echoed(await send(front.port, { headers: { 'x-forwarded-for': '203.0.113.9' } })).headers['x-forwarded-for'], '203.0.113.9');
        assert.equal(echoed(await send(front.port)).headers['x-forwarded-for'], undefined);
      } finally {
        await front.close();
      }
    });

    it('does not forward Expect: the proxy answered 100 Continue itself', async () => {
      const seen = echoed(await send(frontend.port, { method: 'POST', headers: { expect: '100-continue', 'content-length': '5' }, body: 'hello' }));
      assert.equal(seen.headers.expect, undefined);
      assert.equal(seen.body, 'hello');
    });

    it('reuses pooled connections: 100 sequential requests over a few connections', async () => {
      let connections = 0;
      const counted = await startBackend('counted');
      counted.server.on('connection', () => connections++);
      const front = await startFrontend(forwarding.handler(forwarding.target(counted.url)));
      try {
        for (let i = 0; i < 100; i++) assert.equal((await send(front.port)).status, 200);
        assert.ok(connections <= 2, `${connections} connections for 100 requests`);
      } finally {
        await front.close();
        await counted.close();
      }
    });

    it('opens a connection per request with a negative maxIdleConnsPerHost', async () => {
      let connections = 0;
      const counted = await startBackend('counted');
      counted.server.on('connection', () => connections++);
      const front = await startFrontend(forwarding.handler(forwarding.target(counted.url, { transport: { maxIdleConnsPerHost: -1 } })));
      try {
        for (let i = 0; i < 5; i++) assert.equal((await send(front.port)).status, 200);
        assert.equal(connections, 5);
      } finally {
        await front.close();
        await counted.close();
      }
    });

    it('keeps no more idle connections than maxIdleConnsPerHost', async () => {
      const sockets = new Set<import('node:net').Socket>();
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const slow = await startBackend('slow', (_req, res) => void gate.then(() => res.end('done')));
      slow.server.on('connection', (socket: import('node:net').Socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      const front = await startFrontend(forwarding.handler(forwarding.target(slow.url, { transport: { maxIdleConnsPerHost: 2 } })));
      try {
        const replies = Array.from({ length: 5 }, () => send(front.port));
        await waitFor(() => sockets.size === 5, 5000, 'five concurrent connections');
        release();
        await Promise.all(replies);
        await waitFor(() => sockets.size === 2, 5000, 'idle connections trimmed to 2');
      } finally {
        release();
        await front.close();
        await slow.close();
      }
    });

    it('closes idle connections after idleConnTimeout', async () => {
      const sockets = new Set<import('node:net').Socket>();
      const idle = await startBackend('idle');
      idle.server.keepAliveTimeout = 60_000;
      idle.server.on('connection', (socket: import('node:net').Socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      const front = await startFrontend(forwarding.handler(forwarding.target(idle.url, { transport: { forwardingTimeouts: { idleConnTimeout: '300ms' } } })));
      try {
        assert.equal((await send(front.port)).status, 200);
        assert.equal(sockets.size, 1);
        await waitFor(() => sockets.size === 0, 5000, 'the idle connection to close');
      } finally {
        await front.close();
        await idle.close();
      }
    });

    it('reports start, response and end once per request', async () => {
      const observer = new RecordingObserver();
      const front = await startFrontend(forwarding.handler(forwarding.target(backend.url), observer));
      try {
        await send(front.port);
        await send(front.port, { method: 'POST', body: 'x' });
        await waitFor(() => observer.ends.length === 2);
        assert.equal(observer.starts, 2);
        assert.deepEqual(observer.responses, [200, 200]);
        assert.deepEqual(observer.ends, [200, 200]);
      } finally {
        await front.close();
      }
    });

    it('relays HEAD, 204 and 304 answers without a body', async () => {
      const bodiless = await startBackend('bodiless', (req, res) => {
        if (req.url === '/204') return void res.writeHead(204).end();
        if (req.url === '/304') return void res.writeHead(304, { etag: '"v1"' }).end();
        res.writeHead(200, { 'content-length': '11', 'content-type': 'text/plain' });
        res.end(req.method === 'HEAD' ? undefined : 'hello world');
      });
      const front = await startFrontend(forwarding.handler(forwarding.target(bodiless.url)));
      try {
        const head = await send(front.port, { method: 'HEAD' });
        assert.equal(head.status, 200);
        assert.equal(head.headers['content-length'], '11');
        assert.equal(head.body.length, 0);
        assert.equal((await send(front.port, { path: '/204' })).status, 204);
        const notModified = await send(front.port, { path: '/304' });
        assert.equal(notModified.status, 304);
        assert.equal(notModified.headers.etag, '"v1"');
      } finally {
        await front.close();
        await bodiless.close();
      }
    });
  });
}

import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Handler } from '../../../src/runtime/handler.js';
import { waitFor } from '../../helpers/wait-for.js';
import { Forwarding, RecordingObserver, send, startFrontend } from './helpers/harness.js';

/**
 * What only the http1 engine has to get right, because it speaks HTTP/1.1 to servers itself: servers that
 * misbehave at the byte level, connection reuse races, and headers it must refuse to write. Each backend here
 * is a raw TCP server that writes exactly the bytes a test wants.
 */

interface RawRequest {
  readonly head: string;
  /** How many requests this connection carried before this one. */
  readonly index: number;
}

interface RawBackend {
  readonly url: string;
  connections: number;
  readonly requests: RawRequest[];
  close(): Promise<void>;
}

/** A server that calls `answer` for every request head it reads (bodies are not read: tests send none). */
async function startRawBackend(answer: (socket: Socket, request: RawRequest) => void): Promise<RawBackend> {
  const sockets = new Set<Socket>();
  const backend: RawBackend = { url: '', connections: 0, requests: [], close: async () => undefined };
  const server: Server = createServer((socket) => {
    backend.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    let index = 0;
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end !== -1; end = buffered.indexOf('\r\n\r\n')) {
        const request = { head: buffered.slice(0, end), index: index++ };
        buffered = buffered.slice(end + 4);
        backend.requests.push(request);
        answer(socket, request);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  Object.assign(backend, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  });
  return backend;
}

const OK = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';

describe('the http1 engine on the wire', { timeout: 30_000 }, () => {
  let forwarding: Forwarding;

  before(() => {
    forwarding = new Forwarding('http1');
  });

  after(async () => {
    await forwarding.close();
  });

  /** Runs `test` against a front end forwarding to `backend` through the http1 engine, then closes both. */
  async function through(backend: RawBackend, test: (proxy: { port: number; observer: RecordingObserver }) => Promise<void>, handler?: (forward: Handler) => Handler): Promise<void> {
    const observer = new RecordingObserver();
    const forward = forwarding.handler(forwarding.target(backend.url), observer);
    const front = await startFrontend(handler === undefined ? forward : handler(forward));
    try {
      await test({ port: front.port, observer });
    } finally {
      await front.close();
      await backend.close();
    }
  }

  it('replays a GET once on a new connection when the server closed the reused one without answering', async () => {
    // The second request on a connection finds it closed: what a server's keep-alive timeout does in a race.
    const backend = await startRawBackend((socket, request) => (request.index === 0 ? socket.write(OK) : socket.destroy()));
    await through(backend, async ({ port }) => {
      assert.equal((await send(port)).status, 200);
      const second = await send(port);
      assert.equal(second.status, 200);
      assert.equal(second.body.toString(), 'ok');
      assert.equal(backend.connections, 2);
      assert.equal(backend.requests.length, 3, 'the failed attempt and its replay');
    });
  });

  it('does not replay a POST: the server may have acted on it', async () => {
    const backend = await startRawBackend((socket, request) => (request.index === 0 ? socket.write(OK) : socket.destroy()));
    await through(backend, async ({ port }) => {
      assert.equal((await send(port)).status, 200);
      assert.equal((await send(port, { method: 'POST', headers: { 'content-length': '0' } })).status, 502);
      assert.equal(backend.requests.length, 2);
    });
  });

  it('relays a response whose body ends when the server closes the connection, and does not reuse it', async () => {
    const backend = await startRawBackend((socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil the end'));
    await through(backend, async ({ port }) => {
      for (let i = 0; i < 2; i++) {
        const reply = await send(port);
        assert.equal(reply.status, 200);
        assert.equal(reply.body.toString(), 'until the end');
      }
      assert.equal(backend.connections, 2);
    });
  });

  it('skips interim 1xx responses and relays the final one', async () => {
    const backend = await startRawBackend((socket) => socket.write(`HTTP/1.1 103 Early Hints\r\nlink: </a.css>; rel=preload\r\n\r\n${OK}`));
    await through(backend, async ({ port, observer }) => {
      const reply = await send(port);
      assert.equal(reply.status, 200);
      assert.equal(reply.body.toString(), 'ok');
      assert.deepEqual(observer.responses, [200]);
    });
  });

  it('relays every header of a response with more than 32 (the parser hands them over in batches)', async () => {
    const many = Array.from({ length: 80 }, (_, i) => `x-h${i}: v${i}\r\n`).join('');
    const backend = await startRawBackend((socket) => socket.write(`HTTP/1.1 200 OK\r\n${many}content-length: 2\r\n\r\nok`));
    await through(backend, async ({ port }) => {
      const reply = await send(port);
      assert.equal(reply.status, 200);
      for (let i = 0; i < 80; i++) assert.equal(reply.headers[`x-h${i}`], `v${i}`);
    });
  });

  it('closes a connection on which the server sent more than was asked for, instead of reusing it', async () => {
    // A second response glued to the first one would be taken as the answer to the next request if reused.
    const backend = await startRawBackend((socket) => socket.write(`${OK}HTTP/1.1 500 Stale\r\ncontent-length: 5\r\n\r\nstale`));
    await through(backend, async ({ port }) => {
      for (let i = 0; i < 3; i++) {
        const reply = await send(port);
        assert.equal(reply.status, 200);
        assert.equal(reply.body.toString(), 'ok');
      }
      assert.equal(backend.connections, 3);
    });
  });

  it('answers 502 to a response that is not HTTP, and to a 101 nobody asked for', async () => {
    const backend = await startRawBackend((socket, request) => {
      if (request.head.startsWith('GET /garbage')) socket.write('SSH-2.0-OpenSSH_9.2\r\n\r\n');
      else socket.write('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\n');
    });
    await through(backend, async ({ port, observer }) => {
      assert.equal((await send(port, { path: '/garbage' })).status, 502);
      assert.equal((await send(port, { path: '/switch' })).status, 502);
      assert.deepEqual(observer.ends, [502, 502]);
    });
  });

  it('refuses to write a header value holding CR or LF (no header or request smuggling): 500, nothing sent', async () => {
    const backend = await startRawBackend((socket) => socket.write(OK));
    const smuggle = (forward: Handler): Handler => (req, res, ctx) => {
      req.headers['x-injected'] = 'a\r\nGET /admin HTTP/1.1';
      forward(req, res, ctx);
    };
    await through(backend, async ({ port }) => {
      assert.equal((await send(port)).status, 500);
      assert.equal(backend.requests.length, 0);
    }, smuggle);
  });

  it('refuses a request target a middleware left with a space in it', async () => {
    const backend = await startRawBackend((socket) => socket.write(OK));
    const rewrite = (forward: Handler): Handler => (req, res, ctx) => {
      req.url = '/a b HTTP/1.1\r\nx: y';
      forward(req, res, ctx);
    };
    await through(backend, async ({ port }) => {
      assert.equal((await send(port)).status, 500);
      assert.equal(backend.requests.length, 0);
    }, rewrite);
  });

  it('keeps using a connection for longer than dialTimeout (the dial timer stops once connected)', async () => {
    const backend = await startRawBackend((socket) => socket.write(OK));
    const observer = new RecordingObserver();
    const front = await startFrontend(forwarding.handler(forwarding.target(backend.url, { transport: { forwardingTimeouts: { dialTimeout: '200ms' } } }), observer));
    try {
      assert.equal((await send(front.port)).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.equal((await send(front.port)).status, 200);
      assert.equal(backend.connections, 1);
    } finally {
      await front.close();
      await backend.close();
    }
  });

  it('reads and drops the rest of a small response the client left, keeping the connection; closes it for a large one', async () => {
    const sizes: Record<string, number> = { '/small': 200_000, '/large': 5_000_000 };
    const backend = await startRawBackend((socket, request) => {
      const path = request.head.split(' ')[1] ?? '/';
      const size = sizes[path];
      if (size === undefined) return void socket.write(OK);
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${size}\r\n\r\n${'a'.repeat(1000)}`);
      setTimeout(() => socket.write('b'.repeat(size - 1000)), 300);
    });
    await through(backend, async ({ port, observer }) => {
      const leaveAfterHead = (path: string): Promise<void> => new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path, agent: false }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
        req.end();
      });
      await leaveAfterHead('/small');
      await waitFor(() => observer.ends.length === 1, 2000, 'the abandoned exchange to end');
      assert.deepEqual(observer.ends, [499]);
      await new Promise((resolve) => setTimeout(resolve, 600));
      assert.equal((await send(port)).status, 200);
      assert.equal(backend.connections, 1, 'the drained connection was reused');
      await leaveAfterHead('/large');
      await new Promise((resolve) => setTimeout(resolve, 600));
      assert.equal((await send(port)).status, 200);
      assert.equal(backend.connections, 2, 'a large rest is not worth reading: the connection was closed');
    });
  });

  it('passes a large Content-Length body through unchanged and reuses the connection after it', async () => {
    const big = Buffer.alloc(300_000);
    for (let i = 0; i < big.length; i++) big[i] = i % 251;
    const backend = await startRawBackend((socket, request) => {
      if (!request.head.startsWith('GET /big')) return void socket.write(OK);
      // Head and body in separate packets, the body in two: the pass-through spans reads.
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${big.length}\r\n\r\n`);
      socket.write(big.subarray(0, 100_000));
      setTimeout(() => socket.write(Buffer.concat([big.subarray(100_000), Buffer.from(OK)])), 50);
    });
    await through(backend, async ({ port }) => {
      const reply = await send(port, { path: '/big' });
      assert.equal(reply.status, 200);
      assert.ok(reply.body.equals(big), 'the body arrives byte for byte');
      assert.equal((await send(port)).body.toString(), 'ok');
      assert.equal(backend.connections, 2, 'the response glued after the body was not asked for: that connection was closed');
      assert.equal((await send(port)).body.toString(), 'ok');
      assert.equal(backend.connections, 2, 'a clean connection is reused');
    });
  });

  it('cuts the client connection when a large body ends early', async () => {
    const backend = await startRawBackend((socket) => {
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: 300000\r\n\r\n${'x'.repeat(100_000)}`);
      setTimeout(() => socket.destroy(), 50);
    });
    await through(backend, async ({ port }) => {
      await assert.rejects(send(port), /aborted|ECONNRESET|socket hang up/);
    });
  });

  it('relays an early answer to an upload and does not reuse the connection the body was cut on', async () => {
    const backend = await startRawBackend((socket) => socket.end('HTTP/1.1 413 Payload Too Large\r\ncontent-length: 0\r\n\r\n'));
    await through(backend, async ({ port }) => {
      const reply = await send(port, { method: 'PUT', body: Buffer.alloc(256 * 1024, 1) });
      assert.equal(reply.status, 413);
      assert.equal((await send(port)).status, 413);
      assert.equal(backend.connections, 2);
    });
  });
});

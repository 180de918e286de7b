import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Handler } from '../../../src/runtime/handler.js';
import { watchUpstream } from '../../../src/runtime/middlewares/upstream-attempt.js';
import type { ForwarderEngine } from '../../../src/runtime/services/forwarder.js';
import { startBackend, type Backend } from '../../helpers/backend.js';
import { freePort } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait-for.js';
import { chainOf } from '../middlewares/harness.js';
import { Forwarding, RecordingObserver, send, startFrontend } from './helpers/harness.js';

/**
 * A TCP listener that never accepts: a child process listens with a backlog of 1 and then blocks its only
 * thread, so once the kernel's accept queue holds two connections, further connection attempts hang. That is
 * a dial that times out, on loopback.
 */
async function startBlackHole(): Promise<{ port: number; stop: () => void; child: ChildProcess }> {
  const script = `
    const server = require('node:net').createServer();
    server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      process.stdout.write(String(server.address().port) + '\\n', () => {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      });
    });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once('data', (data: Buffer) => resolve(Number(data.toString().trim())));
    child.once('error', reject);
  });
  return { port, child, stop: () => child.kill('SIGKILL') };
}

/** Fills the black hole's accept queue so that the next connection attempt hangs. */
async function fillAcceptQueue(port: number): Promise<() => void> {
  const { connect } = await import('node:net');
  const sockets = [connect(port, '127.0.0.1'), connect(port, '127.0.0.1')];
  await new Promise((resolve) => setTimeout(resolve, 50));
  return () => {
    for (const socket of sockets) socket.destroy();
  };
}

/** Failures, timeouts and departures: what each engine answers, logs as status, and never crashes on. */
export function runForwardingFailureSuite(engine: ForwarderEngine): void {
  describe(`forwarding failures with ${engine}`, { timeout: 60_000 }, () => {
    let forwarding: Forwarding;

    before(() => {
      forwarding = new Forwarding(engine);
    });

    after(async () => {
      await forwarding.close();
    });

    it('answers 502 Bad Gateway when the connection is refused', async () => {
      const observer = new RecordingObserver();
      const front = await startFrontend(forwarding.handler(forwarding.target(`http://127.0.0.1:${await freePort()}`), observer));
      try {
        const reply = await send(front.port);
        assert.equal(reply.status, 502);
        assert.equal(reply.body.toString(), 'Bad Gateway\n');
        assert.deepEqual(observer.ends, [502]);
        assert.deepEqual(observer.responses, []);
      } finally {
        await front.close();
      }
    });

    it('reports to a watching retry: reached but not sent when refused, sent once the head went out', async () => {
      const healthy = await startBackend('healthy');
      const refusedPort = await freePort();
      const seen: Array<{ reached: boolean; sent: boolean }> = [];
      const watching = (handler: Handler): Handler => (req, res, ctx) => {
        seen.push(watchUpstream(req));
        handler(req, res, ctx);
      };
      const refused = await startFrontend(watching(forwarding.handler(forwarding.target(`http://127.0.0.1:${refusedPort}`))));
      const served = await startFrontend(watching(forwarding.handler(forwarding.target(healthy.url))));
      try {
        assert.equal((await send(refused.port)).status, 502);
        assert.equal((await send(served.port, { method: 'POST', body: 'x' })).status, 200);
        assert.deepEqual(seen.map((s) => ({ ...s })), [{ reached: true, sent: false }, { reached: true, sent: true }]);
      } finally {
        await refused.close();
        await served.close();
        await healthy.close();
      }
    });

    it('with retry in front, a refused first server is retried on the next one and the client gets 200', async () => {
      const healthy = await startBackend('healthy');
      const refusedPort = await freePort();
      const targets = [forwarding.target(`http://127.0.0.1:${refusedPort}`), forwarding.target(healthy.url)];
      let picks = 0;
      // Round robin, as a loadBalancer service over [refused, healthy] would pick.
      const service: Handler = (req, res, ctx) => forwarding.forwarder.forward(req, res, ctx, targets[picks++ % 2] as (typeof targets)[number], new RecordingObserver());
      const front = await startFrontend(chainOf({ retry: { retry: { attempts: 2 } } }, ['retry'], service));
      try {
        for (const method of ['GET', 'POST']) {
          const reply = await send(front.port, { method, path: '/again', body: method === 'POST' ? 'payload' : '' });
          assert.equal(reply.status, 200, method);
          assert.equal(JSON.parse(reply.body.toString()).body, method === 'POST' ? 'payload' : '');
        }
        assert.equal(picks, 4, 'each request went to the refused server first, then to the healthy one');
        assert.equal(healthy.requests.length, 2);
      } finally {
        await front.close();
        await healthy.close();
      }
    });

    it('answers 502 when the server resets or closes the connection before answering', async () => {
      const rude = await startBackend('rude', (req) => req.socket.destroy());
      const front = await startFrontend(forwarding.handler(forwarding.target(rude.url)));
      try {
        const reply = await send(front.port, { method: 'POST', body: 'x' });
        assert.equal(reply.status, 502);
        assert.equal(reply.body.toString(), 'Bad Gateway\n');
      } finally {
        await front.close();
        await rude.close();
      }
    });

    it('answers 504 Gateway Timeout after responseHeaderTimeout', async () => {
      let waiting: IncomingMessage | undefined;
      const mute = await startBackend('mute', (req) => {
        waiting = req;
      });
      const observer = new RecordingObserver();
      const front = await startFrontend(forwarding.handler(forwarding.target(mute.url, { transport: { forwardingTimeouts: { responseHeaderTimeout: '200ms' } } }), observer));
      try {
        const started = Date.now();
        const reply = await send(front.port);
        assert.equal(reply.status, 504);
        assert.equal(reply.body.toString(), 'Gateway Timeout\n');
        assert.ok(Date.now() - started >= 150);
        assert.deepEqual(observer.ends, [504]);
        // The abandoned upstream request is closed, not left hanging on the server.
        await waitFor(() => waiting?.socket.destroyed === true || waiting?.destroyed === true, 3000, 'the upstream request to be aborted');
      } finally {
        await front.close();
        await mute.close();
      }
    });

    it('answers 504 when the dial does not complete within dialTimeout', async () => {
      const hole = await startBlackHole();
      const unfill = await fillAcceptQueue(hole.port);
      const front = await startFrontend(forwarding.handler(forwarding.target(`http://127.0.0.1:${hole.port}`, { transport: { forwardingTimeouts: { dialTimeout: '300ms' } } })));
      try {
        const reply = await send(front.port);
        assert.equal(reply.status, 504);
        assert.equal(reply.body.toString(), 'Gateway Timeout\n');
      } finally {
        unfill();
        hole.stop();
        await front.close();
      }
    });

    it('aborts the upstream request when the client leaves, and records 499', async () => {
      let upstream: IncomingMessage | undefined;
      let upstreamClosed = false;
      const slow = await startBackend('slow', (req) => {
        upstream = req;
        req.on('close', () => {
          upstreamClosed = true;
        });
      });
      const observer = new RecordingObserver();
      const front = await startFrontend(forwarding.handler(forwarding.target(slow.url), observer));
      try {
        const req = httpRequest({ host: '127.0.0.1', port: front.port, path: '/slow', agent: false });
        req.on('error', () => undefined);
        req.end();
        await waitFor(() => upstream, 3000, 'the request to reach the server');
        req.destroy();
        await waitFor(() => upstreamClosed, 3000, 'the upstream request to be aborted');
        await waitFor(() => observer.ends.length === 1, 3000, 'the exchange to end');
        assert.deepEqual(observer.ends, [499]);
        // The proxy is still serving.
        const healthy = await startBackend('healthy');
        const front2 = await startFrontend(forwarding.handler(forwarding.target(healthy.url)));
        assert.equal((await send(front2.port)).status, 200);
        await front2.close();
        await healthy.close();
      } finally {
        await front.close();
        await slow.close();
      }
    });

    it('cuts the client connection when the server dies mid-response (no hang, no clean end)', async () => {
      const dying = await startBackend('dying', (_req, res) => {
        res.writeHead(200, { 'content-length': '100000' });
        res.write(Buffer.alloc(1000, 'x'), () => setTimeout(() => res.socket?.destroy(), 20));
      });
      const observer = new RecordingObserver();
      const front = await startFrontend(forwarding.handler(forwarding.target(dying.url), observer));
      try {
        const outcome = await new Promise<string>((resolve) => {
          const req = httpRequest({ host: '127.0.0.1', port: front.port, agent: false }, (res) => {
            res.on('data', () => undefined);
            res.on('end', () => resolve('ended'));
            res.on('aborted', () => resolve('aborted'));
            res.on('error', () => resolve('aborted'));
          });
          req.on('error', () => resolve('aborted'));
          req.end();
        });
        assert.equal(outcome, 'aborted');
        await waitFor(() => observer.ends.length === 1);
        assert.deepEqual(observer.ends, [200]);
      } finally {
        await front.close();
        await dying.close();
      }
    });

    it('survives a client that leaves during a large upload', async () => {
      let got = 0;
      const sink: Backend = await startBackend('sink', (req, res) => {
        req.on('data', (chunk: Buffer) => (got += chunk.length));
        req.on('end', () => res.end('ok'));
      });
      const observer = new RecordingObserver();
      const front = await startFrontend(forwarding.handler(forwarding.target(sink.url), observer));
      try {
        const req = httpRequest({ host: '127.0.0.1', port: front.port, method: 'POST', agent: false, headers: { 'content-length': String(10 * 1024 * 1024) } });
        req.on('error', () => undefined);
        req.write(Buffer.alloc(256 * 1024));
        await waitFor(() => got > 0, 3000, 'part of the body to arrive');
        req.destroy();
        await waitFor(() => observer.ends.length === 1, 3000, 'the exchange to end');
        assert.deepEqual(observer.ends, [499]);
      } finally {
        await front.close();
        await sink.close();
      }
    });
  });
}

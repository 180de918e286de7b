import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect, createServer, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { RequestContext } from '../../../src/runtime/request-context.js';
import { startBackend } from '../../helpers/backend.js';
import { Forwarding } from './helpers/harness.js';

/** A request from an HTTP/2 client, through Node's compatibility API (what the https entrypoint serves). */
function h2Request(port: number, method: string, path: string, body?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://127.0.0.1:${port}`);
    session.on('error', reject);
    const stream = session.request({ ':method': method, ':path': path, ':authority': 'app.example.com', 'x-client': 'h2' });
    let text = '';
    let headers: Record<string, unknown> = {};
    stream.on('response', (h) => (headers = h));
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (text += chunk));
    stream.on('end', () => {
      session.close();
      resolve({ status: Number(headers[':status']), headers, body: text });
    });
    stream.on('error', reject);
    stream.end(body);
  });
}

for (const engine of ['http1', 'undici', 'http-proxy'] as const) {
  describe(`HTTP/2 clients with ${engine}`, { timeout: 20_000 }, () => {
    it('forwards over HTTP/1.1 with the :authority as Host and relays the answer without connection headers', async () => {
      const backend = await startBackend('h1', (req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => res.writeHead(200, { connection: 'keep-alive', 'keep-alive': 'timeout=5', 'x-seen-host': req.headers.host ?? '', 'x-seen-client': String(req.headers['x-client']) }).end(`${req.method} ${req.url} ${body}`));
      });
      const forwarding = new Forwarding(engine);
      const target = forwarding.target(backend.url);
      const server: Http2Server = createServer((req, res) => {
        const ctx: RequestContext = {
          entryPoint: 'websecure', clientIp: '127.0.0.1', clientPort: 0, localPort: 0, tls: true, trustForwardHeaders: false,
          host: '', serverName: '', routerName: '', serviceName: '', serverUrl: '', upgrade: undefined, startedAt: process.hrtime.bigint(),
        };
        forwarding.forwarder.forward(req as unknown as IncomingMessage, res as unknown as ServerResponse, ctx, target, { onStart() {}, onResponse() {}, onEnd() {} });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const port = (server.address() as AddressInfo).port;
        const get = await h2Request(port, 'GET', '/page?x=1');
        assert.equal(get.status, 200);
        assert.equal(get.body, 'GET /page?x=1 ');
        assert.equal(get.headers['x-seen-host'], 'app.example.com');
        assert.equal(get.headers['x-seen-client'], 'h2');
        const post = await h2Request(port, 'POST', '/submit', 'data');
        assert.equal(post.body, 'POST /submit data');
      } finally {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await forwarding.close();
        await backend.close();
      }
    });
  });
}

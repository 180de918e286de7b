import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import { createTlsManager } from '../../src/tls/tls-manager.js';
import { generateDefaultCertificate } from '../../src/tls/default-certificate.js';
import type { HttpEntryPointOptions } from '../../src/entrypoints/http-entrypoint.js';
import { waitFor } from '../helpers/wait-for.js';
import { request1 } from './clients.js';
import { echo, entryPointOptions, held, startEntryPoint, table, type Echoed } from './fixture.js';

const tls = await createTlsManager({ readFile: async () => '', generatedDefault: await generateDefaultCertificate() });

/** Plain HTTP must behave the same whether or not the entrypoint also terminates TLS on its port. */
const MODES: ReadonlyArray<[string, Partial<HttpEntryPointOptions>]> = [
  ['plain only', {}],
  ['with TLS detection', { https: { acceptor: tls, http2: { maxConcurrentStreams: 250, maxDecoderHeaderTableSize: 4096, maxEncoderHeaderTableSize: 4096 } } }],
];

/** Writes raw bytes on one connection and collects everything until the server closes it. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1', () => socket.write(text));
    let data = '';
    socket.on('data', (chunk: Buffer) => { data += chunk.toString(); });
    socket.on('error', reject);
    socket.on('close', () => resolve(data));
  });
}

for (const [mode, extra] of MODES) {
  test(`${mode}: 503 before the first routing table, 404 without a handler, then the handler`, async () => {
    const { entryPoint, switcher, close } = await startEntryPoint(entryPointOptions(extra));
    try {
      const early = await request1(entryPoint.port, { host: 'a.test' });
      assert.deepEqual([early.status, early.headers['retry-after']], [503, '1']);
      switcher.set(table(1, {}));
      assert.equal((await request1(entryPoint.port, { host: 'a.test' })).body, '404 page not found\n');
      switcher.set(table(2, { http: echo }));
      const echoed = JSON.parse((await request1(entryPoint.port, { host: 'a.test', path: '/x?y=1' })).body) as Echoed;
      assert.deepEqual([echoed.tls, echoed.serverName, echoed.url, echoed.clientIp, echoed.trusted, echoed.localPort], [false, '', '/x?y=1', '127.0.0.1', false, entryPoint.port]);
    } finally {
      await close();
    }
  });

  test(`${mode}: pipelined requests in one packet, trusted forwarded headers, bad requests`, async () => {
    const { entryPoint, close } = await startEntryPoint(entryPointOptions({ ...extra, forwardedHeaders: { trustedIPs: ['127.0.0.1'], insecure: false }, maxHeaderBytes: 2048 }), table(1, { http: echo }));
    try {
      const both = await raw(entryPoint.port, 'GET /one HTTP/1.1\r\nHost: a.test\r\n\r\nGET /two HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n');
      assert.match(both, /"url":"\/one"[\s\S]*"url":"\/two"/);
      assert.match(both, /"trusted":true/);
      assert.match(await raw(entryPoint.port, 'NOT HTTP\r\n\r\n'), /^HTTP\/1\.1 400 Bad Request/);
      assert.match(await raw(entryPoint.port, `GET / HTTP/1.1\r\nHost: a.test\r\nX-Big: ${'x'.repeat(4096)}\r\n\r\n`), /^HTTP\/1\.1 431/);
    } finally {
      await close();
    }
  });

  test(`${mode}: graceful shutdown lets the request in flight finish with Connection: close`, async () => {
    const hold = held();
    const { entryPoint, close } = await startEntryPoint(entryPointOptions(extra), table(1, { http: hold.handler }));
    const inFlight = request1(entryPoint.port, { host: 'a.test' });
    await waitFor(() => hold.started.length === 1, 5000, 'request in flight');
    assert.equal(entryPoint.inFlight, 1);
    const closing = close();
    await waitFor(async () => {
      try {
        await request1(entryPoint.port, { host: 'a.test' });
        return false;
      } catch {
        return true;
      }
    }, 5000, 'new connections refused');
    hold.release();
    const reply = await inFlight;
    assert.deepEqual([reply.body, reply.headers['connection']], ['released', 'close']);
    await closing;
  });
}

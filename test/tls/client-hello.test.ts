import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { connect } from 'node:tls';
import { parseClientHello } from '../../src/tls/client-hello.js';

/** Captures the first bytes a real Node TLS client sends. */
async function captureHello(options: { servername?: string; ALPNProtocols?: string[] }): Promise<Buffer> {
  let resolveBytes: (b: Buffer) => void = () => undefined;
  const bytes = new Promise<Buffer>((resolve) => { resolveBytes = resolve; });
  const server = createServer((socket: Socket) => {
    socket.once('data', (chunk: Buffer) => {
      resolveBytes(chunk);
      socket.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const client = connect({ port, host: '127.0.0.1', rejectUnauthorized: false, ...options });
  client.on('error', () => undefined);
  const chunk = await bytes;
  client.destroy();
  server.close();
  return chunk;
}

test('SNI and ALPN are read from a real ClientHello', async () => {
  const hello = await captureHello({ servername: 'App.Example.com', ALPNProtocols: ['h2', 'http/1.1'] });
  assert.deepEqual(parseClientHello(hello), { serverName: 'App.Example.com', alpnProtocols: ['h2', 'http/1.1'] });
});

test('a ClientHello without SNI or ALPN', async () => {
  const hello = await captureHello({});
  assert.deepEqual(parseClientHello(hello), { serverName: undefined, alpnProtocols: [] });
});

test('partial input is incomplete, other protocols are not TLS', async () => {
  const hello = await captureHello({ servername: 'x.test' });
  assert.equal(parseClientHello(hello.subarray(0, 3)), 'incomplete');
  assert.equal(parseClientHello(hello.subarray(0, hello.length - 10)), 'incomplete');
  assert.equal(parseClientHello(Buffer.from('GET / HTTP/1.1\r\n')), 'not-tls');
});

test('a ClientHello split over two TLS records is joined', async () => {
  const hello = await captureHello({ servername: 'split.test', ALPNProtocols: ['acme-tls/1'] });
  const body = hello.subarray(5);
  const cut = 40;
  const record = (part: Buffer): Buffer => Buffer.concat([Buffer.from([22, 3, 1, part.length >> 8, part.length & 255]), part]);
  const twoRecords = Buffer.concat([record(body.subarray(0, cut)), record(body.subarray(cut))]);
  assert.deepEqual(parseClientHello(twoRecords), { serverName: 'split.test', alpnProtocols: ['acme-tls/1'] });
});

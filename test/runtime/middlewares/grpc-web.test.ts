import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Handler } from '../../../src/runtime/handler.js';
import { echo, send, serveMiddleware } from './harness.js';

/** A length-prefixed gRPC message frame. */
const frame = (payload: string, flags = 0): Buffer => {
  const body = Buffer.from(payload);
  const header = Buffer.alloc(5);
  header[0] = flags;
  header.writeUInt32BE(body.length, 1);
  return Buffer.concat([header, body]);
};

const seen: Array<{ contentType: string | undefined; te: string | undefined; body: Buffer }> = [];
/** Stands in for a gRPC backend behind the forwarding service: answers one message, then trailers. */
const grpcBackend: Handler = (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    seen.push({ contentType: req.headers['content-type'], te: req.headers['te'] as string | undefined, body: Buffer.concat(chunks) });
    res.setHeader('content-type', 'application/grpc+proto');
    res.setHeader('trailer', 'grpc-status, grpc-message');
    res.setHeader('x-custom', 'yes');
    res.writeHead(200);
    res.write(frame('reply'));
    res.addTrailers({ 'grpc-status': '0', 'grpc-message': 'OK' });
    res.end();
  });
};

const trailerFrame = frame('grpc-message: OK\r\ngrpc-status: 0\r\n', 0x80);

test('grpcWeb: binary gRPC-Web becomes gRPC and back, trailers as the last frame', async () => {
  const served = await serveMiddleware({ grpcWeb: { allowOrigins: ['https://app.example'] } }, grpcBackend);
  try {
    seen.length = 0;
    const reply = await send(served.url, { method: 'POST', path: '/pkg.Service/Method', body: frame('hello'), headers: { 'content-type': 'application/grpc-web+proto', origin: 'https://app.example', 'x-grpc-web': '1' } });
    assert.equal(seen[0]?.contentType, 'application/grpc+proto');
    assert.equal(seen[0]?.te, 'trailers');
    assert.deepEqual(seen[0]?.body, frame('hello'));
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-type'], 'application/grpc-web+proto');
    assert.equal(reply.headers['access-control-allow-origin'], 'https://app.example');
    assert.equal(reply.headers['access-control-allow-credentials'], 'true');
    assert.equal(reply.headers['access-control-expose-headers'], 'Content-Type, X-Custom, grpc-status, grpc-message');
    assert.equal(reply.headers.trailer, undefined);
    assert.deepEqual(reply.body, Buffer.concat([frame('reply'), trailerFrame]));
  } finally {
    await served.close();
  }
});

test('grpcWeb: the text variant is base64 both ways', async () => {
  const served = await serveMiddleware({ grpcWeb: {} }, grpcBackend);
  try {
    seen.length = 0;
    const reply = await send(served.url, { method: 'POST', body: frame('hello').toString('base64'), headers: { 'content-type': 'application/grpc-web-text' } });
    assert.equal(seen[0]?.contentType, 'application/grpc');
    assert.deepEqual(seen[0]?.body, frame('hello'));
    assert.equal(reply.headers['content-type'], 'application/grpc-web-text+proto');
    assert.equal(reply.headers['access-control-allow-origin'], undefined, 'origin not allowed');
    assert.deepEqual(Buffer.from(reply.text, 'base64'), Buffer.concat([frame('reply'), trailerFrame]));
  } finally {
    await served.close();
  }
});

test('grpcWeb: CORS preflight for allowed origins; other requests pass untouched', async () => {
  const served = await serveMiddleware({ grpcWeb: { allowOrigins: ['*'] } }, echo);
  try {
    const preflight = await send(served.url, { method: 'OPTIONS', headers: { origin: 'https://x.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-grpc-web,content-type' } });
    assert.equal(preflight.status, 200);
    assert.equal(preflight.headers['access-control-allow-origin'], 'https://x.example');
    assert.equal(preflight.headers['access-control-allow-methods'], 'POST');
    assert.equal(preflight.headers['access-control-allow-headers'], 'X-Grpc-Web, Content-Type');
    assert.equal(preflight.headers['access-control-max-age'], '600');
    const plain = await send(served.url, { method: 'POST', body: 'x', headers: { 'content-type': 'application/json' } });
    assert.equal(plain.echoed.headers['content-type'], 'application/json');
  } finally {
    await served.close();
  }
});

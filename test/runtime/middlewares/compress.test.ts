import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { request } from 'node:http';
import type { Handler } from '../../../src/runtime/handler.js';
import { negotiateEncoding } from '../../../src/runtime/middlewares/accept-encoding.js';
import { waitFor } from '../../helpers/wait-for.js';
import { buildErrors, send, serveMiddleware, type SendOptions } from './harness.js';

const zstdAvailable = typeof (zlib as unknown as Record<string, unknown>)['createZstdCompress'] === 'function';
const body = Buffer.from('berth '.repeat(1000));

function backend(headers: Record<string, string> = {}, payload: Buffer = body, status = 200): Handler {
  return (_req, res) => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.statusCode = status;
    // Two writes, as a proxy streams: the first is smaller than the minimum size.
    res.write(payload.subarray(0, 100));
    res.end(payload.subarray(100));
  };
}

async function call(config: Record<string, unknown>, options: SendOptions, handler: Handler = backend()) {
  const served = await serveMiddleware({ compress: config }, handler);
  try {
    return await send(served.url, options);
  } finally {
    await served.close();
  }
}

// traefik/traefik pkg/middlewares/compress/acceptencoding_test.go
test('Accept-Encoding negotiation', () => {
  const all = ['gzip', 'br', 'zstd'];
  const cases: Array<[string, string | undefined, string[], string]> = [
    ['', undefined, all, 'identity'],
    ['gzip, br', undefined, all, 'gzip'],
    ['gzip, br, zstd', undefined, all, 'gzip'],
    ['compress, gzip', undefined, all, 'gzip'],
    ['compress, rar', undefined, all, 'not-acceptable'],
    ['*', undefined, all, 'gzip'],
    ['*', 'br', all, 'br'],
    ['br;q=0.8, gzip;q=1.0, *;q=0.1', undefined, all, 'gzip'],
    ['br;q=0.8, identity;q=1.0', undefined, all, 'identity'],
    ['br;q=0.8, identity;q=0.8', undefined, all, 'br'],
    ['compress;q=1.0, gzip;q=0.5', undefined, all, 'gzip'],
    ['compress;q=1.0, gzip, identity;q=0', undefined, all, 'gzip'],
    ['compress;q=1.0, identity;q=0', undefined, all, 'not-acceptable'],
    ['compress;q=1.0, *;q=0', undefined, all, 'not-acceptable'],
    ['gzip, *;q=0', undefined, all, 'gzip'],
    ['zstd, gzip, br', undefined, ['br', 'gzip'], 'br'],
    ['br;q=0.8, gzip;q=1.0, *;q=0.1', undefined, ['zstd', 'br'], 'br'],
    ['gzip, br;q=0.9', undefined, ['gzip', 'br'], 'gzip'],
    ['br;q=0, gzip;q=0, zstd;q=0', undefined, all, 'not-acceptable'],
    ['br;q=0, gzip;q=0, zstd;q=0', 'br', all, 'not-acceptable'],
    ['br;q=1.0, gzip;q=1.0, zstd;q=1.0', undefined, all, 'gzip'],
    ['br;q=1.0, zstd;q=1.0, gzip;q=1.0', 'br', all, 'gzip'],
  ];
  for (const [header, defaultEncoding, encodings, expected] of cases) {
    assert.equal(negotiateEncoding(header, encodings, defaultEncoding), expected, `${header} / ${encodings.join()}`);
  }
});

test('compress: gzip and brotli bodies decode to the original, with Vary and without Content-Length', async () => {
  const gzip = await call({}, { headers: { 'accept-encoding': 'gzip' } }, backend({ 'content-length': String(body.length) }));
  assert.equal(gzip.headers['content-encoding'], 'gzip');
  assert.equal(gzip.headers.vary, 'Accept-Encoding');
  assert.equal(gzip.headers['content-length'], undefined);
  assert.deepEqual(zlib.gunzipSync(gzip.body), body);
  const br = await call({}, { headers: { 'accept-encoding': 'br' } });
  assert.equal(br.headers['content-encoding'], 'br');
  assert.deepEqual(zlib.brotliDecompressSync(br.body), body);
});

// zstd depends on the Node running Berth (22.15+), so this checks whichever behaviour this Node must have.
test(`compress: zstd ${zstdAvailable ? 'is negotiated on this Node' : 'is left out of negotiation on this Node (< 22.15)'}`, async () => {
  const reply = await call({}, { headers: { 'accept-encoding': 'zstd' } });
  if (zstdAvailable) {
    assert.equal(reply.headers['content-encoding'], 'zstd');
    const decompress = (zlib as unknown as { zstdDecompressSync: (b: Buffer) => Buffer }).zstdDecompressSync;
    assert.deepEqual(decompress(reply.body), body);
    assert.deepEqual(buildErrors({ compress: { encodings: ['zstd'] } }), []);
  } else {
    assert.equal(reply.headers['content-encoding'], undefined);
    assert.deepEqual(reply.body, body);
    const fallback = await call({}, { headers: { 'accept-encoding': 'zstd, gzip' } });
    assert.equal(fallback.headers['content-encoding'], 'gzip');
    assert.deepEqual(zlib.gunzipSync(fallback.body), body);
    assert.match(buildErrors({ compress: { encodings: ['zstd'] } })[0] ?? '', /BERTH_ERR_NOT_SUPPORTED.*zstd needs Node.js 22.15/);
  }
});

test('compress: responses left alone', async () => {
  const plain = async (config: Record<string, unknown>, options: SendOptions, handler?: Handler) => {
    const reply = await call(config, options, handler);
    assert.equal(reply.headers['content-encoding'], undefined, JSON.stringify({ config, options }));
    assert.deepEqual(reply.body, options.method === 'HEAD' ? Buffer.alloc(0) : body);
    return reply;
  };
  await plain({}, {});
  await plain({}, { headers: { 'accept-encoding': 'identity' } });
  await plain({}, { headers: { 'accept-encoding': '' } });
  const unacceptable = await plain({}, { headers: { 'accept-encoding': 'compress' } });
  assert.equal(unacceptable.headers.vary, undefined);
  await plain({}, { method: 'HEAD', headers: { 'accept-encoding': 'gzip' } });
  await plain({}, { headers: { 'accept-encoding': 'gzip', 'content-type': 'application/grpc' } });
  await plain({ excludedContentTypes: ['text/event-stream'] }, { headers: { 'accept-encoding': 'gzip', 'content-type': 'text/event-stream' } });
  await plain({ excludedContentTypes: ['text/event-stream'] }, { headers: { 'accept-encoding': 'gzip' } }, backend({ 'content-type': 'text/event-stream' }));
  await plain({ includedContentTypes: ['text/plain'] }, { headers: { 'accept-encoding': 'gzip' } }, backend({ 'content-type': 'text/html' }));
  await plain({}, { headers: { 'accept-encoding': 'gzip' } }, backend({ 'content-type': 'application/grpc+proto' }));
  await plain({ minResponseBodyBytes: body.length + 1 }, { headers: { 'accept-encoding': 'gzip' } });
  await plain({}, { headers: { 'accept-encoding': 'gzip' } }, backend({ 'content-range': `bytes 0-${body.length - 1}/${body.length * 2}` }, body, 206));
});

test('compress: an already encoded response passes unchanged', async () => {
  const encoded = zlib.gzipSync(body);
  const reply = await call({}, { headers: { 'accept-encoding': 'br' } }, backend({ 'content-encoding': 'gzip' }, encoded));
  assert.equal(reply.headers['content-encoding'], 'gzip');
  assert.deepEqual(reply.body, encoded);
});

test('compress: a body smaller than minResponseBodyBytes goes out as is, with its length', async () => {
  const short = Buffer.from('x'.repeat(500));
  const reply = await call({}, { headers: { 'accept-encoding': 'gzip' } }, backend({}, short));
  assert.equal(reply.headers['content-encoding'], undefined);
  assert.equal(reply.headers['content-length'], '500');
  assert.equal(reply.headers.vary, 'Accept-Encoding');
  assert.deepEqual(reply.body, short);
});

test('compress: included content types compress; defaultEncoding applies without Accept-Encoding', async () => {
  const included = await call({ includedContentTypes: ['text/html'] }, { headers: { 'accept-encoding': 'gzip' } }, backend({ 'content-type': 'text/html; charset=utf-8' }));
  assert.equal(included.headers['content-encoding'], 'gzip');
  const fallback = await call({ defaultEncoding: 'br' }, {});
  assert.equal(fallback.headers['content-encoding'], 'br');
  assert.equal((await call({}, { headers: { 'accept-encoding': 'gzip' } }, backend({ vary: 'Origin' }))).headers.vary, 'Origin, Accept-Encoding');
});

test('compress: streamed chunks are flushed as they come (server-sent events keep working)', async () => {
  let finish: () => void = () => undefined;
  const served = await serveMiddleware({ compress: { minResponseBodyBytes: 10 } }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`data: ${'a'.repeat(50)}\n\n`);
    finish = () => res.end();
  });
  try {
    const received: Buffer[] = [];
    const inflate = zlib.createGunzip();
    inflate.on('data', (chunk: Buffer) => received.push(chunk));
    const done = new Promise<void>((resolve) => {
      request(`${served.url}/`, { headers: { 'accept-encoding': 'gzip' }, agent: false }, (res) => {
        assert.equal(res.headers['content-encoding'], 'gzip');
        res.pipe(inflate);
        res.on('end', resolve);
      }).end();
    });
    await waitFor(() => Buffer.concat(received).toString().includes('data: aaaa'), 3000, 'the first event before the response ends');
    finish();
    await done;
  } finally {
    await served.close();
  }
});

test('compress: build errors', () => {
  assert.match(buildErrors({ compress: { defaultEncoding: 'deflate' } })[0] ?? '', /defaultEncoding: "deflate" is not one of encodings/);
  assert.match(buildErrors({ compress: { excludedContentTypes: ['not a type'] } })[0] ?? '', /excludedContentTypes\[0\]/);
});

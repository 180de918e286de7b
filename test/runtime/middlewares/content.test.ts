import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Handler } from '../../../src/runtime/handler.js';
import { detectContentType } from '../../../src/runtime/middlewares/content-sniff.js';
import { send, serveMiddleware } from './harness.js';

// Go's net/http sniff_test.go table (a representative part of it).
test('content sniffing follows Go http.DetectContentType', () => {
  const cases: Array<[string, Buffer, string]> = [
    ['Empty', Buffer.alloc(0), 'text/plain; charset=utf-8'],
    ['Binary', Buffer.from([1, 2, 3]), 'application/octet-stream'],
    ['HTML document #1', Buffer.from('<HtMl><bOdY>blah blah blah</body></html>'), 'text/html; charset=utf-8'],
    ['HTML document #2', Buffer.from('<HTML></HTML>'), 'text/html; charset=utf-8'],
    ['HTML document #3 (leading whitespace)', Buffer.from('   <!DOCTYPE HTML>...'), 'text/html; charset=utf-8'],
    ['HTML document #4 (leading CRLF)', Buffer.from('\r\n<html>...'), 'text/html; charset=utf-8'],
    ['Not HTML: tag not terminated', Buffer.from('<htmlx>'), 'text/plain; charset=utf-8'],
    ['Plain text', Buffer.from('This is not HTML. It has ☃ though.'), 'text/plain; charset=utf-8'],
    ['XML', Buffer.from('\n<?xml!'), 'text/xml; charset=utf-8'],
    ['GIF 87a', Buffer.from('GIF87a'), 'image/gif'],
    ['GIF 89a', Buffer.from('GIF89a...'), 'image/gif'],
    ['PNG', Buffer.from('\x89PNG\x0D\x0A\x1A\x0A', 'latin1'), 'image/png'],
    ['JPEG', Buffer.from('\xFF\xD8\xFF', 'latin1'), 'image/jpeg'],
    ['WEBP', Buffer.from('RIFF\x00\x00\x00\x00WEBPVP8 ', 'latin1'), 'image/webp'],
    ['PDF', Buffer.from('%PDF-1.4'), 'application/pdf'],
    ['UTF-8 BOM', Buffer.from('\xEF\xBB\xBFhello', 'latin1'), 'text/plain; charset=utf-8'],
    ['UTF-16LE BOM', Buffer.from('\xFF\xFEh\x00', 'latin1'), 'text/plain; charset=utf-16le'],
    ['MP4 video', Buffer.from('\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom<\x06t\xbfmdat', 'latin1'), 'video/mp4'],
    ['gzip', Buffer.from('\x1F\x8B\x08', 'latin1'), 'application/x-gzip'],
    ['zip', Buffer.from('PK\x03\x04', 'latin1'), 'application/zip'],
    ['wasm', Buffer.from('\x00asm\x01\x00\x00\x00', 'latin1'), 'application/wasm'],
    ['woff2', Buffer.from('wOF2', 'latin1'), 'font/woff2'],
    ['OGG', Buffer.from('OggS\x00\x02', 'latin1'), 'application/ogg'],
  ];
  for (const [desc, data, type] of cases) assert.equal(detectContentType(data), type, desc);
});

const bodyWithout = (body: string, headers: Record<string, string> = {}): Handler => (_req, res) => {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.write(body);
  res.end();
};

// traefik/traefik pkg/middlewares/contenttype/content_type_test.go
test('contentType: a missing Content-Type is sniffed; a present one is kept', async () => {
  const sniffed = await serveMiddleware({ contentType: {} }, bodyWithout('<html><body>hi</body></html>'));
  const kept = await serveMiddleware({ contentType: {} }, bodyWithout('<html></html>', { 'content-type': 'application/json' }));
  const disabled = await serveMiddleware({ contentType: { autoDetect: false } }, bodyWithout('<html></html>'));
  try {
    const reply = await send(sniffed.url);
    assert.equal(reply.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(reply.text, '<html><body>hi</body></html>');
    assert.equal((await send(kept.url)).headers['content-type'], 'application/json');
    assert.equal((await send(disabled.url)).headers['content-type'], undefined);
  } finally {
    await Promise.all([sniffed.close(), kept.close(), disabled.close()]);
  }
});

// traefik/traefik pkg/middlewares/encodedcharacters/encoded_characters_test.go
test('encodedCharacters: each encoded character is refused unless allowed', async () => {
  const cases: Array<[string, string]> = [
    ['allowEncodedSlash', '/foo%2fbar'],
    ['allowEncodedBackSlash', '/foo%5cbar'],
    ['allowEncodedNullCharacter', '/foo%00bar'],
    ['allowEncodedSemicolon', '/foo%3bbar'],
    ['allowEncodedPercent', '/foo%25bar'],
    ['allowEncodedQuestionMark', '/foo%3Fbar'],
    ['allowEncodedHash', '/foo%23bar'],
  ];
  const strict = await serveMiddleware({ encodedCharacters: {} });
  try {
    for (const [option, path] of cases) {
      assert.equal((await send(strict.url, { path })).status, 400, path);
      const allowed = await serveMiddleware({ encodedCharacters: { [option]: true } });
      try {
        assert.equal((await send(allowed.url, { path })).status, 200, `${path} with ${option}`);
      } finally {
        await allowed.close();
      }
    }
    assert.equal((await send(strict.url, { path: '/plain%20space?q=%2F' })).status, 200, 'other escapes and the query are fine');
  } finally {
    await strict.close();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeLabels } from '../../../src/config/labels/decode.js';
import type { RequestContext } from '../../../src/runtime/request-context.js';
import { denyRouterRecursion, routerMarker } from '../../../src/runtime/compile/deny-router-recursion.js';
import { parseDynamicFiles } from '../../../src/providers/file/parse.js';

test('the marker is FNV-1 64 (not 1a) in lower-case hex without leading zeros, as Traefik makes it', () => {
  // Reference vectors of FNV-1 64: "" is the offset basis, "a" and "foobar" from the FNV test suite.
  assert.equal(routerMarker(''), 'cbf29ce484222325');
  assert.equal(routerMarker('a'), 'af63bd4c8601b7be');
  assert.equal(routerMarker('foobar'), '340d8765a4dda9c2');
  assert.notEqual(routerMarker('whoami@docker'), routerMarker('whoami@file'));
});

/** One real server whose only handler is the check in front of a recorder. */
async function serve(routerName: string) {
  const seen: Array<string | string[] | undefined> = [];
  const handler = denyRouterRecursion(routerName, (req, res) => {
    seen.push(req.headers['x-traefik-router']);
    res.end('passed');
  });
  const server = createServer((req, res) => handler(req, res, {} as RequestContext));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const get = (headers: Record<string, string | string[]>) => new Promise<{ status: number; body: string }>((resolve, reject) => {
    request({ host: '127.0.0.1', port, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject).end();
  });
  return { seen, get, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test('a request without the marker gets it and goes on; one carrying it is answered 400 with no body', async () => {
  const marker = routerMarker('whoami@docker');
  const server = await serve('whoami@docker');
  try {
    assert.deepEqual(await server.get({}), { status: 200, body: 'passed' });
    assert.deepEqual(server.seen, [marker]);
    // Another router's marker (a chain through two default-rule routers) is replaced, not refused.
    assert.deepEqual(await server.get({ 'x-traefik-router': routerMarker('other@docker') }), { status: 200, body: 'passed' });
    assert.deepEqual(server.seen, [marker, marker]);
    assert.deepEqual(await server.get({ 'X-Traefik-Router': marker }), { status: 400, body: '' });
    // Go's Header.Get reads the first of repeated values.
    assert.deepEqual(await server.get({ 'x-traefik-router': [marker, 'x'] }), { status: 400, body: '' });
    assert.equal(server.seen.length, 2);
  } finally {
    await server.close();
  }
});

test('defaultRule cannot be written in labels or files: only the Docker provider sets it', () => {
  const labels = decodeLabels({ 'berth.http.routers.web.rule': 'Host(`a.test`)', 'berth.http.routers.web.defaultrule': 'true' }, 'berth', 'web-1');
  const issue = labels.issues.find((i) => i.where === 'label berth.http.routers.web.defaultrule on container web-1');
  assert.equal(issue?.code, 'BERTH_ERR_UNKNOWN_KEY');
  assert.match(issue?.message ?? '', /set by the Docker provider/);
  assert.equal((labels.config.http?.routers?.['web'] as { defaultRule?: boolean } | undefined)?.defaultRule, undefined);

  const files = parseDynamicFiles([{ name: 'app.yml', text: 'http:\n  routers:\n    web:\n      rule: Host(`a.test`)\n      service: s\n      defaultRule: true\n' }]);
  assert.ok(files.issues.some((i) => i.code === 'BERTH_ERR_UNKNOWN_KEY' && /app\.yml:6/.test(i.where)), JSON.stringify(files.issues));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpChallengeStore } from '../../src/acme/challenges/http-01.js';
import { createHttpChallengeHandler } from '../../src/acme/http-challenge-handler.js';
import { request1 } from '../entrypoints/clients.js';
import { entryPointOptions, startEntryPoint, table } from '../entrypoints/fixture.js';
import type { Handler } from '../../src/runtime/handler.js';

test('acme-http@internal answers a pending token for its host from any resolver, and an empty 404 otherwise', async () => {
  const first = new HttpChallengeStore();
  const second = new HttpChallengeStore();
  second.set({ domain: 'a.test', token: 'tok-1', keyAuthorization: 'tok-1.thumb' });
  const challenge = createHttpChallengeHandler(() => [first, second]);
  // As the entry handler does, the context carries the canonical host.
  const handler: Handler = (req, res, ctx) => {
    ctx.host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    challenge(req, res, ctx);
  };
  const { entryPoint, close } = await startEntryPoint(entryPointOptions(), table(1, { http: handler }));
  try {
    const ok = await request1(entryPoint.port, { host: 'A.test:80', path: '/.well-known/acme-challenge/tok-1' });
    assert.deepEqual([ok.status, ok.body, ok.headers['content-type']], [200, 'tok-1.thumb', 'text/plain; charset=utf-8']);
    for (const [host, path] of [['b.test', '/.well-known/acme-challenge/tok-1'], ['a.test', '/.well-known/acme-challenge/other'], ['a.test', '/.well-known/acme-challenge/tok-1/x'], ['a.test', '/.well-known/acme-challenge/']] as const) {
      const missing = await request1(entryPoint.port, { host, path });
      assert.deepEqual([missing.status, missing.body], [404, ''], `${host}${path}`);
    }
  } finally {
    await close();
  }
});

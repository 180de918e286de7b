import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { parseDigest } from '../../../src/runtime/middlewares/digest-auth.js';
import { buildErrors, send, serveMiddleware, type Reply } from './harness.js';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/** What a browser sends after a challenge (RFC 2617 §3.2.2). */
function authorization(challenge: string, user: string, password: string, realm: string, method: string, uri: string, nc: string, overrides: Record<string, string> = {}): string {
  const params = parseDigest(challenge) as Map<string, string>;
  const nonce = params.get('nonce') ?? '';
  const cnonce = 'abcdef0123';
  const ha1 = md5(`${user}:${realm}:${password}`);
  const response = md5([ha1, nonce, nc, cnonce, 'auth', md5(`${method}:${uri}`)].join(':'));
  const fields = { username: user, realm, nonce, uri, qop: 'auth', nc, cnonce, response, opaque: params.get('opaque') ?? '', algorithm: 'MD5', ...overrides };
  return `Digest ${Object.entries(fields).map(([k, v]) => (k === 'nc' || k === 'qop' || k === 'algorithm' ? `${k}=${v}` : `${k}="${v}"`)).join(', ')}`;
}

const user = 'test:traefik:a2688e031edb4be6a3797f3882655c05';

test('htdigest fixture hash is md5(user:realm:password)', () => {
  assert.equal(md5('test:traefik:test'), 'a2688e031edb4be6a3797f3882655c05');
});

// traefik/traefik pkg/middlewares/auth/digest_auth_test.go, and go-http-auth's nonce rules.
test('digestAuth: challenge, then success with increasing nonce counts', async () => {
  const served = await serveMiddleware({ digestAuth: { users: [user], headerField: 'X-User', removeHeader: true } });
  try {
    const first: Reply = await send(served.url, { path: '/a?b=1' });
    assert.equal(first.status, 401);
    assert.equal(first.text, '401 Unauthorized\n');
    const challenge = String(first.headers['www-authenticate']);
    assert.match(challenge, /^Digest realm="traefik", nonce="[^"]+", opaque="[^"]+", algorithm="MD5", qop="auth"$/);
    const ok = await send(served.url, { path: '/a?b=1', headers: { authorization: authorization(challenge, 'test', 'test', 'traefik', 'GET', '/a?b=1', '00000001') } });
    assert.equal(ok.status, 200);
    assert.equal(ok.echoed.headers['x-user'], 'test');
    assert.equal(ok.echoed.headers.authorization, undefined);
    const next = await send(served.url, { path: '/a/deeper', headers: { authorization: authorization(challenge, 'test', 'test', 'traefik', 'GET', '/a', '00000002') } });
    assert.equal(next.status, 200, 'a uri that is a path prefix of the request is accepted');
    const replay = await send(served.url, { path: '/a?b=1', headers: { authorization: authorization(challenge, 'test', 'test', 'traefik', 'GET', '/a?b=1', '00000002') } });
    assert.equal(replay.status, 401, 'the same nonce count again is a replay');
    assert.doesNotMatch(String(replay.headers['www-authenticate']), /stale/);
    const stale = await send(served.url, { path: '/a?b=1', headers: { authorization: authorization(challenge, 'test', 'test', 'traefik', 'GET', '/a?b=1', '00000001') } });
    assert.equal(stale.status, 401);
    assert.match(String(stale.headers['www-authenticate']), /stale="true"/);
  } finally {
    await served.close();
  }
});

test('digestAuth: wrong password, unknown user, unknown nonce, foreign opaque and other uris are refused', async () => {
  const served = await serveMiddleware({ digestAuth: { users: [user] } });
  try {
    const challenge = String((await send(served.url)).headers['www-authenticate']);
    const refused = async (auth: string, path = '/') => assert.equal((await send(served.url, { path, headers: { authorization: auth } })).status, 401, auth);
    await refused(authorization(challenge, 'test', 'wrong', 'traefik', 'GET', '/', '00000001'));
    // An unknown user has no secret; a response computed with an empty secret must not pass.
    const ha2 = md5('GET:/');
    const params = parseDigest(challenge) as Map<string, string>;
    await refused(authorization(challenge, 'ghost', '', 'traefik', 'GET', '/', '00000001', { response: md5(['', params.get('nonce'), '00000001', 'abcdef0123', 'auth', ha2].join(':')) }));
    await refused(authorization(challenge.replace(/nonce="[^"]+"/, 'nonce="made-up"'), 'test', 'test', 'traefik', 'GET', '/', '00000001'));
    await refused(authorization(challenge, 'test', 'test', 'traefik', 'GET', '/', '00000001', { opaque: 'other' }));
    await refused(authorization(challenge, 'test', 'test', 'traefik', 'GET', '/other', '00000001'), '/');
    await refused('Basic dGVzdDp0ZXN0');
  } finally {
    await served.close();
  }
});

test('digestAuth: users from a file are matched on the configured realm', async () => {
  const served = await serveMiddleware({ digestAuth: { users: ['test:traefik:a2688e031edb4be6a3797f3882655c05', `test2:office:${md5('test2:office:pw')}`], realm: 'office' } });
  try {
    const challenge = String((await send(served.url)).headers['www-authenticate']);
    assert.match(challenge, /realm="office"/);
    assert.equal((await send(served.url, { headers: { authorization: authorization(challenge, 'test2', 'pw', 'office', 'GET', '/', '1') } })).status, 200);
    assert.equal((await send(served.url, { headers: { authorization: authorization(challenge, 'test', 'test', 'office', 'GET', '/', '2') } })).status, 401);
  } finally {
    await served.close();
  }
});

test('digestAuth: malformed users are build errors', () => {
  assert.match(buildErrors({ digestAuth: { users: ['test'] } })[0] ?? '', /users\[0\]: expected "name:realm:hash"/);
});

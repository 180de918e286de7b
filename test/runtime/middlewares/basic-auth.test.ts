import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bcryptDigest, formatBcrypt, parseBcrypt, piWords } from '../../../src/runtime/middlewares/bcrypt.js';
import { compileSecret } from '../../../src/runtime/middlewares/htpasswd.js';
import { buildErrors, send, serveMiddleware } from './harness.js';

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

test('Blowfish initial state is the fractional part of pi', () => {
  const words = piWords();
  assert.deepEqual([words[0], words[17], words[18], words[1041]], [0x243f6a88, 0x8979fb1b, 0xd1310ba6, 0x3ac372e6]);
});

// Known-answer vectors from Openwall's crypt_blowfish test suite and Traefik's basic_auth_test.go.
test('bcrypt matches the reference implementation', async () => {
  const vectors: Array<[string, string]> = [
    ['U*U', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'],
    ['U*U*', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK'],
    ['U*U*U', '$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a'],
    ['', '$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy'],
    ['0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored', '$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui'],
    ['test', '$2a$04$.8sTYfcxbSplCtoxt5TdJOgpBYkarKtZYsYfYxQ1edbYRuO1DNi0e'],
  ];
  for (const [password, hash] of vectors) {
    const parsed = parseBcrypt(hash);
    assert.ok(parsed, hash);
    const digest = await bcryptDigest(Buffer.from(password), parsed.salt, parsed.cost);
    assert.equal(formatBcrypt('2a', parsed.cost, parsed.salt, digest), hash, password);
  }
});

test('htpasswd formats: apr1, MD5-crypt, SHA1 and bcrypt ($2y$); anything else never matches', async () => {
  const cases: Array<[string, string, boolean]> = [
    ['$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/', 'test', true],
    ['$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/', 'Test', false],
    ['$apr1$abc$BfqKdn9xFDWJPa3kcp/PH0', '', true],
    ['$1$saltsalt$1K7dkhtbTNVUwUicA5kOT1', 'pass word', true],
    ['{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=', 'test', true],
    ['{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=', 'test2', false],
    ['$2y$04$.8sTYfcxbSplCtoxt5TdJOgpBYkarKtZYsYfYxQ1edbYRuO1DNi0e', 'test', true],
    ['$2b$04$.8sTYfcxbSplCtoxt5TdJOgpBYkarKtZYsYfYxQ1edbYRuO1DNi0e', 'nope', false],
    ['test', 'test', false],
  ];
  for (const [hash, password, expected] of cases) {
    assert.equal(await compileSecret(hash)(Buffer.from(password)), expected, `${hash} / ${password}`);
  }
});

// traefik/traefik pkg/middlewares/auth/basic_auth_test.go
test('basicAuth: 401 with the realm challenge, then 200 with the right password', async () => {
  const served = await serveMiddleware({ basicAuth: { users: ['test:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/'] } });
  try {
    const none = await send(served.url);
    assert.equal(none.status, 401);
    assert.equal(none.headers['www-authenticate'], 'Basic realm="traefik"');
    assert.equal(none.text, '401 Unauthorized\n');
    assert.equal((await send(served.url, { headers: basic('test', 'wrong') })).status, 401);
    assert.equal((await send(served.url, { headers: basic('nobody', 'test') })).status, 401);
    assert.equal((await send(served.url, { headers: { authorization: 'Basic !!!' } })).status, 401);
    const ok = await send(served.url, { headers: basic('test', 'test') });
    assert.equal(ok.status, 200);
    assert.ok(ok.echoed.headers.authorization, 'the Authorization header is kept by default');
  } finally {
    await served.close();
  }
});

test('basicAuth: headerField names the user, removeHeader drops Authorization, realm is configurable', async () => {
  const served = await serveMiddleware({ basicAuth: { users: ['test:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/'], headerField: 'X-Webauth-User', removeHeader: true, realm: 'office' } });
  try {
    assert.equal((await send(served.url)).headers['www-authenticate'], 'Basic realm="office"');
    const ok = await send(served.url, { headers: { ...basic('test', 'test'), 'x-webauth-user': 'admin' } });
    assert.equal(ok.echoed.headers['x-webauth-user'], 'test');
    assert.equal(ok.echoed.headers.authorization, undefined);
  } finally {
    await served.close();
  }
});

test('basicAuth: bcrypt users authenticate; repeated requests reuse the verified credentials', async () => {
  const served = await serveMiddleware({ basicAuth: { users: ['test:$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'] } });
  try {
    const replies = await Promise.all([1, 2, 3].map(() => send(served.url, { headers: basic('test', 'U*U') })));
    assert.deepEqual(replies.map((r) => r.status), [200, 200, 200]);
    assert.equal((await send(served.url, { headers: basic('test', 'U*U*') })).status, 401);
  } finally {
    await served.close();
  }
});

test('basicAuth: users from usersFile (comments and blank lines skipped); users win over file entries', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-basic-'));
  const file = join(dir, 'users');
  writeFileSync(file, '#Comment\ntest:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/\n\n  test2:$apr1$d9hr9HBB$4HxwgUir3HP4EsggP/QNo0  \n');
  const served = await serveMiddleware({ basicAuth: { usersFile: file, users: ['test2:$apr1$mK.GtItK$ncnLYvNLek0weXdxo68690', 'test3:$apr1$3rJbDP0q$RfzJiorTk78jQ1EcKqWso0'] } });
  try {
    assert.equal((await send(served.url, { headers: basic('test', 'test') })).status, 200);
    assert.equal((await send(served.url, { headers: basic('test2', 'test2') })).status, 401);
    assert.equal((await send(served.url, { headers: basic('test2', 'overridden') })).status, 200);
    assert.equal((await send(served.url, { headers: basic('test3', 'test3') })).status, 200);
  } finally {
    await served.close();
  }
});

test('basicAuth: build errors for malformed users and unreadable files', () => {
  assert.match(buildErrors({ basicAuth: { users: ['test'] } })[0] ?? '', /users\[0\]: expected "name:hash"/);
  assert.match(buildErrors({ basicAuth: { usersFile: '/nonexistent/berth-users' } })[0] ?? '', /BERTH_ERR_FILE_READ.*usersFile: cannot read "\/nonexistent\/berth-users"/);
});

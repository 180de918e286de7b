import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createDnsProvider } from '../../src/acme/dns-providers/index.js';
import { challengeFqdn } from '../../src/acme/challenges/dns-01.js';
import type { DnsChallengeRecord } from '../../src/acme/dns-providers/dns-provider.js';

const record: DnsChallengeRecord = { domain: 'app.example.com', fqdn: challengeFqdn('*.app.example.com'), value: 'txt-value', token: 'tok', keyAuthorization: 'tok.thumb' };
const signal = new AbortController().signal;

interface Seen { method: string; url: string; headers: IncomingMessage['headers']; body: string }

async function fakeApi(handler: (seen: Seen) => { status: number; body: unknown }): Promise<{ url: string; seen: Seen[]; close: () => void }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(entry);
      const answer = handler(entry);
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => server.close() };
}

test('the challenge name of a wildcard is the base name\'s', () => {
  assert.equal(record.fqdn, '_acme-challenge.app.example.com.');
});

test('cloudflare: zone lookup from the longest parent, TXT created with the token, deleted on cleanup', async () => {
  const api = await fakeApi(({ method, url }) => {
    if (method === 'GET' && url === '/zones?name=app.example.com') return { status: 200, body: { success: true, result: [] } };
    if (method === 'GET' && url === '/zones?name=example.com') return { status: 200, body: { success: true, result: [{ id: 'zone1', name: 'example.com' }] } };
    if (method === 'POST' && url === '/zones/zone1/dns_records') return { status: 200, body: { success: true, result: { id: 'rec9' } } };
    if (method === 'DELETE' && url === '/zones/zone1/dns_records/rec9') return { status: 200, body: { success: true, result: { id: 'rec9' } } };
    return { status: 404, body: { success: false, errors: [{ code: 7003, message: 'no route' }] } };
  });
  try {
    const provider = createDnsProvider('cloudflare', { CF_DNS_API_TOKEN: 'secret-token' }, { cloudflareApi: api.url });
    await provider.present(record, signal);
    await provider.cleanup(record, signal);
    assert.deepEqual(api.seen.map((s) => `${s.method} ${s.url}`), [
      'GET /zones?name=app.example.com', 'GET /zones?name=example.com', 'POST /zones/zone1/dns_records', 'DELETE /zones/zone1/dns_records/rec9',
    ]);
    assert.equal(api.seen[2]?.headers.authorization, 'Bearer secret-token');
    assert.deepEqual(JSON.parse(api.seen[2]?.body ?? '{}'), { type: 'TXT', name: '_acme-challenge.app.example.com', content: 'txt-value', ttl: 120 });
  } finally {
    api.close();
  }
});

test('cloudflare: global API key credentials, errors carry Cloudflare\'s message, missing credentials are explained', async () => {
  const api = await fakeApi(() => ({ status: 403, body: { success: false, errors: [{ code: 10000, message: 'Authentication error' }] } }));
  try {
    const provider = createDnsProvider('cloudflare', { CF_API_EMAIL: 'me@example.com', CF_API_KEY: 'k' }, { cloudflareApi: api.url });
    await assert.rejects(provider.present(record, signal), /cloudflare: GET \/zones\?name=app\.example\.com: 10000: Authentication error/);
    assert.equal(api.seen[0]?.headers['x-auth-email'], 'me@example.com');
    assert.equal(api.seen[0]?.headers['x-auth-key'], 'k');
  } finally {
    api.close();
  }
  assert.throws(() => createDnsProvider('cloudflare', {}), /needs CF_DNS_API_TOKEN/);
  assert.throws(() => createDnsProvider('route53', {}), /unknown DNS provider "route53"/);
});

test('httpreq: lego\'s JSON body, basic auth, raw mode', async () => {
  const api = await fakeApi(() => ({ status: 200, body: {} }));
  try {
    const provider = createDnsProvider('httpreq', { HTTPREQ_ENDPOINT: `${api.url}/dns/`, HTTPREQ_USERNAME: 'u', HTTPREQ_PASSWORD: 'p' });
    await provider.present(record, signal);
    await provider.cleanup(record, signal);
    const raw = createDnsProvider('httpreq', { HTTPREQ_ENDPOINT: `${api.url}/dns`, HTTPREQ_MODE: 'RAW' });
    await raw.present(record, signal);
    assert.deepEqual(api.seen.map((s) => [s.url, JSON.parse(s.body)]), [
      ['/dns/present', { fqdn: '_acme-challenge.app.example.com.', value: 'txt-value' }],
      ['/dns/cleanup', { fqdn: '_acme-challenge.app.example.com.', value: 'txt-value' }],
      ['/dns/present', { domain: 'app.example.com', token: 'tok', keyAuth: 'tok.thumb' }],
    ]);
    assert.equal(api.seen[0]?.headers.authorization, `Basic ${Buffer.from('u:p').toString('base64')}`);
  } finally {
    api.close();
  }
});

test('exec: lego\'s arguments, raw mode, and a failing program\'s output in the error', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-exec-'));
  const script = join(dir, 'hook.sh');
  const log = join(dir, 'calls.txt');
  await writeFile(script, `#!/bin/sh\necho "$@" >> "${log}"\nif [ "$2" = "fail" ] || [ "$3" = "fail" ]; then echo "zone not found" >&2; exit 3; fi\n`);
  await chmod(script, 0o755);
  await createDnsProvider('exec', { EXEC_PATH: script }).present(record, signal);
  await createDnsProvider('exec', { EXEC_PATH: script, EXEC_MODE: 'RAW' }).cleanup(record, signal);
  const { readFile } = await import('node:fs/promises');
  assert.equal(await readFile(log, 'utf8'), 'present _acme-challenge.app.example.com. txt-value\ncleanup -- app.example.com tok tok.thumb\n');
  await assert.rejects(createDnsProvider('exec', { EXEC_PATH: script }).present({ ...record, fqdn: 'fail' }, signal), /exited with 3: zone not found/);
  assert.throws(() => createDnsProvider('exec', {}), /needs EXEC_PATH/);
});

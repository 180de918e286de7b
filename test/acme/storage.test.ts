import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forgetOpenedStorage, openStorage, BERTH_KEY } from '../../src/acme/storage.js';
import { createAcmeResolver } from '../../src/acme/resolver.js';
import type { AcmeResolverSettings } from '../../src/config/static/certificate-resolvers.js';
import { silentLogger } from '../../src/observability/logger.js';
import { createTestCa } from '../helpers/certs.js';

const dir = await mkdtemp(join(tmpdir(), 'berth-storage-'));
const settings = (storage: string): AcmeResolverSettings => ({
  email: 'ops@example.com', caServer: 'https://acme-v02.api.letsencrypt.org/directory', storage, keyType: 'RSA4096', certificatesDuration: 2160,
  disableCommonName: false, clientTimeout: 120_000, clientResponseHeaderTimeout: 30_000, certificateTimeout: 30_000, caSystemCertPool: false,
  httpChallenge: { entryPoint: 'web', delay: 0 },
});

test('a file readable by group or others is refused with what to do, as Traefik does', async () => {
  const path = join(dir, 'open.json');
  await writeFile(path, '{}', { mode: 0o644 });
  await assert.rejects(openStorage(path), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'BERTH_ERR_ACME_STORAGE');
    assert.match(err.message, /permissions 644 for .*open\.json are too open, please use 600: run "chmod 600 .*open\.json"/);
    return true;
  });
});

test('a corrupt file is moved aside and reported, never overwritten', async () => {
  const path = join(dir, 'corrupt.json');
  await writeFile(path, '{"le": {"Account": ', { mode: 0o600 });
  const storage = await openStorage(path);
  assert.match(storage.notices[0] ?? '', /is not valid JSON .* moved to .*corrupt\.json\.corrupt-/);
  const aside = (await readdir(dir)).filter((f) => f.startsWith('corrupt.json.corrupt-'));
  assert.equal(aside.length, 1);
  assert.equal(await readFile(join(dir, aside[0] as string), 'utf8'), '{"le": {"Account": ');
  await storage.write('le', { Account: null, Certificates: [] });
  assert.equal((await stat(path)).mode & 0o777, 0o600);
});

test('a Traefik acme.json loads as is; several resolvers share it; Berth state sits beside them', async () => {
  const path = join(dir, 'traefik.json');
  const ca = await createTestCa();
  const leaf = await ca.issue(['app.example.com', 'www.example.com']);
  const accountKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'der' });
  const traefikFile = {
    le: {
      Account: {
        Email: 'ops@example.com',
        Registration: { body: { status: 'valid', contact: ['mailto:ops@example.com'] }, uri: 'https://acme-v02.api.letsencrypt.org/acme/acct/123456' },
        PrivateKey: accountKey.toString('base64'),
        KeyType: '4096',
      },
      Certificates: [
        { domain: { main: 'app.example.com', sans: ['www.example.com'] }, certificate: Buffer.from(leaf.certPem).toString('base64'), key: Buffer.from(leaf.keyPem).toString('base64'), Store: 'default' },
        { domain: { main: 'empty.example.com' }, certificate: '', key: '', Store: 'default' },
      ],
    },
    other: { Account: null, Certificates: null },
  };
  await writeFile(path, JSON.stringify(traefikFile, null, 2), { mode: 0o600 });
  forgetOpenedStorage();
  const resolver = createAcmeResolver({ name: 'le', settings: settings(path), logger: silentLogger() });
  await resolver.open();
  const [cert, ...rest] = resolver.certificates();
  assert.equal(rest.length, 0, 'entries without certificate or key are dropped, as Traefik does');
  assert.equal(cert?.main, 'app.example.com');
  assert.deepEqual(cert?.sans, ['www.example.com']);
  assert.equal(cert?.certPem, leaf.certPem);
  assert.ok((cert?.notAfter?.getTime() ?? 0) > Date.now());

  const storage = await openStorage(path);
  await storage.writeBackoff('le', { 'x.example.com': { names: ['x.example.com'], failures: 2, nextAttempt: new Date().toISOString(), lastError: 'boom' } });
  const written = JSON.parse(await readFile(path, 'utf8'));
  assert.deepEqual(written.le, traefikFile.le, 'Traefik\'s entries are kept as they were');
  assert.deepEqual(written.other, traefikFile.other);
  assert.equal(written[BERTH_KEY].backoff.le['x.example.com'].failures, 2);
  assert.ok(!Object.keys(written[BERTH_KEY]).some((k) => /^(account|certificates)$/i.test(k)), 'nothing Go would decode into a resolver');
  resolver.close();
});

test('a resolver whose storage is unusable is disabled: its provider publishes the issue and orders nothing', async () => {
  const { createAcmeProvider } = await import('../../src/acme/provider.js');
  const path = join(dir, 'group-readable.json');
  await writeFile(path, '{}', { mode: 0o640 });
  forgetOpenedStorage();
  const provider = createAcmeProvider(createAcmeResolver({ name: 'le', settings: settings(path), logger: silentLogger() }));
  const messages: Array<{ config?: unknown; issues: readonly { code: string; where: string }[] }> = [];
  await provider.start((m) => messages.push(m), new AbortController().signal);
  assert.equal(messages.length, 1);
  assert.equal(messages[0]?.config, undefined);
  assert.equal(messages[0]?.issues[0]?.code, 'BERTH_ERR_ACME_STORAGE');
  assert.equal(messages[0]?.issues[0]?.where, 'certificatesResolvers.le.acme.storage');
  provider.onSnapshot([{ name: 'r', certResolver: 'le', hosts: ['x.test'] }], () => false);
  assert.deepEqual(provider.resolver.status(), []);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usableAccount } from '../../src/acme/account.js';
import { accountKeyFromStored, generateCertificateKey } from '../../src/acme/keys.js';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { silentLogger } from '../../src/observability/logger.js';

const account = (uri: string) => ({ Email: 'a@b.c', Registration: { body: {}, uri }, PrivateKey: 'AAAA' });

test('an account registered with another CA host is discarded, as Traefik does', () => {
  const staging = account('https://acme-staging-v02.api.letsencrypt.org/acme/acct/1');
  assert.equal(usableAccount(staging, 'https://acme-v02.api.letsencrypt.org/directory', silentLogger()), null);
  assert.equal(usableAccount(staging, 'https://acme-staging-v02.api.letsencrypt.org/directory', silentLogger()), staging);
  assert.equal(usableAccount(null, 'https://x/dir', silentLogger()), null);
});

test('stored account keys are read as PKCS#1 (Traefik), SEC1 or PKCS#8 DER; certificate keys follow keyType', async () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  for (const der of [rsa.export({ type: 'pkcs1', format: 'der' }), ec.export({ type: 'sec1', format: 'der' }), ec.export({ type: 'pkcs8', format: 'der' })]) {
    const key = accountKeyFromStored(der.toString('base64'));
    assert.match(key.pem, /BEGIN PRIVATE KEY/);
  }
  assert.throws(() => accountKeyFromStored('bm90IGEga2V5'), /not an RSA or EC key/);
  assert.equal(createPrivateKey(await generateCertificateKey('EC384')).asymmetricKeyDetails?.namedCurve, 'secp384r1');
  assert.equal(createPrivateKey(await generateCertificateKey('RSA2048')).asymmetricKeyDetails?.modulusLength, 2048);
});

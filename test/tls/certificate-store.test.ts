import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCertificateStore } from '../../src/tls/certificate-store.js';
import { generateDefaultCertificate } from '../../src/tls/default-certificate.js';
import { X509Certificate } from 'node:crypto';
import { createTestCa } from '../helpers/certs.js';

const generatedDefault = await generateDefaultCertificate();
const ca = await createTestCa();
const exact = await ca.issue(['a.example.com']);
const wildcard = await ca.issue(['*.example.com']);
const other = await ca.issue(['b.other.test', 'c.other.test']);
const files = new Map([['/certs/a.crt', exact.certPem], ['/certs/a.key', exact.keyPem]]);
const readFile = async (path: string): Promise<string> => {
  const content = files.get(path);
  if (content === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
  return content;
};

test('the generated default certificate is Berth\'s RSA-2048 self-signed certificate valid one year', () => {
  const cert = new X509Certificate(generatedDefault.certPem);
  assert.match(cert.subject, /CN=BERTH DEFAULT CERT/);
  assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  const days = (generatedDefault.notAfter.getTime() - generatedDefault.notBefore.getTime()) / 86_400_000;
  assert.equal(Math.round(days), 365);
  assert.match(generatedDefault.names.join(','), /\.berth\.default/);
});

test('SNI selection: exact name, then one-label wildcard, then the default; case and trailing dot ignored', async () => {
  const { store, issues } = await buildCertificateStore({
    certificates: [
      { certFile: wildcard.certPem, keyFile: wildcard.keyPem },
      { certFile: '/certs/a.crt', keyFile: '/certs/a.key' },
      { certFile: other.certPem, keyFile: other.keyPem },
    ],
  }, { readFile, generatedDefault });
  assert.deepEqual(issues, []);
  assert.equal(store.select('A.Example.COM.').names[0], 'a.example.com');
  assert.equal(store.select('x.example.com').names[0], '*.example.com');
  assert.equal(store.select('c.other.test').names.join(), 'b.other.test,c.other.test');
  assert.equal(store.select('deep.x.example.com'), generatedDefault, 'a wildcard covers one label only');
  assert.equal(store.select('example.com'), generatedDefault);
  assert.equal(store.select(undefined), generatedDefault, 'no SNI gives the default certificate');
  assert.equal(store.match('nothing.test'), undefined);
  assert.equal(store.covers('q.example.com'), true);
  assert.equal(store.covers('q.other.test'), false);
  assert.deepEqual(store.names(), ['*.example.com', 'a.example.com', 'b.other.test', 'c.other.test']);
  assert.ok(store.certificates.every((c) => c.notAfter.getTime() > Date.now()));
});

test('a bad certificate is an issue and is skipped; the others keep serving', async () => {
  const { store, issues } = await buildCertificateStore({
    certificates: [
      { certFile: '/certs/missing.crt', keyFile: '/certs/a.key' },
      { certFile: 'not a pem', keyFile: exact.keyPem },
      { certFile: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', keyFile: exact.keyPem },
      { certFile: exact.certPem, keyFile: other.keyPem },
      { certFile: other.certPem, keyFile: other.keyPem },
    ],
  }, { readFile, generatedDefault });
  assert.equal(issues.length, 4);
  assert.ok(issues.every((i) => i.code === 'BERTH_ERR_CERTIFICATE' && i.severity === 'error'));
  assert.match(issues[0]?.message ?? '', /cannot read certFile "\/certs\/missing.crt": ENOENT/);
  assert.equal(issues[0]?.where, 'tls.certificates[0] (certFile "/certs/missing.crt")');
  assert.match(issues[1]?.message ?? '', /cannot read certFile "not a pem"/);
  assert.match(issues[2]?.message ?? '', /cannot be parsed/);
  assert.match(issues[3]?.message ?? '', /private key does not belong to the certificate/);
  assert.equal(issues[3]?.where, 'tls.certificates[3] (certFile inline PEM)');
  assert.deepEqual(store.names(), ['b.other.test', 'c.other.test']);
});

test('the default store\'s defaultCertificate replaces the generated one; other stores are ignored with a warning', async () => {
  const { store, issues } = await buildCertificateStore({
    stores: { default: { defaultCertificate: { certFile: '/certs/a.crt', keyFile: '/certs/a.key' } }, other: {} },
  }, { readFile, generatedDefault });
  assert.equal(store.select('unknown.test').names[0], 'a.example.com');
  assert.deepEqual(issues.map((i) => [i.severity, i.where]), [['warning', 'tls.stores.other']]);
  assert.equal(store.covers('a.example.com'), false, 'the default certificate does not count as covering a name');
});

test('two certificates for one name: the one valid longest wins', async () => {
  const older = await ca.issue(['dup.test'], { notAfter: new Date(Date.now() + 2 * 86_400_000) });
  const newer = await ca.issue(['dup.test'], { notAfter: new Date(Date.now() + 20 * 86_400_000) });
  const { store } = await buildCertificateStore({
    certificates: [{ certFile: newer.certPem, keyFile: newer.keyPem }, { certFile: older.certPem, keyFile: older.keyPem }],
  }, { readFile, generatedDefault });
  assert.equal(store.select('dup.test').certPem, newer.certPem);
});

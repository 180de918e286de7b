import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, webcrypto } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import * as x509 from '@peculiar/x509';
import { bitString, objectIdentifier, time, unsignedInteger, sequence, octetString } from '../../src/tls/der.js';
import { createSelfSignedCertificate, generateDefaultCertificatePem } from '../../src/tls/default-certificate.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const hex = (b: Buffer): string => b.toString('hex');

test('DER encoders: lengths, integers, OIDs, bit strings and times as X.690 and RFC 5280 write them', () => {
  assert.equal(hex(octetString(Buffer.alloc(3, 1))), '0403010101');
  assert.equal(hex(octetString(Buffer.alloc(200)).subarray(0, 3)), '0481c8');
  assert.equal(hex(octetString(Buffer.alloc(300)).subarray(0, 4)), '0482012c');
  assert.equal(hex(octetString(Buffer.alloc(70_000)).subarray(0, 5)), '0483011170');
  assert.equal(hex(sequence()), '3000');
  assert.equal(hex(unsignedInteger(Buffer.from([2]))), '020102');
  assert.equal(hex(unsignedInteger(Buffer.from([0x80]))), '02020080', 'a high first bit gets a zero byte: the value stays positive');
  assert.equal(hex(unsignedInteger(Buffer.from([0, 0, 0x7f]))), '02017f', 'leading zeros are trimmed');
  assert.equal(hex(unsignedInteger(Buffer.from([0, 0]))), '020100');
  assert.equal(hex(objectIdentifier('1.2.840.113549.1.1.11')), '06092a864886f70d01010b');
  assert.equal(hex(objectIdentifier('2.5.29.17')), '0603551d11');
  assert.equal(hex(bitString(Buffer.from([0xa0]), 5)), '030205a0');
  assert.equal(time(new Date('2026-11-22T10:52:00.469Z')).toString('latin1', 2), '261122105200Z');
  assert.equal(time(new Date('2049-12-31T23:59:59Z'))[0], 0x17, 'UTCTime through 2049');
  const late = time(new Date('2050-01-01T00:00:00Z'));
  assert.equal(late[0], 0x18, 'GeneralizedTime from 2050');
  assert.equal(late.toString('latin1', 2), '20500101000000Z');
});

test('a self-signed certificate reads back the same in Node and in an independent X.509 parser', async () => {
  const now = new Date('2026-01-02T03:04:05Z');
  const generated = await createSelfSignedCertificate({ commonName: 'Some Name é', dnsNames: ['a.test', 'b.example.com'], validForMs: 90 * 86_400_000, now });
  const cert = new X509Certificate(generated.certPem);
  assert.equal(cert.subject, 'CN=Some Name é');
  assert.equal(cert.issuer, cert.subject);
  assert.equal(cert.subjectAltName, 'DNS:a.test, DNS:b.example.com');
  assert.equal(new Date(cert.validFrom).toISOString(), '2026-01-02T03:04:05.000Z');
  assert.equal(new Date(cert.validTo).toISOString(), '2026-04-02T03:04:05.000Z');
  assert.equal(cert.ca, false);
  assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  assert.equal(cert.publicKey.asymmetricKeyDetails?.publicExponent, 65537n);
  assert.ok(cert.verify(cert.publicKey), 'the signature verifies with its own key');
  assert.ok(cert.checkPrivateKey(createPrivateKey(generated.keyPem)), 'the key is the certificate\'s');
  assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  assert.match(cert.serialNumber, /^[4-7][0-9A-F]{31}$/);

  const parsed = new x509.X509Certificate(generated.certPem);
  const algorithm = parsed.signatureAlgorithm as unknown as { name: string; hash?: { name: string } };
  assert.equal(algorithm.name, 'RSASSA-PKCS1-v1_5');
  assert.equal(algorithm.hash?.name, 'SHA-256');
  const basic = parsed.getExtension(x509.BasicConstraintsExtension);
  assert.equal(basic?.critical, true);
  assert.equal(basic?.ca, false);
  const usage = parsed.getExtension(x509.KeyUsagesExtension);
  assert.equal(usage?.critical, true);
  assert.equal(usage?.usages, x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment);
  assert.deepEqual([...parsed.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? []], [x509.ExtendedKeyUsage.serverAuth]);
  assert.deepEqual(parsed.getExtension(x509.SubjectAlternativeNameExtension)?.names.items.map((n) => n.value), ['a.test', 'b.example.com']);
  assert.ok(await parsed.verify({ signatureOnly: true }), 'the independent parser verifies the signature too');
});

test('the default certificate serves a real TLS handshake and a client trusting it verifies the chain', async () => {
  const generated = await generateDefaultCertificatePem();
  const name = new X509Certificate(generated.certPem).subjectAltName?.replace(/^DNS:/, '') ?? '';
  assert.match(name, /^[0-9a-f]{32}\.[0-9a-f]{32}\.berth\.default$/);
  const server = createServer({ cert: generated.certPem, key: generated.keyPem }, (socket) => socket.end('hello'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const socket = connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', servername: name, ca: generated.certPem });
    await once(socket, 'secureConnect');
    assert.equal(socket.authorized, true, String(socket.authorizationError));
    assert.equal(socket.getPeerCertificate().subject.CN, 'BERTH DEFAULT CERT');
    const [data] = await once(socket, 'data') as [Buffer];
    assert.equal(data.toString(), 'hello');
    socket.destroy();
  } finally {
    server.close();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fixture, send, serveMiddleware, tlsOptions } from './harness.js';

const client = { cert: fixture('client.pem'), key: fixture('client.key'), ca: fixture('ca.pem') };
const fixturePath = fileURLToPath(new URL('../../../../test/runtime/middlewares/fixtures/client.pem', import.meta.url));
// The DER of the client certificate as openssl encodes it, independent of the code under test.
const der = execFileSync('openssl', ['x509', '-in', fixturePath, '-outform', 'DER']).toString('base64');

// Formats from traefik/traefik pkg/middlewares/passtlsclientcert/pass_tls_client_cert_test.go.
test('passTLSClientCert: the PEM (base64 DER) and every info field in Traefik\'s format', async () => {
  const all = { country: true, province: true, locality: true, organization: true, organizationalUnit: true, commonName: true, serialNumber: true, domainComponent: true };
  const served = await serveMiddleware({
    passTLSClientCert: { pem: true, info: { notAfter: true, notBefore: true, sans: true, serialNumber: true, subject: all, issuer: all } },
  }, undefined, { tls: tlsOptions(true) });
  try {
    const reply = await send(served.url, { tls: client });
    assert.equal(reply.echoed.headers['x-forwarded-tls-client-cert'], der);
    const info = decodeURIComponent(String(reply.echoed.headers['x-forwarded-tls-client-cert-info']).replaceAll('+', ' '));
    assert.equal(info, [
      'Subject="DC=berth,DC=test,C=FR,C=US,ST=Auvergne-Rhone-Alpes,L=Lyon,O=Berth,O=Berth Two,OU=Proxies,SN=1234,CN=client.berth.test"',
      'Issuer="DC=berth,DC=test,C=FR,ST=Some-State,L=Lyon,O=Berth Test CA,CN=Berth Test Root CA"',
      'SerialNumber="169552957"',
      'NB="1795319613"',
      'NA="4948919613"',
      'SAN="client.berth.test,*.berth.test,ops@berth.test,127.0.0.1,::1,spiffe://berth.test/client"',
    ].join(';'));
    assert.match(String(reply.echoed.headers['x-forwarded-tls-client-cert-info']), /^Subject%3D%22DC%3Dberth/);
  } finally {
    await served.close();
  }
});

test('passTLSClientCert: only the selected fields; nothing without a client certificate', async () => {
  const served = await serveMiddleware({ passTLSClientCert: { info: { notAfter: true, subject: { organization: true }, issuer: { country: true } } } }, undefined, { tls: tlsOptions(true) });
  try {
    const reply = await send(served.url, { tls: client });
    assert.equal(reply.echoed.headers['x-forwarded-tls-client-cert'], undefined);
    assert.equal(decodeURIComponent(String(reply.echoed.headers['x-forwarded-tls-client-cert-info']).replaceAll('+', ' ')), 'Subject="O=Berth,O=Berth Two";Issuer="C=FR";NA="4948919613"');
    const anonymous = await send(served.url, { headers: { 'x-forwarded-tls-client-cert-info': 'forged' } });
    assert.equal(anonymous.echoed.headers['x-forwarded-tls-client-cert-info'], undefined, 'a forged header from an untrusted client is removed');
  } finally {
    await served.close();
  }
});

import { isIP } from 'node:net';
import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY = 24 * 3600 * 1000;

export interface PemPair {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface TestCa extends PemPair {
  /** A leaf for `names` (DNS or IP), serverAuth + clientAuth, signed by this CA. */
  issue(names: readonly string[], options?: { notBefore?: Date; notAfter?: Date; commonName?: string }): Promise<PemPair>;
}

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
}

function serial(): string {
  return `01${randomBytes(15).toString('hex')}`;
}

function altNames(names: readonly string[]): x509.SubjectAlternativeNameExtension {
  return new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: isIP(value) ? 'ip' as const : 'dns' as const, value })));
}

/** A throw-away CA on P-256 keys (fast to make) for tests: SNI, mTLS, Pebble's own listener. */
export async function createTestCa(commonName = 'Berth Test CA'): Promise<TestCa> {
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: [{ CN: [commonName] }],
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 30 * DAY),
    keys,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return {
    certPem: ca.toString('pem') + '\n',
    keyPem: await keyPem(keys.privateKey),
    async issue(names, options = {}) {
      const leafKeys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
      const leaf = await x509.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject: [{ CN: [options.commonName ?? names[0] ?? 'client'] }],
        issuer: ca.subject,
        notBefore: options.notBefore ?? new Date(Date.now() - DAY),
        notAfter: options.notAfter ?? new Date(Date.now() + 10 * DAY),
        publicKey: leafKeys.publicKey,
        signingKey: keys.privateKey,
        signingAlgorithm: EC,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
          ...(names.length > 0 ? [altNames(names)] : []),
        ],
      });
      return { certPem: leaf.toString('pem') + '\n', keyPem: await keyPem(leafKeys.privateKey) };
    },
  };
}

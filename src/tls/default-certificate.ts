import { randomBytes, webcrypto } from 'node:crypto';
import { parseCertificatePair, type LoadedCertificate } from './pem.js';

/**
 * @peculiar/x509 is loaded on first use: worker processes only load certificates the leader made, and the
 * library with its ASN.1 modules is a fifth of a worker's memory.
 */
async function x509Library(): Promise<typeof import('@peculiar/x509')> {
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  return x509;
}

const YEAR_MS = 365 * 24 * 3600 * 1000;

/** PEM text of a generated certificate and its PKCS#8 key. */
export interface GeneratedCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

/**
 * A self-signed RSA-2048 server certificate (SHA-256, serverAuth). Used for the default certificate; WebCrypto
 * keeps key generation native and off the event loop.
 */
export async function createSelfSignedCertificate(options: { commonName: string; dnsNames: readonly string[]; validForMs: number; now?: Date }): Promise<GeneratedCertificate> {
  const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  const x509 = await x509Library();
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  const notBefore = options.now ?? new Date();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(16).toString('hex').replace(/^[89a-f]/, '1'),
    name: [{ CN: [options.commonName] }],
    notBefore,
    notAfter: new Date(notBefore.getTime() + options.validForMs),
    keys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(options.dnsNames.map((value) => ({ type: 'dns' as const, value }))),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
  return { certPem: cert.toString('pem') + '\n', keyPem };
}

/**
 * Berth's fallback certificate, made once at start. Traefik makes "TRAEFIK DEFAULT CERT": RSA-2048, valid one
 * year, with a random `<hex>.<hex>.traefik.default` SAN so that it can never match a real name. Berth does the
 * same under its own name.
 */
export async function generateDefaultCertificate(now: Date = new Date()): Promise<LoadedCertificate> {
  return loadDefaultCertificate(await generateDefaultCertificatePem(now));
}

/** The PEM text of a new default certificate (a leader makes it once and sends it to every worker). */
export function generateDefaultCertificatePem(now: Date = new Date()): Promise<GeneratedCertificate> {
  const random = randomBytes(32).toString('hex');
  return createSelfSignedCertificate({
    commonName: 'BERTH DEFAULT CERT',
    dnsNames: [`${random.slice(0, 32)}.${random.slice(32)}.berth.default`],
    validForMs: YEAR_MS,
    now,
  });
}

/** Parses a default certificate made by `generateDefaultCertificatePem`. */
export function loadDefaultCertificate(generated: GeneratedCertificate): LoadedCertificate {
  const loaded = parseCertificatePair(generated.certPem, generated.keyPem, 'generated default certificate');
  if ('code' in loaded) throw new Error(`generating the default certificate: ${loaded.message}`);
  return loaded;
}

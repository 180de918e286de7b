import { generateKeyPair, randomBytes, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { bitString, booleanTrue, explicit, implicitPrimitive, nullValue, objectIdentifier, octetString, sequence, set, time, unsignedInteger, utf8String } from './der.js';
import { parseCertificatePair, type LoadedCertificate } from './pem.js';

// The certificate is encoded here rather than with an X.509 library: it has one fixed shape, and
// @peculiar/x509 with its ASN.1 modules added about 8 MB to the resident memory of every leader and
// single process, which all make this certificate at start (bench/PROFILE.md).

const YEAR_MS = 365 * 24 * 3600 * 1000;
const generateRsaKeyPair = promisify(generateKeyPair);

const SHA256_WITH_RSA = sequence(objectIdentifier('1.2.840.113549.1.1.11'), nullValue());
const OID = {
  commonName: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

/** PEM text of a generated certificate and its PKCS#8 key. */
export interface GeneratedCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

/**
 * A self-signed RSA-2048 server certificate (SHA-256, serverAuth): X.509 v3 with critical basicConstraints
 * (not a CA) and keyUsage (digitalSignature, keyEncipherment), extKeyUsage serverAuth and the DNS names as
 * subjectAltName. Key generation is native and off the event loop.
 */
export async function createSelfSignedCertificate(options: { commonName: string; dnsNames: readonly string[]; validForMs: number; now?: Date }): Promise<GeneratedCertificate> {
  const { publicKey, privateKey } = await generateRsaKeyPair('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
  const notBefore = options.now ?? new Date();
  const name = sequence(set(sequence(objectIdentifier(OID.commonName), utf8String(options.commonName))));
  const tbs = sequence(
    explicit(0, unsignedInteger(Buffer.from([2]))), // v3
    unsignedInteger(serialNumber()),
    SHA256_WITH_RSA,
    name,
    sequence(time(notBefore), time(new Date(notBefore.getTime() + options.validForMs))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(
      extension(OID.basicConstraints, true, sequence()),
      // Bits 0 (digitalSignature) and 2 (keyEncipherment): 1010 0000, the five low bits unused.
      extension(OID.keyUsage, true, bitString(Buffer.from([0xa0]), 5)),
      extension(OID.extKeyUsage, false, sequence(objectIdentifier(OID.serverAuth))),
      extension(OID.subjectAltName, false, sequence(...options.dnsNames.map((dns) => implicitPrimitive(2, Buffer.from(dns, 'latin1'))))),
    )),
  );
  const certificate = sequence(tbs, SHA256_WITH_RSA, bitString(sign('sha256', tbs, privateKey)));
  return { certPem: pem('CERTIFICATE', certificate), keyPem: pkcs8Pem(privateKey) };
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? sequence(objectIdentifier(oid), booleanTrue(), octetString(value))
    : sequence(objectIdentifier(oid), octetString(value));
}

/** 16 random bytes, positive, with a non-zero first byte so that none is trimmed (RFC 5280: at most 20 octets). */
function serialNumber(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes;
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function pkcs8Pem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
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

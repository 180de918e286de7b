import { X509Certificate, createHash, createPrivateKey } from 'node:crypto';
import { ErrorCodes } from '../errors/codes.js';
import type { ConfigIssue } from '../errors/config-issue.js';
import { normalizeName } from './names.js';

/** Reads a file as text; injected so that the TLS layer does no I/O of its own. */
export type ReadFile = (path: string) => Promise<string>;

/** A certificate chain and its key, checked and ready to build a SecureContext from. */
export interface LoadedCertificate {
  /** The PEM chain, leaf first. */
  readonly certPem: string;
  readonly keyPem: string;
  /** Names the leaf covers, normalized: subject CN, DNS SANs (wildcards kept as `*.x`) and IP SANs. */
  readonly names: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SHA-256 of the leaf's DER, hex; identifies a certificate across snapshots. */
  readonly fingerprint: string;
  /** Where it came from, for issues and the API. */
  readonly where: string;
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** True when `value` holds PEM text rather than a path (Traefik accepts both in certFile/keyFile). */
export function isInlinePem(value: string): boolean {
  return value.includes('-----BEGIN ');
}

/** Splits a PEM chain into its certificate blocks, in order. */
export function splitPemChain(pem: string): string[] {
  return pem.match(CERTIFICATE_BLOCK) ?? [];
}

/** The names a certificate covers: CN (as Traefik includes it), DNS SANs and IP SANs, normalized, unique. */
export function certificateNames(cert: X509Certificate): string[] {
  const names = new Set<string>();
  const cn = /^CN=(.*)$/m.exec(cert.subject)?.[1];
  if (cn !== undefined && cn.trim() !== '') names.add(normalizeName(cn));
  for (const entry of (cert.subjectAltName ?? '').split(', ')) {
    const [kind, ...rest] = entry.split(':');
    const value = rest.join(':').replace(/^"|"$/g, '');
    if ((kind === 'DNS' || kind === 'IP Address') && value !== '') names.add(normalizeName(value));
  }
  return [...names];
}

function certificateIssue(where: string, message: string): ConfigIssue {
  return { code: ErrorCodes.CERTIFICATE, severity: 'error', where, message };
}

/**
 * Checks a PEM chain and key: both parse, the key is the leaf's. Returns the loaded certificate or an issue
 * saying what is wrong; never throws, so one bad certificate cannot take the others down.
 */
export function parseCertificatePair(certPem: string, keyPem: string, where: string): LoadedCertificate | ConfigIssue {
  const blocks = splitPemChain(certPem);
  const leafPem = blocks[0];
  if (leafPem === undefined) {
    return certificateIssue(where, 'the certificate is not PEM (no "-----BEGIN CERTIFICATE-----" block): give a PEM file or inline PEM');
  }
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(leafPem);
    for (const block of blocks.slice(1)) new X509Certificate(block);
  } catch (err) {
    return certificateIssue(where, `the certificate cannot be parsed: ${(err as Error).message}`);
  }
  try {
    const key = createPrivateKey(keyPem);
    if (!leaf.checkPrivateKey(key)) {
      return certificateIssue(where, 'the private key does not belong to the certificate: check that certFile and keyFile are a pair');
    }
  } catch (err) {
    return certificateIssue(where, `the private key cannot be parsed (PEM, unencrypted, expected): ${(err as Error).message}`);
  }
  return {
    certPem: blocks.join('\n') + '\n',
    keyPem,
    names: certificateNames(leaf),
    notBefore: new Date(leaf.validFrom),
    notAfter: new Date(leaf.validTo),
    fingerprint: createHash('sha256').update(leaf.raw).digest('hex'),
    where,
  };
}

/** Resolves a certFile/keyFile value: inline PEM as is, otherwise the file it names. */
async function readSource(value: string, readFile: ReadFile): Promise<string> {
  return isInlinePem(value) ? value : readFile(value);
}

/** Loads a certFile/keyFile pair (paths or inline PEM) and checks it; unreadable files become issues. */
export async function loadCertificatePair(certFile: string, keyFile: string, readFile: ReadFile, where: string): Promise<LoadedCertificate | ConfigIssue> {
  let certPem: string;
  let keyPem: string;
  try {
    certPem = await readSource(certFile, readFile);
  } catch (err) {
    return certificateIssue(where, `cannot read certFile "${certFile}": ${(err as Error).message}`);
  }
  try {
    keyPem = await readSource(keyFile, readFile);
  } catch (err) {
    return certificateIssue(where, `cannot read keyFile "${keyFile}": ${(err as Error).message}`);
  }
  return parseCertificatePair(certPem, keyPem, where);
}

/** Narrows a load result. */
export function isIssue(value: LoadedCertificate | ConfigIssue): value is ConfigIssue {
  return 'code' in value;
}

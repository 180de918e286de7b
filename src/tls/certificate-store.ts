import { ErrorCodes } from '../errors/codes.js';
import type { ConfigIssue } from '../errors/config-issue.js';
import type { DeepReadonly } from '../util/deep-freeze.js';
import type { TlsConfig } from '../config/dynamic/model.js';
import { normalizeName, parentOf, wildcardParent } from './names.js';
import { isIssue, loadCertificatePair, type LoadedCertificate, type ReadFile } from './pem.js';

/**
 * The certificates of one snapshot, indexed for SNI. Built once per snapshot; lookups are two map reads.
 */
export interface CertificateStore {
  /** `tls.stores.default.defaultCertificate`, else the certificate generated at start. */
  readonly defaultCertificate: LoadedCertificate;
  /** Every usable certificate, in configuration order (the default one excluded unless also listed). */
  readonly certificates: readonly LoadedCertificate[];
  /** The best certificate for a server name (exact > one-label wildcard), or undefined when none covers it. */
  match(serverName: string): LoadedCertificate | undefined;
  /** `match(serverName)`, falling back to the default certificate; no name (no SNI) gives the default. */
  select(serverName: string | undefined): LoadedCertificate;
  /** Every name the certificates cover, wildcards as `*.example.com`, sorted. */
  names(): string[];
  /** Whether a certificate (not the default one) covers `name`; ACME uses it to skip names already served. */
  covers(name: string): boolean;
}

export interface BuildStoreOptions {
  readonly readFile: ReadFile;
  /** The self-signed certificate made once at start (see default-certificate.ts). */
  readonly generatedDefault: LoadedCertificate;
}

/**
 * Ranks two certificates covering the same name the same way (both exact, or both wildcard). Traefik takes
 * whichever its map iteration yields; Berth prefers the one that stays valid longest, so an expired file
 * certificate never shadows a fresh ACME one, and ties keep configuration order.
 */
function better(candidate: LoadedCertificate, current: LoadedCertificate | undefined): boolean {
  return current === undefined || candidate.notAfter.getTime() > current.notAfter.getTime();
}

function index(certificates: readonly LoadedCertificate[]): { exact: Map<string, LoadedCertificate>; wildcard: Map<string, LoadedCertificate> } {
  const exact = new Map<string, LoadedCertificate>();
  const wildcard = new Map<string, LoadedCertificate>();
  for (const cert of certificates) {
    for (const name of cert.names) {
      const parent = wildcardParent(name);
      const target = parent === undefined ? exact : wildcard;
      const key = parent ?? name;
      if (better(cert, target.get(key))) target.set(key, cert);
    }
  }
  return { exact, wildcard };
}

/** Makes a store from already loaded certificates (ACME and tests use it directly). */
export function createCertificateStore(certificates: readonly LoadedCertificate[], defaultCertificate: LoadedCertificate): CertificateStore {
  const { exact, wildcard } = index(certificates);
  const match = (serverName: string): LoadedCertificate | undefined => {
    const name = normalizeName(serverName);
    const found = exact.get(name);
    if (found !== undefined) return found;
    const parent = parentOf(name);
    return parent === undefined ? undefined : wildcard.get(parent);
  };
  return {
    defaultCertificate,
    certificates,
    match,
    select: (serverName) => (serverName === undefined || serverName === '' ? undefined : match(serverName)) ?? defaultCertificate,
    names: () => [...exact.keys(), ...[...wildcard.keys()].map((parent) => `*.${parent}`)].sort(),
    covers: (name) => match(name) !== undefined,
  };
}

/**
 * Builds the store from a snapshot's `tls` section. Every certificate is loaded and checked; a bad one (file
 * unreadable, not PEM, key of another certificate) becomes an issue and is skipped, the others keep serving.
 * Only the `default` store exists, as in Traefik: `stores` on a certificate is ignored, other stores get a warning.
 */
export async function buildCertificateStore(tls: DeepReadonly<TlsConfig> | undefined, options: BuildStoreOptions): Promise<{ store: CertificateStore; issues: ConfigIssue[] }> {
  const issues: ConfigIssue[] = [];
  const loaded = await Promise.all((tls?.certificates ?? []).map((cert, i) => {
    const where = `tls.certificates[${i}] (certFile ${describe(cert.certFile)})`;
    return loadCertificatePair(cert.certFile, cert.keyFile, options.readFile, where);
  }));
  const certificates: LoadedCertificate[] = [];
  const seen = new Set<string>();
  for (const result of loaded) {
    if (isIssue(result)) issues.push(result);
    else if (!seen.has(result.fingerprint)) {
      seen.add(result.fingerprint);
      certificates.push(result);
    }
  }
  let defaultCertificate = options.generatedDefault;
  for (const [name, store] of Object.entries(tls?.stores ?? {})) {
    if (name !== 'default') {
      issues.push({ code: ErrorCodes.NOT_SUPPORTED, severity: 'warning', where: `tls.stores.${name}`, message: 'only the "default" TLS store is used (as in Traefik); this store is ignored' });
      continue;
    }
    if (store.defaultCertificate !== undefined) {
      const where = `tls.stores.default.defaultCertificate (certFile ${describe(store.defaultCertificate.certFile)})`;
      const result = await loadCertificatePair(store.defaultCertificate.certFile, store.defaultCertificate.keyFile, options.readFile, where);
      if (isIssue(result)) issues.push({ ...result, message: `${result.message}; the generated default certificate is served instead` });
      else defaultCertificate = result;
    } else if (store.defaultGeneratedCert !== undefined) {
      // Traefik serves the resolver's certificate for `domain.main` as the default once it has been issued.
      const acme = createCertificateStore(certificates, defaultCertificate).match(store.defaultGeneratedCert.domain.main);
      if (acme !== undefined) defaultCertificate = acme;
    }
  }
  return { store: createCertificateStore(certificates, defaultCertificate), issues };
}

function describe(value: string): string {
  return value.includes('-----BEGIN ') ? 'inline PEM' : `"${value}"`;
}

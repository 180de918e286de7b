import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { PeerCertificate, SecureVersion } from 'node:tls';
import type { HttpServersTransportConfig, TlsVersion } from '../../config/dynamic/servers-transport.js';
import type { DeepReadonly } from '../../util/deep-freeze.js';
import { ErrorCodes, type ErrorCode } from '../../errors/codes.js';
import { goCipherToOpenSsl } from './cipher-suites.js';

/** TLS settings for connections to https servers, in the shape node:tls takes them. */
export interface UpstreamTlsOptions {
  readonly rejectUnauthorized: boolean;
  readonly ca?: string[];
  readonly cert?: string[];
  readonly key?: string[];
  readonly minVersion?: SecureVersion;
  readonly maxVersion?: SecureVersion;
  readonly ciphers?: string;
  /** `serverName` of the transport: SNI and the name the certificate must match. */
  readonly serverName?: string;
  readonly checkServerIdentity?: (host: string, cert: PeerCertificate) => Error | undefined;
}

/**
 * A serversTransport made ready for use: files read, names mapped, defaults applied. `identity` changes whenever
 * anything that shapes a connection changes (including the content of a certificate file), and keys the pools.
 */
export interface ResolvedTransport {
  readonly name: string;
  readonly identity: string;
  readonly tls: UpstreamTlsOptions;
  /** Milliseconds; 0 means no limit, as in Go. */
  readonly dialTimeout: number;
  readonly responseHeaderTimeout: number;
  readonly idleConnTimeout: number;
  /** Idle connections kept per server; Go's semantics: 0 means 2, negative means no connection reuse. */
  readonly maxIdleConnsPerHost: number;
}

/** The node:tls connect options of a transport (SNI excepted: it depends on the server, see UpstreamPool). */
export function tlsConnectOptions(tls: UpstreamTlsOptions): Record<string, unknown> {
  return {
    rejectUnauthorized: tls.rejectUnauthorized,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert, key: tls.key }),
    ...(tls.minVersion === undefined ? {} : { minVersion: tls.minVersion }),
    ...(tls.maxVersion === undefined ? {} : { maxVersion: tls.maxVersion }),
    ...(tls.ciphers === undefined ? {} : { ciphers: tls.ciphers }),
    ...(tls.checkServerIdentity === undefined ? {} : { checkServerIdentity: tls.checkServerIdentity }),
  };
}

export interface TransportProblem {
  readonly code: ErrorCode;
  readonly message: string;
}

const TLS_VERSIONS: Readonly<Record<TlsVersion, SecureVersion>> = {
  VersionTLS10: 'TLSv1',
  VersionTLS11: 'TLSv1.1',
  VersionTLS12: 'TLSv1.2',
  VersionTLS13: 'TLSv1.3',
};

/** Go's http.Transport keeps 2 idle connections per host when MaxIdleConnsPerHost is 0. */
const GO_DEFAULT_IDLE_PER_HOST = 2;

/**
 * Traefik's FileOrContent: a value holding a PEM block is the content itself, anything else is a file path.
 * Files are read at compile time so a rotated certificate is picked up by the next configuration change.
 */
function fileOrContent(value: string, what: string, transport: string): string | TransportProblem {
  if (value.includes('-----BEGIN')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    return { code: ErrorCodes.CERTIFICATE, message: `serversTransport "${transport}": cannot read ${what} "${value}": ${reason}; give a readable file path or the PEM content itself` };
  }
}

function isProblem(value: unknown): value is TransportProblem {
  return typeof value === 'object' && value !== null && 'code' in value;
}

/** Verifies the certificate's SANs instead of the host name, as Traefik does for peerCertURI / peerCertSANs. */
function sanChecker(wanted: ReadonlyArray<{ readonly type: 'URI' | 'DNSName'; readonly value: string }>): (host: string, cert: PeerCertificate) => Error | undefined {
  const expected = wanted.map((san) => `${san.type === 'URI' ? 'URI' : 'DNS'}:${san.value}`);
  return (_host, cert) => {
    const present = (cert.subjectaltname ?? '').split(',').map((entry) => entry.trim());
    const missing = expected.find((san) => !present.includes(san));
    return missing === undefined ? undefined : new Error(`the server certificate has no SAN ${missing} (it has: ${present.join(', ') || 'none'})`);
  };
}

/** Resolves a serversTransport; returns a problem (with an error code) instead of throwing. */
export function resolveTransport(name: string, config: DeepReadonly<HttpServersTransportConfig>): ResolvedTransport | TransportProblem {
  if (config.spiffe !== undefined) {
    return { code: ErrorCodes.NOT_SUPPORTED, message: `serversTransport "${name}": spiffe is not supported by Berth; use rootCAs and peerCertSANs to pin the server identity` };
  }
  const pems: string[] = [];
  const tls: { -readonly [K in keyof UpstreamTlsOptions]: UpstreamTlsOptions[K] } = { rejectUnauthorized: !config.insecureSkipVerify };
  if (config.rootCAs !== undefined && config.rootCAs.length > 0) {
    const ca: string[] = [];
    for (const entry of config.rootCAs) {
      const pem = fileOrContent(entry, 'root CA', name);
      if (isProblem(pem)) return pem;
      ca.push(pem);
    }
    tls.ca = ca;
    pems.push(...ca);
  }
  if (config.certificates !== undefined && config.certificates.length > 0) {
    const cert: string[] = [];
    const key: string[] = [];
    for (const pair of config.certificates) {
      const certPem = fileOrContent(pair.certFile, 'client certificate', name);
      if (isProblem(certPem)) return certPem;
      const keyPem = fileOrContent(pair.keyFile, 'client key', name);
      if (isProblem(keyPem)) return keyPem;
      cert.push(certPem);
      key.push(keyPem);
    }
    tls.cert = cert;
    tls.key = key;
    pems.push(...cert, ...key);
  }
  if (config.minVersion !== undefined) tls.minVersion = TLS_VERSIONS[config.minVersion];
  if (config.maxVersion !== undefined) tls.maxVersion = TLS_VERSIONS[config.maxVersion];
  if (config.cipherSuites !== undefined && config.cipherSuites.length > 0) {
    const mapped: string[] = [];
    for (const suite of config.cipherSuites) {
      const openSsl = goCipherToOpenSsl(suite);
      if (openSsl === undefined) return { code: ErrorCodes.INVALID_VALUE, message: `serversTransport "${name}": unknown cipher suite "${suite}"; use Go's names, such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256` };
      mapped.push(openSsl);
    }
    tls.ciphers = mapped.join(':');
  }
  if (config.serverName !== undefined && config.serverName !== '') tls.serverName = config.serverName;
  const sans = [...(config.peerCertSANs ?? []), ...(config.peerCertURI === undefined ? [] : [{ type: 'URI' as const, value: config.peerCertURI }])];
  if (sans.length > 0) tls.checkServerIdentity = sanChecker(sans);

  const timeouts = config.forwardingTimeouts;
  const idle = config.maxIdleConnsPerHost === 0 ? GO_DEFAULT_IDLE_PER_HOST : config.maxIdleConnsPerHost;
  const identity = JSON.stringify({
    tls: { ...tls, ca: undefined, cert: undefined, key: undefined, checkServerIdentity: undefined, sans },
    pems: pems.length === 0 ? '' : createHash('sha256').update(pems.join('\n')).digest('hex'),
    timeouts,
    idle,
  });
  return {
    name,
    identity,
    tls,
    dialTimeout: timeouts.dialTimeout,
    responseHeaderTimeout: timeouts.responseHeaderTimeout,
    idleConnTimeout: timeouts.idleConnTimeout,
    maxIdleConnsPerHost: idle,
  };
}

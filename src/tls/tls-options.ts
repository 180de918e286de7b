import { constants, createHash } from 'node:crypto';
import { DEFAULT_CIPHERS, createSecureContext, type SecureContextOptions, type TLSSocket } from 'node:tls';
import { ErrorCodes } from '../errors/codes.js';
import type { ConfigIssue } from '../errors/config-issue.js';
import type { DeepReadonly } from '../util/deep-freeze.js';
import type { TlsOptionsConfig } from '../config/dynamic/model.js';
import { CIPHER_SUITES, CURVES, FIXED_SUITES, TLS_VERSIONS } from './cipher-suites.js';
import { isInlinePem, splitPemChain, type ReadFile } from './pem.js';

export type ClientAuthType = NonNullable<TlsOptionsConfig['clientAuth']>['clientAuthType'];

/**
 * One `tls.options` entry compiled for Node: what goes into every SecureContext made for it (`context`, without
 * certificate and key), the per-socket flags, and what must be checked once the handshake is done.
 */
export interface CompiledTlsOptions {
  /** The options' name as the snapshot spells it (`default`, `mtls@file`). */
  readonly name: string;
  /**
   * Identifies what the options compile to; equal signatures mean interchangeable SecureContexts, so contexts
   * (and their session ticket keys) survive snapshots that do not change them.
   */
  readonly signature: string;
  readonly context: Readonly<SecureContextOptions>;
  readonly requestCert: boolean;
  /** Node destroys the socket itself after the handshake when the client certificate does not verify. */
  readonly rejectUnauthorized: boolean;
  readonly clientAuthType: ClientAuthType;
  readonly sniStrict: boolean;
  /** Server preference order, as Go negotiates ALPN. */
  readonly alpnProtocols: readonly string[];
  /**
   * Node has no equivalent of Go's RequireAnyClientCert and VerifyClientCertIfGiven: OpenSSL can only demand a
   * certificate together with verifying it. Those two modes request a certificate without failing the handshake,
   * and this check, run on `secureConnection`, refuses what Go would have refused: no certificate (RequireAny),
   * or a certificate that does not verify against `caFiles` (VerifyIfGiven). Returns the reason, or undefined.
   */
  checkPeer(socket: TLSSocket): string | undefined;
}

/** Options whose configuration is wrong: handshakes that select them are refused (fail closed, like Traefik). */
export interface BrokenTlsOptions {
  readonly name: string;
  readonly broken: string;
}

let groupSupport: Map<string, boolean> | undefined;

/** Whether this Node's OpenSSL knows a key-exchange group (X25519MLKEM768 needs OpenSSL 3.5, i.e. Node 24). */
export function supportsGroup(group: string): boolean {
  groupSupport ??= new Map();
  let known = groupSupport.get(group);
  if (known === undefined) {
    try {
      createSecureContext({ ecdhCurve: group });
      known = true;
    } catch {
      known = false;
    }
    groupSupport.set(group, known);
  }
  return known;
}

const NO_CHECK = (): undefined => undefined;

function peerCheck(type: ClientAuthType): (socket: TLSSocket) => string | undefined {
  switch (type) {
    case 'RequireAnyClientCert':
      return (socket) => (socket.getPeerX509Certificate() === undefined ? 'a client certificate is required (RequireAnyClientCert)' : undefined);
    case 'VerifyClientCertIfGiven':
      return (socket) => (socket.getPeerX509Certificate() !== undefined && !socket.authorized
        ? `the client certificate does not verify: ${String(socket.authorizationError)} (VerifyClientCertIfGiven)`
        : undefined);
    case 'RequireAndVerifyClientCert':
      return (socket) => (socket.authorized ? undefined : `the client certificate is missing or does not verify: ${String(socket.authorizationError)}`);
    default:
      return NO_CHECK;
  }
}

/**
 * Compiles one `tls.options.<name>` entry. Every problem is reported at once; any error makes the options
 * unusable (`BrokenTlsOptions`), because silently serving without, say, client authentication would be worse
 * than refusing the handshake.
 */
export async function compileTlsOptions(name: string, options: DeepReadonly<TlsOptionsConfig>, readFile: ReadFile): Promise<{ options: CompiledTlsOptions | BrokenTlsOptions; issues: ConfigIssue[] }> {
  const issues: ConfigIssue[] = [];
  const path = `tls.options.${name}`;
  const fail = (key: string, message: string): void => {
    issues.push({ code: ErrorCodes.INVALID_VALUE, severity: 'error', where: `${path}.${key}`, message });
  };

  const minVersion = TLS_VERSIONS[options.minVersion];
  const maxVersion = options.maxVersion === undefined ? undefined : TLS_VERSIONS[options.maxVersion];
  if (maxVersion !== undefined && maxVersion < minVersion) fail('maxVersion', `maxVersion ${options.maxVersion} is lower than minVersion ${options.minVersion}`);

  const ciphers: string[] = [];
  (options.cipherSuites ?? []).forEach((suite, i) => {
    const openssl = CIPHER_SUITES.get(suite.toUpperCase());
    if (openssl !== undefined) ciphers.push(openssl);
    else if (!FIXED_SUITES.has(suite.toUpperCase())) fail(`cipherSuites[${i}]`, `unknown cipher suite "${suite}": use Go's names, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`);
  });
  // OpenSSL 3 refuses TLS 1.0/1.1 at its default security level; asking for them explicitly means wanting them.
  const legacy = minVersion === 'TLSv1' || minVersion === 'TLSv1.1';
  const cipherList = ciphers.length === 0 ? (legacy ? `${DEFAULT_CIPHERS}:@SECLEVEL=0` : undefined) : `${ciphers.join(':')}${legacy ? ':@SECLEVEL=0' : ''}`;

  const groups: string[] = [];
  (options.curvePreferences ?? []).forEach((curve, i) => {
    const group = CURVES.get(curve.toLowerCase());
    if (group === undefined) fail(`curvePreferences[${i}]`, `unknown curve "${curve}": use CurveP256, CurveP384, CurveP521, X25519 or X25519MLKEM768`);
    else if (!supportsGroup(group)) fail(`curvePreferences[${i}]`, `curve "${curve}" needs a newer OpenSSL than this Node has (${process.versions.openssl}); remove it or run Node 24`);
    else groups.push(group);
  });

  const clientAuthType = options.clientAuth?.clientAuthType ?? 'NoClientCert';
  const ca: string[] = [];
  for (const [i, caFile] of (options.clientAuth?.caFiles ?? []).entries()) {
    try {
      const pem = isInlinePem(caFile) ? caFile : await readFile(caFile);
      const blocks = splitPemChain(pem);
      if (blocks.length === 0) fail(`clientAuth.caFiles[${i}]`, `"${isInlinePem(caFile) ? 'inline PEM' : caFile}" holds no PEM certificate`);
      ca.push(...blocks);
    } catch (err) {
      fail(`clientAuth.caFiles[${i}]`, `cannot read "${caFile}": ${(err as Error).message}`);
    }
  }
  if (ca.length > 0 && clientAuthType === 'NoClientCert') {
    issues.push({ code: ErrorCodes.INVALID_VALUE, severity: 'warning', where: `${path}.clientAuth.clientAuthType`, message: 'caFiles are set but clientAuthType is NoClientCert, so no client certificate is asked for' });
  }

  if (issues.some((issue) => issue.severity === 'error')) {
    return { options: { name, broken: `TLS options "${name}" are invalid (see ${path})` }, issues };
  }

  const context: SecureContextOptions = {
    minVersion,
    ...(maxVersion === undefined ? {} : { maxVersion }),
    ...(cipherList === undefined ? {} : { ciphers: cipherList }),
    ...(groups.length === 0 ? {} : { ecdhCurve: groups.join(':') }),
    ...(ca.length === 0 ? {} : { ca }),
    ...(options.disableSessionTickets ? { secureOptions: constants.SSL_OP_NO_TICKET } : {}),
    // OpenSSL refuses to resume a session with client verification on unless a session id context is set.
    sessionIdContext: createHash('sha256').update(name).digest('hex').slice(0, 32),
  };
  const requestCert = clientAuthType !== 'NoClientCert';
  const signature = createHash('sha256').update(JSON.stringify([name, context, clientAuthType, options.sniStrict, options.alpnProtocols])).digest('hex');
  return {
    options: {
      name,
      signature,
      context,
      requestCert,
      rejectUnauthorized: clientAuthType === 'RequireAndVerifyClientCert',
      clientAuthType,
      sniStrict: options.sniStrict,
      alpnProtocols: options.alpnProtocols,
      checkPeer: peerCheck(clientAuthType),
    },
    issues,
  };
}

/** Traefik's `default` options, used when the configuration defines none. */
export const DEFAULT_TLS_OPTIONS: DeepReadonly<TlsOptionsConfig> = {
  minVersion: 'VersionTLS12',
  sniStrict: false,
  alpnProtocols: ['h2', 'http/1.1', 'acme-tls/1'],
  disableSessionTickets: false,
};

/**
 * Go's ALPN negotiation (crypto/tls negotiateALPN): the first server protocol the client also offers; a client
 * offering only http/1.1 to an h2 server proceeds as HTTP/1.1; otherwise no common protocol is an error
 * (undefined). `acme-tls/1` is never chosen here: only a pending TLS-ALPN-01 challenge may answer it.
 */
export function negotiateAlpn(server: readonly string[], client: readonly string[]): string | undefined {
  let http11Fallback = false;
  for (const protocol of server) {
    if (protocol === 'acme-tls/1') continue;
    if (client.includes(protocol)) return protocol;
    if (protocol === 'h2' && client.includes('http/1.1')) http11Fallback = true;
  }
  return http11Fallback ? 'http/1.1' : undefined;
}

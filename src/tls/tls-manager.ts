import { createSecureContext, type SecureContext, type Server as TlsServer, type TLSSocket, type TlsOptions } from 'node:tls';
import { ErrorCodes } from '../errors/codes.js';
import type { ConfigIssue } from '../errors/config-issue.js';
import type { DeepReadonly } from '../util/deep-freeze.js';
import type { TlsConfig } from '../config/dynamic/model.js';
import { buildCertificateStore, createCertificateStore, type CertificateStore } from './certificate-store.js';
import { normalizeName } from './names.js';
import type { LoadedCertificate, ReadFile } from './pem.js';
import { DEFAULT_TLS_OPTIONS, compileTlsOptions, negotiateAlpn, type BrokenTlsOptions, type CompiledTlsOptions } from './tls-options.js';

const ACME_TLS = 'acme-tls/1';

export interface TlsManagerOptions {
  readonly readFile: ReadFile;
  /** Made once at start with `generateDefaultCertificate()`; served until a configured default replaces it. */
  readonly generatedDefault: LoadedCertificate;
  /** TLS-ALPN-01: the challenge certificate for a name, while an ACME order validates it (RFC 8737). */
  readonly challengeCertificateFor?: (serverName: string) => SecureContext | undefined;
}

/**
 * Certificates and TLS options for Berth's TLS entrypoints. `update` swaps in a snapshot's TLS state; new
 * handshakes see it at once, established connections keep what they negotiated, listeners never restart.
 *
 * Plug it into `tls.createServer`/`https.createServer`/`http2.createSecureServer` with `serverOptions()` and
 * `attach(server)`. Node applies only part of a SecureContext chosen by SNICallback: per server name this applies
 * the certificate, the client-CA list, ALPN and the client-certificate checks (after the handshake, see
 * tls-options.ts); protocol versions, cipher suites, curves and session tickets come from the `default` options
 * for every name, because OpenSSL fixes them before the SNI callback runs (test/tls/tls-manager.test.ts shows
 * it). Traefik applies those per name too; an entrypoint that needs that reads the ClientHello first
 * (client-hello.ts) and picks a server per options name.
 *
 * TLS-ALPN-01 (RFC 8737): the validator offers only ALPN `acme-tls/1`. OpenSSL asks for ALPN before the
 * certificate in TLS 1.3 and after it in TLS 1.2, and Node's callbacks receive no shared per-connection state
 * except the TLSSocket they are invoked on (`this`, verified on Node 20 and 24), so the challenge certificate is
 * served to TLS 1.3 validators, which Let's Encrypt's and Pebble's both are.
 */
export interface TlsManager {
  update(tls: DeepReadonly<TlsConfig> | undefined, routerHosts: ReadonlyMap<string, string>): Promise<readonly ConfigIssue[]>;
  /** The current certificate store (ACME asks it which names are already covered). */
  readonly store: CertificateStore;
  /** The `tls.options` name that applies to a server name (from routers' Host() values; `default` otherwise). */
  optionsFor(serverName: string | undefined): string;
  serverOptions(): TlsOptions;
  /** Keeps a server made with `serverOptions()` current and runs the post-handshake checks; returns a detach function. */
  attach(server: TlsServer): () => void;
  /** After a handshake: why the connection must be refused (client certificate, sniStrict), or undefined. */
  checkSocket(socket: TLSSocket): string | undefined;
}

interface State {
  readonly store: CertificateStore;
  readonly options: ReadonlyMap<string, CompiledTlsOptions | BrokenTlsOptions>;
  readonly hostOptions: ReadonlyMap<string, string>;
  /** SecureContexts per options name and certificate fingerprint, made on first use. */
  readonly contexts: Map<string, Map<string, SecureContext>>;
}

function isBroken(options: CompiledTlsOptions | BrokenTlsOptions | undefined): options is BrokenTlsOptions | undefined {
  return options === undefined || 'broken' in options;
}

/** Creates a manager serving only the generated default certificate until the first `update`. */
export async function createTlsManager(settings: TlsManagerOptions): Promise<TlsManager> {
  const initialDefault = await compileTlsOptions('default', DEFAULT_TLS_OPTIONS, settings.readFile);
  let state: State = {
    store: createCertificateStore([], settings.generatedDefault),
    options: new Map([['default', initialDefault.options]]),
    hostOptions: new Map(),
    contexts: new Map(),
  };
  const servers = new Set<TlsServer>();
  /** Sockets whose ClientHello offered acme-tls/1 for a pending challenge (serverOptions mode). */
  const challengeSockets = new WeakSet<object>();
  /** Sockets whose certificate was chosen before ALPN (TLS 1.2 order), so ALPN can no longer switch to a challenge. */
  const certificateChosen = new WeakSet<object>();

  const optionsNameFor = (name: string | undefined): string => (name === undefined ? 'default' : state.hostOptions.get(name) ?? 'default');
  const compiledFor = (name: string | undefined): CompiledTlsOptions | BrokenTlsOptions | undefined => state.options.get(optionsNameFor(name));

  const contextFor = (options: CompiledTlsOptions, cert: LoadedCertificate): SecureContext => {
    let perOptions = state.contexts.get(options.name);
    if (perOptions === undefined) state.contexts.set(options.name, (perOptions = new Map()));
    let context = perOptions.get(cert.fingerprint);
    if (context === undefined) {
      context = createSecureContext({ ...options.context, cert: cert.certPem, key: cert.keyPem });
      perOptions.set(cert.fingerprint, context);
    }
    return context;
  };

  /** Certificate choice shared by both modes: undefined certificate means refuse (sniStrict). */
  const certificateFor = (options: CompiledTlsOptions, lookupName: string | undefined): LoadedCertificate | undefined => {
    const found = lookupName === undefined ? undefined : state.store.match(lookupName);
    if (found !== undefined) return found;
    return options.sniStrict ? undefined : state.store.defaultCertificate;
  };

  const baseServerOptions = (): TlsOptions => {
    const options = state.options.get('default');
    const base = isBroken(options) ? undefined : options;
    const anyClientAuth = [...state.options.values()].some((o) => !isBroken(o) && o.requestCert);
    return {
      ...(base?.context ?? {}),
      cert: state.store.defaultCertificate.certPem,
      key: state.store.defaultCertificate.keyPem,
      // Per-name client authentication can only be decided after the handshake in this mode (see checkSocket),
      // so a certificate is requested from every client as soon as any options want one.
      requestCert: anyClientAuth,
      rejectUnauthorized: false,
    };
  };

  /** `setSecureContext` renews the context for no-SNI clients; Node reads `requestCert` per connection. */
  const applyBase = (server: TlsServer): void => {
    const base = baseServerOptions();
    server.setSecureContext(base);
    (server as TlsServer & { requestCert: boolean }).requestCert = base.requestCert === true;
  };

  function sniCallback(this: unknown, serverName: string, callback: (err: Error | null, context?: SecureContext) => void): void {
    const socket = typeof this === 'object' && this !== null ? this : undefined;
    const name = normalizeName(serverName);
    if (socket !== undefined && challengeSockets.has(socket)) {
      const challenge = settings.challengeCertificateFor?.(name);
      if (challenge !== undefined) return callback(null, challenge);
    }
    if (socket !== undefined) certificateChosen.add(socket);
    const options = compiledFor(name);
    if (isBroken(options)) return callback(new Error(options?.broken ?? `no TLS options for ${name}`));
    const cert = certificateFor(options, name);
    if (cert === undefined) return callback(new Error(`strict SNI: no certificate covers "${name}"`));
    callback(null, contextFor(options, cert));
  }

  function alpnCallback(this: unknown, { servername, protocols }: { servername: string; protocols: string[] }): string | undefined {
    const socket = typeof this === 'object' && this !== null ? this : undefined;
    const name = normalizeName(servername ?? '');
    if (protocols.includes(ACME_TLS)) {
      // In TLS 1.3 OpenSSL asks for ALPN before the certificate, so the SNI callback can still serve the
      // challenge certificate; in TLS 1.2 the certificate is already chosen and the validation cannot succeed.
      if (socket === undefined || certificateChosen.has(socket) || settings.challengeCertificateFor?.(name) === undefined) return undefined;
      challengeSockets.add(socket);
      return ACME_TLS;
    }
    const options = compiledFor(name === '' ? undefined : name);
    return isBroken(options) ? undefined : negotiateAlpn(options.alpnProtocols, protocols);
  }

  const manager: TlsManager = {
    get store() {
      return state.store;
    },
    optionsFor: (serverName) => optionsNameFor(serverName === undefined ? undefined : normalizeName(serverName)),

    async update(tls, routerHosts) {
      const { store, issues } = await buildCertificateStore(tls, { readFile: settings.readFile, generatedDefault: settings.generatedDefault });
      const options = new Map<string, CompiledTlsOptions | BrokenTlsOptions>();
      const configured = { default: DEFAULT_TLS_OPTIONS, ...(tls?.options ?? {}) };
      for (const [name, config] of Object.entries(configured)) {
        const compiled = await compileTlsOptions(name, config, settings.readFile);
        options.set(name, compiled.options);
        issues.push(...compiled.issues);
      }
      const hostOptions = new Map<string, string>();
      for (const [host, optionsName] of routerHosts) {
        if (!options.has(optionsName)) {
          options.set(optionsName, { name: optionsName, broken: `TLS options "${optionsName}" do not exist` });
          issues.push({ code: ErrorCodes.INVALID_VALUE, severity: 'error', where: `tls.options.${optionsName}`, message: `TLS options "${optionsName}" are used for host "${host}" but not defined; handshakes for that host are refused` });
        }
        hostOptions.set(normalizeName(host), optionsName);
      }
      state = { store, options, hostOptions, contexts: new Map() };
      for (const server of servers) applyBase(server);
      return issues;
    },

    serverOptions: () => ({ ...baseServerOptions(), SNICallback: sniCallback, ALPNCallback: alpnCallback }),

    attach(server) {
      servers.add(server);
      applyBase(server);
      const onSecure = (socket: TLSSocket): void => {
        const reason = manager.checkSocket(socket);
        if (reason !== undefined) socket.destroy();
      };
      server.prependListener('secureConnection', onSecure);
      return () => {
        servers.delete(server);
        server.off('secureConnection', onSecure);
      };
    },

    checkSocket(socket) {
      if (socket.alpnProtocol === ACME_TLS) return undefined;
      const servername = typeof socket.servername === 'string' && socket.servername !== '' ? normalizeName(socket.servername) : undefined;
      const options = compiledFor(servername);
      if (isBroken(options)) return options?.broken ?? 'no TLS options';
      if (servername === undefined && options.sniStrict) return 'strict SNI: the client sent no server name';
      return options.checkPeer(socket);
    },
  };
  return manager;
}

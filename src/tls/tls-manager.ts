import type { Socket } from 'node:net';
import { TLSSocket, createSecureContext, createServer as createTlsServer, type SecureContext, type Server as TlsServer, type TlsOptions } from 'node:tls';
import { ErrorCodes } from '../errors/codes.js';
import type { ConfigIssue } from '../errors/config-issue.js';
import type { DeepReadonly } from '../util/deep-freeze.js';
import type { TlsConfig } from '../config/dynamic/model.js';
import { buildCertificateStore, createCertificateStore, type CertificateStore } from './certificate-store.js';
import type { ClientHello } from './client-hello.js';
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
 * Two ways to plug it into a listener:
 * - `accept(socket, hello, onSecure)`, for an entrypoint that reads the ClientHello first (client-hello.ts, as
 *   Traefik's TCP router does): the handshake runs with every option of the name's `tls.options` (versions,
 *   cipher suites, curves, tickets, client authentication), as in Traefik, and TLS-ALPN-01 works for any TLS
 *   version. Each options name gets a private, never-listening tls.Server, so Node's own client-certificate
 *   verification (`authorized`, rejectUnauthorized) applies.
 * - `serverOptions()` + `attach(server)` for a plain `tls.createServer`/`https`/`http2.createSecureServer`. Node
 *   applies only part of a SecureContext chosen by SNICallback: per name this gives the certificate, the client
 *   CA list, ALPN and the client-certificate checks (after the handshake, see tls-options.ts); versions, cipher
 *   suites, curves and session tickets come from the `default` options for every name, because OpenSSL fixes
 *   them before the SNI callback runs; and Node 20 adds the SNI certificate beside the default one rather than
 *   replacing it, so a TLS 1.2 client preferring RSA suites gets the (RSA) default certificate for a site whose
 *   certificate is ECDSA (test/tls/tls-manager.test.ts shows all three). HTTPS entrypoints should use `accept`.
 *
 * TLS-ALPN-01 (RFC 8737): the validator offers only ALPN `acme-tls/1`. `accept` sees it in the ClientHello and
 * answers with the challenge certificate whatever the version. Through `serverOptions()`, OpenSSL asks for ALPN
 * before the certificate in TLS 1.3 but after it in TLS 1.2, and Node's two callbacks share no per-connection
 * state except the TLSSocket they are invoked on (`this`, verified on Node 20 and 24): the challenge certificate
 * is served to TLS 1.3 validators (Let's Encrypt's and Pebble's both are) and a TLS 1.2 one is refused.
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
  /**
   * Completes the TLS handshake of `socket`, whose ClientHello was read (and put back) by the caller, and hands
   * the secure socket to `onSecure`. Returns why the connection is refused instead (the caller closes it).
   */
  accept(socket: Socket, hello: ClientHello, onSecure: (socket: TLSSocket) => void): string | undefined;
  /** After a handshake: why the connection must be refused (client certificate, sniStrict), or undefined. */
  checkSocket(socket: TLSSocket): string | undefined;
}

interface State {
  readonly store: CertificateStore;
  readonly options: ReadonlyMap<string, CompiledTlsOptions | BrokenTlsOptions>;
  readonly hostOptions: ReadonlyMap<string, string>;
  /** SecureContexts per options name and certificate fingerprint, made on first use. */
}

/** A connection's identity, the same on the raw socket and the TLSSocket wrapping it. */
const connectionKey = (socket: Socket): string => `${socket.remoteAddress}:${socket.remotePort}>${socket.localAddress}:${socket.localPort}`;

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
  };
  /**
   * SecureContexts (serverOptions mode) and `accept`'s private servers, per options signature and certificate,
   * made on first use and kept across snapshots that leave both unchanged: no handshake pays for building them
   * again, and TLS session tickets stay valid across configuration changes.
   */
  const contexts = new Map<string, SecureContext>();
  const privateServers = new Map<string, TlsServer>();
  const pairKey = (options: CompiledTlsOptions, cert: LoadedCertificate): string => `${options.signature}\n${cert.fingerprint}`;
  /** `accept` callbacks waiting for their handshake, by connection. */
  const waiting = new Map<string, (socket: TLSSocket) => void>();
  const attachedServers = new Set<TlsServer>();
  /** Sockets whose ClientHello offered acme-tls/1 for a pending challenge (serverOptions mode). */
  const challengeSockets = new WeakSet<object>();
  /** Sockets whose certificate was chosen before ALPN (TLS 1.2 order), so ALPN can no longer switch to a challenge. */
  const certificateChosen = new WeakSet<object>();

  const optionsNameFor = (name: string | undefined): string => (name === undefined ? 'default' : state.hostOptions.get(name) ?? 'default');
  const compiledFor = (name: string | undefined): CompiledTlsOptions | BrokenTlsOptions | undefined => state.options.get(optionsNameFor(name));

  const contextFor = (options: CompiledTlsOptions, cert: LoadedCertificate): SecureContext => {
    const key = pairKey(options, cert);
    let context = contexts.get(key);
    if (context === undefined) {
      context = createSecureContext({ ...options.context, cert: cert.certPem, key: cert.keyPem });
      contexts.set(key, context);
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

  /**
   * The never-listening server that runs `accept` handshakes for one options name and one certificate. One
   * certificate per server, not an SNICallback: Node 20 adds an SNI certificate beside the server's own instead
   * of replacing it, so with an RSA default and an ECDSA site certificate a TLS 1.2 client may be handed the
   * default one.
   */
  const privateServer = (options: CompiledTlsOptions, cert: LoadedCertificate): TlsServer => {
    const serverKey = pairKey(options, cert);
    let server = privateServers.get(serverKey);
    if (server !== undefined) return server;
    server = createTlsServer({
      ...options.context,
      cert: cert.certPem,
      key: cert.keyPem,
      requestCert: options.requestCert,
      rejectUnauthorized: options.rejectUnauthorized,
      ALPNCallback: ({ protocols }) => negotiateAlpn(options.alpnProtocols, protocols),
    });
    server.on('secureConnection', (socket: TLSSocket) => {
      const key = connectionKey(socket);
      const onSecure = waiting.get(key);
      waiting.delete(key);
      const refusal = options.checkPeer(socket);
      if (refusal !== undefined || onSecure === undefined) socket.destroy();
      else onSecure(socket);
    });
    server.on('tlsClientError', (_err, socket) => {
      waiting.delete(connectionKey(socket));
      socket.destroy();
    });
    privateServers.set(serverKey, server);
    return server;
  };

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
      state = { store, options, hostOptions };
      // Forget contexts and servers whose options or certificate are gone.
      const signatures = new Set([...options.values()].flatMap((o) => (isBroken(o) ? [] : [o.signature])));
      const fingerprints = new Set([...store.certificates, store.defaultCertificate].map((c) => c.fingerprint));
      for (const cache of [contexts, privateServers] as Array<Map<string, unknown>>) {
        for (const key of cache.keys()) {
          const [signature = '', fingerprint = ''] = key.split('\n');
          if (!signatures.has(signature) || !fingerprints.has(fingerprint)) cache.delete(key);
        }
      }
      for (const server of attachedServers) applyBase(server);
      return issues;
    },

    serverOptions: () => ({ ...baseServerOptions(), SNICallback: sniCallback, ALPNCallback: alpnCallback }),

    attach(server) {
      attachedServers.add(server);
      applyBase(server);
      const onSecure = (socket: TLSSocket): void => {
        const reason = manager.checkSocket(socket);
        if (reason !== undefined) socket.destroy();
      };
      server.prependListener('secureConnection', onSecure);
      return () => {
        attachedServers.delete(server);
        server.off('secureConnection', onSecure);
      };
    },

    accept(socket, hello, onSecure) {
      const name = hello.serverName === undefined || hello.serverName === '' ? undefined : normalizeName(hello.serverName);
      if (hello.alpnProtocols.includes(ACME_TLS)) {
        const challenge = name === undefined ? undefined : settings.challengeCertificateFor?.(name);
        if (challenge === undefined) return `no TLS-ALPN-01 challenge pending for "${name ?? ''}"`;
        // The validator only needs the handshake (RFC 8737 §3); nothing is served on this connection.
        const tlsSocket = new TLSSocket(socket, { isServer: true, secureContext: challenge, ALPNProtocols: [ACME_TLS] });
        tlsSocket.on('secure', () => tlsSocket.end());
        tlsSocket.on('error', () => tlsSocket.destroy());
        return undefined;
      }
      const options = compiledFor(name);
      if (isBroken(options)) return options?.broken ?? 'no TLS options';
      // Without SNI Traefik looks the connection's local IP up.
      const lookup = name ?? socket.localAddress;
      const cert = certificateFor(options, lookup);
      if (cert === undefined) return `strict SNI: no certificate covers "${lookup ?? ''}"`;
      if (hello.alpnProtocols.length > 0 && negotiateAlpn(options.alpnProtocols, hello.alpnProtocols) === undefined) {
        return `no common ALPN protocol (the client offered ${hello.alpnProtocols.join(', ')})`;
      }
      const key = connectionKey(socket);
      waiting.set(key, onSecure);
      socket.once('close', () => waiting.delete(key));
      privateServer(options, cert).emit('connection', socket);
      return undefined;
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

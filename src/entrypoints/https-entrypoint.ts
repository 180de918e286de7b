import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from 'node:http2';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../observability/logger.js';
import { readClientHello, type ClientHello } from '../tls/client-hello.js';
import { normalizeName } from '../tls/names.js';
import { takeConnectionListeners } from './connection-layer.js';
import type { ConnectionInfo, RequestDispatcher } from './request-dispatch.js';

/** What an HTTPS entrypoint needs from the TLS manager (src/tls/tls-manager.ts). */
export interface TlsAcceptor {
  accept(socket: Socket, hello: ClientHello, onSecure: (socket: TLSSocket) => void): string | undefined;
  optionsFor(serverName: string | undefined): string;
}

/** `entryPoints.<name>.http2` (Traefik's defaults: 250 streams, 4096-byte HPACK tables). */
export interface Http2Settings {
  readonly maxConcurrentStreams: number;
  readonly maxDecoderHeaderTableSize: number;
  readonly maxEncoderHeaderTableSize: number;
}

export interface HttpsOptions {
  readonly acceptor: TlsAcceptor;
  readonly http2: Http2Settings;
  /** `http.maxHeaderBytes`, also HTTP/2's SETTINGS_MAX_HEADER_LIST_SIZE (as Go's server does). */
  readonly maxHeaderBytes: number;
  /** How long a new connection may take to send its first bytes (the ClientHello, or an HTTP request line). */
  readonly firstBytesTimeout: number;
  /** `respondingTimeouts.idleTimeout`: an HTTP/2 connection without streams for this long is closed. */
  readonly idleTimeout: number;
  /** `transport.keepAliveMaxRequests` / `keepAliveMaxTime` (0: no limit): HTTP/2 connections get GOAWAY past them. */
  readonly keepAliveMaxRequests: number;
  readonly keepAliveMaxTime: number;
}

/**
 * The HTTPS side of an EntryPoint. Traefik serves TLS and plain HTTP on the same port: it peeks at the first
 * bytes of every connection, and a TLS handshake record (0x16) goes to TLS termination while anything else goes
 * to the HTTP server. Berth does the same in front of the entrypoint's `http.Server`:
 * - plain connections go to that server's own connection handling, unchanged;
 * - TLS connections complete their handshake through the TLS manager (per-SNI certificate and `tls.options`,
 *   client authentication, ALPN including `acme-tls/1`), then go to an HTTP/2 server when ALPN chose `h2`, or to
 *   the same `http.Server` for HTTP/1.1 (WebSocket upgrades included), so both protocols reach the same Handler
 *   through Node's HTTP/2 compatibility API.
 * Certificates and options come from the manager at each handshake: a configuration change applies to new
 * connections without touching the listener.
 */
export class HttpsTermination {
  readonly #options: HttpsOptions;
  readonly #dispatcher: RequestDispatcher;
  readonly #logger: Logger;
  readonly #http2;
  /** Connections still sending their first bytes or shaking hands: nobody else knows them yet. */
  readonly #pending = new Set<Socket>();
  readonly #sessions = new Map<Http2Session, { streams: number; readonly connection: ConnectionInfo }>();
  /** The connection being handed to the HTTP/2 server, whose 'session' event fires synchronously. */
  #handing: ConnectionInfo | undefined;
  #closing = false;

  constructor(options: HttpsOptions, dispatcher: RequestDispatcher, logger: Logger) {
    this.#options = options;
    this.#dispatcher = dispatcher;
    this.#logger = logger;
    this.#http2 = createHttp2Server({
      settings: {
        maxConcurrentStreams: options.http2.maxConcurrentStreams,
        headerTableSize: options.http2.maxDecoderHeaderTableSize,
        maxHeaderListSize: options.maxHeaderBytes,
      },
      maxDeflateDynamicTableSize: options.http2.maxEncoderHeaderTableSize,
      // Node caps a header block at 128 fields by default; Go has no count limit, only maxHeaderBytes.
      maxHeaderListPairs: 2000,
    });
    this.#http2.on('session', (session: Http2Session) => this.#track(session));
    this.#http2.on('request', (req: Http2ServerRequest, res: Http2ServerResponse) => {
      const session = this.#sessions.get(req.stream.session as Http2Session);
      if (session === undefined) return void req.stream.close();
      this.#dispatcher.dispatch(req as unknown as IncomingMessage, res as unknown as ServerResponse, session.connection, undefined);
    });
    this.#http2.on('sessionError', () => undefined);
  }

  /** Puts TLS detection in front of `server`'s connection handling (the server keeps listening itself). */
  attach(server: Server): void {
    const passOn = takeConnectionListeners(server);
    server.on('connection', (socket: Socket) => void this.#onConnection(socket, passOn));
  }

  /** Graceful shutdown: new connections are refused, HTTP/2 clients get GOAWAY and finish their streams. */
  beginShutdown(): void {
    this.#closing = true;
    for (const socket of this.#pending) socket.destroy();
    for (const session of this.#sessions.keys()) session.close();
  }

  /** Ends whatever is still open once the grace period is over. */
  close(): void {
    this.beginShutdown();
    for (const session of this.#sessions.keys()) session.destroy();
  }

  async #onConnection(socket: Socket, passOn: (socket: Socket) => void): Promise<void> {
    const onError = (): void => void socket.destroy();
    socket.on('error', onError);
    this.#pending.add(socket);
    const hello = await readClientHello(socket, this.#options.firstBytesTimeout);
    if (hello === undefined || this.#closing) {
      this.#pending.delete(socket);
      socket.destroy();
      return;
    }
    if (hello === 'not-tls') {
      this.#pending.delete(socket);
      socket.off('error', onError);
      passOn(socket);
      // readClientHello paused the socket and put the bytes back; the HTTP parser reads them once it flows.
      socket.resume();
      return;
    }
    const raw = this.#dispatcher.describe(socket);
    const serverName = hello.serverName === undefined ? '' : normalizeName(hello.serverName);
    socket.once('close', () => this.#pending.delete(socket));
    const refused = this.#options.acceptor.accept(socket, hello, (secure) => {
      this.#pending.delete(socket);
      if (this.#closing) return void secure.destroy();
      const info: ConnectionInfo = { ...raw, serverName };
      if (secure.alpnProtocol === 'h2') {
        this.#handing = info;
        this.#http2.emit('connection', secure);
        this.#handing = undefined;
      } else {
        this.#dispatcher.remember(secure, info);
        passOn(secure);
      }
    });
    if (refused !== undefined) {
      this.#logger.debug({ serverName, clientIp: raw.clientIp, reason: refused }, 'TLS handshake refused');
      this.#pending.delete(socket);
      socket.destroy();
    }
  }

  #track(session: Http2Session): void {
    // session.socket is a proxy, not the TLSSocket handed over: the connection's facts come with the hand-over.
    const socket = session.socket as TLSSocket;
    const connection = this.#handing ?? this.#dispatcher.describe(socket, normalizeName(typeof socket.servername === 'string' ? socket.servername : ''));
    const state = { streams: 0, connection };
    this.#sessions.set(session, state);
    const { keepAliveMaxRequests: maxRequests, keepAliveMaxTime: maxTime } = this.#options;
    let requests = 0;
    session.on('stream', (stream) => {
      state.streams++;
      stream.once('close', () => state.streams--);
      // Traefik's keep-alive limits answer `Connection: close`, which Go's HTTP/2 server turns into GOAWAY: the
      // streams already open finish, new ones go to a new connection.
      requests++;
      if ((maxRequests > 0 && requests >= maxRequests) || (maxTime > 0 && Date.now() - connection.since >= maxTime)) session.close();
    });
    session.once('close', () => this.#sessions.delete(session));
    session.on('error', () => undefined);
    if (this.#options.idleTimeout > 0) {
      // Go closes an HTTP/2 connection that has had no open stream for IdleTimeout; Node's session timeout
      // fires on inactivity even with a stream open (a quiet long poll), so only idle sessions are closed.
      session.setTimeout(this.#options.idleTimeout, () => {
        if (state.streams === 0) session.close();
      });
    }
    if (this.#closing) session.close();
  }
}

import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { nativeParserAvailable } from '../../runtime/services/http1/native-parser.js';
import { takeConnectionListeners } from '../connection-layer.js';
import type { HandlerSwitcher } from '../handler-switcher.js';
import type { RequestDispatcher } from '../request-dispatch.js';
import { FastConnection, type FastConnectionHost } from './fast-connection.js';

export interface FastPathOptions {
  readonly entryPoint: string;
  readonly maxHeaderBytes: number;
  /** ms; 0: none. */
  readonly idleTimeout: number;
  readonly writeTimeout: number;
  /** ms a request head may take to arrive (node:http's headersTimeout, as the entrypoint sets it). */
  readonly headersTimeout: number;
}

/** How often heads that take too long are looked for (node:http checks every 30 s; a second is closer to the limit). */
const HEAD_CHECK_INTERVAL_MS = 1000;

/**
 * The HTTP/1.1 fast path of an entrypoint. It sits in front of the entrypoint's node:http server: every HTTP/1.1
 * connection (plain, or TLS once the handshake chose HTTP/1.1) starts here. Requests that need no more than a
 * router's service (no middleware, no body, no upgrade, no observability: see fast-request.ts and FastRouter) are
 * parsed with Node's native parser and forwarded by the http1 engine straight into the socket. The first request
 * that needs more hands the connection to node:http, which then serves it exactly as it would have from the
 * start; HTTP/2 never comes here. Measured in bench/PROFILE.md; that it behaves as node:http does is held by
 * test/entrypoints/fast-path.test.ts.
 */
export class FastPath {
  readonly #options: FastPathOptions;
  readonly #switcher: HandlerSwitcher;
  readonly #dispatcher: RequestDispatcher;
  readonly #refuse: (err: NodeJS.ErrnoException, socket: Socket) => void;
  readonly #connections = new Set<FastConnection>();
  #inFlight = 0;
  #served = 0;
  #headCheck: NodeJS.Timeout | undefined;

  constructor(options: FastPathOptions, switcher: HandlerSwitcher, dispatcher: RequestDispatcher, refuse: (err: NodeJS.ErrnoException, socket: Socket) => void) {
    this.#options = options;
    this.#switcher = switcher;
    this.#dispatcher = dispatcher;
    this.#refuse = refuse;
  }

  /** False on a Node without the native parser: the entrypoint then serves everything through node:http. */
  static get available(): boolean {
    return nativeParserAvailable;
  }

  /** Requests the fast path is answering right now (graceful shutdown waits for them). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Requests the fast path has served since start (diagnostics, and tests proving which path served). */
  get served(): number {
    return this.#served;
  }

  /** Takes `server`'s plain connections first; node:http keeps its own handling for those handed over. */
  attach(server: Server): void {
    const passOn = takeConnectionListeners(server);
    const handOff = (socket: Socket, bytes: Buffer): void => {
      if (bytes.length > 0) socket.unshift(bytes);
      passOn(socket);
      socket.resume();
    };
    const host = this.#host(handOff);
    // Plain sockets, and TLS sockets whose handshake chose HTTP/1.1 (https-entrypoint.ts hands them over).
    server.on('connection', (socket: Socket) => {
      this.#connections.add(new FastConnection(socket, this.#dispatcher.connectionOf(socket), host));
      this.#headCheck ??= setInterval(() => this.#expireSlowHeads(), HEAD_CHECK_INTERVAL_MS).unref();
    });
  }

  /** Closes the connections waiting for their next request (graceful shutdown). */
  closeIdle(): void {
    for (const connection of this.#connections) if (connection.idle) connection.destroy();
  }

  /** Closes every connection still on the fast path. */
  closeAll(): void {
    clearInterval(this.#headCheck);
    for (const connection of this.#connections) connection.destroy();
  }

  #host(handOff: (socket: Socket, bytes: Buffer) => void): FastConnectionHost {
    const options = this.#options;
    const dispatcher = this.#dispatcher;
    return {
      maxHeaderBytes: options.maxHeaderBytes,
      idleTimeout: options.idleTimeout,
      writeTimeout: options.writeTimeout,
      router: (tls) => this.#switcher.current?.fastRouterFor?.(options.entryPoint, tls),
      misdirected: (request, serverName) => dispatcher.misdirected(request, serverName),
      contextFor: (connection) => dispatcher.contextFor(connection, undefined),
      lastOnConnection: (connection) => dispatcher.lastOnConnection(connection),
      requestStarted: () => {
        this.#inFlight++;
        this.#served++;
      },
      requestEnded: () => {
        this.#inFlight--;
      },
      handOff,
      refuse: (socket, err) => this.#refuse(err, socket),
      forget: (connection) => {
        this.#connections.delete(connection);
      },
    };
  }

  #expireSlowHeads(): void {
    const limit = this.#options.headersTimeout;
    if (limit <= 0) return;
    const now = performance.now();
    for (const connection of this.#connections) {
      if (connection.headStartedAt > 0 && now - connection.headStartedAt > limit) connection.expireHead();
    }
  }
}

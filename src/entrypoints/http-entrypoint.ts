import { createServer, ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ErrorCodes } from '../errors/codes.js';
import { BerthError } from '../errors/berth-error.js';
import type { Logger } from '../observability/logger.js';
import type { RequestContext } from '../runtime/request-context.js';
import { sleep } from '../util/abort.js';
import type { EntryPointAddress } from '../config/static/address.js';
import type { HandlerSwitcher } from './handler-switcher.js';
import { FastPath } from './fast-path/fast-path.js';
import { HttpsTermination, type HttpsOptions } from './https-entrypoint.js';
import { misdirectedRequest } from './misdirected.js';
import { RequestDispatcher } from './request-dispatch.js';

/** What an HTTP EntryPoint needs from static configuration (times in milliseconds). */
export interface HttpEntryPointOptions {
  readonly name: string;
  readonly address: EntryPointAddress;
  readonly forwardedHeaders: { readonly trustedIPs: readonly string[]; readonly insecure: boolean };
  readonly readTimeout: number;
  readonly writeTimeout: number;
  readonly idleTimeout: number;
  readonly requestAcceptGraceTimeout: number;
  readonly graceTimeOut: number;
  readonly maxHeaderBytes: number;
  /** `transport.keepAliveMaxRequests`: requests per connection before `Connection: close` (0: no limit). */
  readonly keepAliveMaxRequests: number;
  /** `transport.keepAliveMaxTime` in ms: connection age after which a response closes it (0: no limit). */
  readonly keepAliveMaxTime: number;
  /** TLS termination on the same port (Traefik's model); without it the entrypoint serves plain HTTP only. */
  readonly https?: Pick<HttpsOptions, 'acceptor' | 'http2'>;
}

/**
 * An EntryPoint: one listener, created once from static configuration and never restarted by a dynamic change.
 * Each request reads the current routing table once and keeps it to the end. With `https`, TLS connections on
 * the same port are terminated too (https-entrypoint.ts) and reach the entrypoint's TLS routers.
 */
export class HttpEntryPoint {
  readonly name: string;
  readonly #options: HttpEntryPointOptions;
  readonly #logger: Logger;
  readonly #server: Server;
  readonly #dispatcher: RequestDispatcher;
  readonly #https: HttpsTermination | undefined;
  readonly #fast: FastPath | undefined;
  #port = 0;

  constructor(options: HttpEntryPointOptions, switcher: HandlerSwitcher, logger: Logger) {
    this.name = options.name;
    this.#options = options;
    this.#logger = logger.child({ entryPointName: options.name });
    const acceptor = options.https?.acceptor;
    this.#dispatcher = new RequestDispatcher({
      name: options.name,
      forwardedHeaders: options.forwardedHeaders,
      writeTimeout: options.writeTimeout,
      keepAliveMaxTime: options.keepAliveMaxTime,
      keepAliveMaxRequests: options.keepAliveMaxRequests,
      ...(acceptor === undefined ? {} : { misdirected: (req: Pick<IncomingMessage, 'headers' | 'url'>, serverName: string) => misdirectedRequest(req, serverName, acceptor) }),
    }, switcher, this.#logger);
    const headersTimeout = options.readTimeout === 0 ? 60_000 : Math.min(options.readTimeout, 60_000);
    this.#server = createServer({
      // Traefik's readTimeout covers the whole request, body included; Node's requestTimeout is the same idea.
      requestTimeout: options.readTimeout,
      headersTimeout,
      keepAliveTimeout: options.idleTimeout,
      maxHeaderSize: options.maxHeaderBytes,
    });
    this.#server.on('request', (req: IncomingMessage, res: ServerResponse) => this.#dispatch(req, res, undefined));
    // In front of node:http's own connection handling, behind TLS detection (attached after it, so runs first).
    this.#fast = FastPath.available ? new FastPath({
      entryPoint: options.name,
      maxHeaderBytes: options.maxHeaderBytes,
      idleTimeout: options.idleTimeout,
      writeTimeout: options.writeTimeout,
      headersTimeout,
    }, switcher, this.#dispatcher, refuseClient) : undefined;
    this.#fast?.attach(this.#server);
    this.#https = options.https === undefined ? undefined : new HttpsTermination({
      ...options.https,
      maxHeaderBytes: options.maxHeaderBytes,
      firstBytesTimeout: options.readTimeout === 0 ? 60_000 : Math.min(options.readTimeout, 60_000),
      idleTimeout: options.idleTimeout,
      keepAliveMaxRequests: options.keepAliveMaxRequests,
      keepAliveMaxTime: options.keepAliveMaxTime,
    }, this.#dispatcher, this.#logger);
    this.#https?.attach(this.#server);
    this.#server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      // A ServerResponse on the raw socket lets middlewares still answer (401, redirects) before the upgrade.
      const res = new ServerResponse(req);
      res.shouldKeepAlive = false;
      res.assignSocket(socket as Socket);
      res.once('finish', () => socket.end());
      this.#dispatch(req, res, { socket, head });
    });
    this.#server.on('clientError', refuseClient);
  }

  /** The port actually bound (useful with port 0 in tests). */
  get port(): number {
    return this.#port;
  }

  get inFlight(): number {
    return this.#dispatcher.inFlight + (this.#fast?.inFlight ?? 0);
  }

  /** Requests served by the HTTP/1.1 fast path so far (the others went through node:http). */
  get fastPathRequests(): number {
    return this.#fast?.served ?? 0;
  }

  /** Open TCP connections, TLS and WebSockets included (`traefik_open_connections`). */
  openConnections(): Promise<number> {
    return new Promise((resolve) => this.#server.getConnections((err, count) => resolve(err === null ? count : 0)));
  }

  /** Opens the listener; logs "entryPoint <name> listening" at `announce` level (a worker leaves it to the leader). */
  async listen(announce: 'info' | 'debug' = 'info'): Promise<void> {
    const { host, port } = this.#options.address;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        reject(new BerthError(ErrorCodes.LISTEN_FAILED, `entryPoint "${this.name}" cannot listen on ${host}:${port}: ${err.code === 'EADDRINUSE' ? 'the address is already in use' : err.code === 'EACCES' ? 'permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)' : err.message}`, { cause: err }));
      };
      this.#server.once('error', onError);
      this.#server.listen({ port, ...(host === '' ? {} : { host }) }, () => {
        this.#server.off('error', onError);
        resolve();
      });
    });
    const address = this.#server.address();
    this.#port = typeof address === 'object' && address !== null ? address.port : port;
    this.#dispatcher.localPort = this.#port;
    this.#logger[announce]({ port: this.#port }, `entryPoint ${this.name} listening`);
  }

  /**
   * Graceful shutdown, as Traefik's lifeCycle: keep accepting for requestAcceptGraceTimeout, then stop accepting,
   * let in-flight requests finish for up to graceTimeOut (their connections close after the response), then
   * close whatever is left.
   */
  async shutdown(closeUpgrades: () => Promise<void>): Promise<void> {
    this.#dispatcher.beginShutdown();
    if (this.#options.requestAcceptGraceTimeout > 0) await sleep(this.#options.requestAcceptGraceTimeout);
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    this.#fast?.closeIdle();
    this.#https?.beginShutdown();
    const deadline = Date.now() + this.#options.graceTimeOut;
    while (this.inFlight > 0 && Date.now() < deadline) await sleep(Math.min(50, Math.max(1, deadline - Date.now())));
    if (this.inFlight > 0) this.#logger.warn({ requests: this.inFlight }, 'graceTimeOut reached: closing requests still in flight');
    await closeUpgrades();
    this.#https?.close();
    this.#fast?.closeAll();
    this.#server.closeAllConnections();
    await closed;
  }

  #dispatch(req: IncomingMessage, res: ServerResponse, upgrade: RequestContext['upgrade']): void {
    this.#dispatcher.dispatch(req, res, this.#dispatcher.connectionOf(req.socket), upgrade);
  }
}

/**
 * Answers a request that could not be parsed, as Go's server does, and closes the connection: 431 for headers
 * over maxHeaderBytes, 408 for a head that took longer than allowed, 400 otherwise. Shared by node:http's
 * clientError and the fast path.
 */
function refuseClient(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable) return void socket.destroy();
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

import { createServer, ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ErrorCodes } from '../errors/codes.js';
import { BerthError } from '../errors/berth-error.js';
import type { Logger } from '../observability/logger.js';
import { sendStatus } from '../runtime/handler.js';
import type { RequestContext } from '../runtime/request-context.js';
import { sleep } from '../util/abort.js';
import { createIpMatcher, unmapIPv4, type IpMatcher } from '../util/ip-matcher.js';
import type { EntryPointAddress } from '../config/static/address.js';
import type { HandlerSwitcher } from './handler-switcher.js';

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
}

interface ConnectionInfo {
  readonly clientIp: string;
  readonly clientPort: number;
  readonly trusted: boolean;
  /** When the connection's first request arrived (keepAliveMaxTime). */
  readonly since: number;
}

/**
 * A plain-HTTP EntryPoint: one listener, created once from static configuration and never restarted by a
 * dynamic change. Each request reads the current routing table once and keeps it to the end.
 */
export class HttpEntryPoint {
  readonly name: string;
  readonly #options: HttpEntryPointOptions;
  readonly #switcher: HandlerSwitcher;
  readonly #logger: Logger;
  readonly #server: Server;
  readonly #trusted: IpMatcher | undefined;
  readonly #connections = new WeakMap<Socket, ConnectionInfo>();
  readonly #inFlight = new Set<ServerResponse>();
  #terminating = false;
  #port = 0;

  constructor(options: HttpEntryPointOptions, switcher: HandlerSwitcher, logger: Logger) {
    this.name = options.name;
    this.#options = options;
    this.#switcher = switcher;
    this.#logger = logger.child({ entryPointName: options.name });
    const trusted = options.forwardedHeaders.insecure ? undefined : createIpMatcher(options.forwardedHeaders.trustedIPs);
    if (trusted !== undefined && 'invalid' in trusted) {
      throw new BerthError(ErrorCodes.STATIC_CONFIG, `entryPoints.${options.name}.forwardedHeaders.trustedIPs: not an IP or CIDR: ${trusted.invalid.join(', ')}`);
    }
    this.#trusted = trusted;
    this.#server = createServer({
      // Traefik's readTimeout covers the whole request, body included; Node's requestTimeout is the same idea.
      requestTimeout: options.readTimeout,
      headersTimeout: options.readTimeout === 0 ? 60_000 : Math.min(options.readTimeout, 60_000),
      keepAliveTimeout: options.idleTimeout,
      maxHeaderSize: options.maxHeaderBytes,
    });
    // Node answers the last allowed request with `Connection: close`, as Traefik's keepAliveMaxRequests does.
    this.#server.maxRequestsPerSocket = options.keepAliveMaxRequests;
    this.#server.on('request', (req: IncomingMessage, res: ServerResponse) => this.#dispatch(req, res, undefined));
    this.#server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      // A ServerResponse on the raw socket lets middlewares still answer (401, redirects) before the upgrade.
      const res = new ServerResponse(req);
      res.shouldKeepAlive = false;
      res.assignSocket(socket as Socket);
      res.once('finish', () => socket.end());
      this.#dispatch(req, res, { socket, head });
    });
    this.#server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      if (!socket.writable) return socket.destroy();
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    });
  }

  /** The port actually bound (useful with port 0 in tests). */
  get port(): number {
    return this.#port;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Open TCP connections, WebSockets included (`traefik_open_connections`). */
  openConnections(): Promise<number> {
    return new Promise((resolve) => this.#server.getConnections((err, count) => resolve(err === null ? count : 0)));
  }

  async listen(): Promise<void> {
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
    this.#logger.info({ port: this.#port }, `entryPoint ${this.name} listening`);
  }

  /**
   * Graceful shutdown, as Traefik's lifeCycle: keep accepting for requestAcceptGraceTimeout, then stop accepting,
   * let in-flight requests finish for up to graceTimeOut (their connections close after the response), then
   * close whatever is left.
   */
  async shutdown(closeUpgrades: () => Promise<void>): Promise<void> {
    this.#terminating = true;
    if (this.#options.requestAcceptGraceTimeout > 0) await sleep(this.#options.requestAcceptGraceTimeout);
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    for (const res of this.#inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
    const deadline = Date.now() + this.#options.graceTimeOut;
    while (this.#inFlight.size > 0 && Date.now() < deadline) await sleep(Math.min(50, Math.max(1, deadline - Date.now())));
    if (this.#inFlight.size > 0) this.#logger.warn({ requests: this.#inFlight.size }, 'graceTimeOut reached: closing requests still in flight');
    await closeUpgrades();
    this.#server.closeAllConnections();
    await closed;
  }

  #dispatch(req: IncomingMessage, res: ServerResponse, upgrade: RequestContext['upgrade']): void {
    const table = this.#switcher.current;
    if (table === undefined) return sendStatus(res, 503, 'Service Unavailable', { 'retry-after': '1' });
    const handler = table.handlerFor(this.name, false);
    if (handler === undefined) return sendStatus(res, 404, '404 page not found');

    const connection = this.#connection(req.socket);
    const ctx: RequestContext = {
      entryPoint: this.name,
      clientIp: connection.clientIp,
      clientPort: connection.clientPort,
      localPort: this.#port,
      tls: false,
      trustForwardHeaders: connection.trusted,
      host: '',
      serverName: '',
      routerName: '',
      serviceName: '',
      serverUrl: '',
      upgrade,
      startedAt: process.hrtime.bigint(),
    };
    const maxTime = this.#options.keepAliveMaxTime;
    if (this.#terminating || (maxTime > 0 && Date.now() - connection.since >= maxTime)) res.setHeader('connection', 'close');
    this.#track(res);
    try {
      handler(req, res, ctx);
    } catch (err) {
      this.#logger.error({ err, routerName: ctx.routerName }, 'request handler failed');
      sendStatus(res, 500, 'Internal Server Error');
    }
  }

  #track(res: ServerResponse): void {
    this.#inFlight.add(res);
    res.once('close', () => this.#inFlight.delete(res));
    if (this.#options.writeTimeout > 0) {
      // Go's WriteTimeout: the response must be written within this time after the request headers were read.
      const timer = setTimeout(() => res.destroy(), this.#options.writeTimeout);
      res.once('close', () => clearTimeout(timer));
    }
  }

  #connection(socket: Socket): ConnectionInfo {
    let info = this.#connections.get(socket);
    if (info === undefined) {
      const clientIp = unmapIPv4(socket.remoteAddress ?? '');
      info = {
        clientIp,
        clientPort: socket.remotePort ?? 0,
        trusted: this.#trusted === undefined || this.#trusted.matches(clientIp),
        since: Date.now(),
      };
      this.#connections.set(socket, info);
    }
    return info;
  }
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ErrorCodes } from '../errors/codes.js';
import { BerthError } from '../errors/berth-error.js';
import type { Logger } from '../observability/logger.js';
import { sendStatus } from '../runtime/handler.js';
import type { RequestContext } from '../runtime/request-context.js';
import { compileIpList, unmapIPv4 } from '../runtime/rules/ip-match.js';
import type { HandlerSwitcher } from './handler-switcher.js';

/** What a request needs to know about the connection it came on; computed once per connection. */
export interface ConnectionInfo {
  readonly clientIp: string;
  readonly clientPort: number;
  /** Whether X-Forwarded-* from this client are kept (forwardedHeaders.trustedIPs / insecure). */
  readonly trusted: boolean;
  /** For a TLS connection the SNI name, lower-cased ('' when the client sent none); undefined for plain HTTP. */
  readonly serverName: string | undefined;
  /** When the connection was first seen (keepAliveMaxTime). */
  readonly since: number;
  /** HTTP/1.x requests dispatched on it so far (keepAliveMaxRequests); the one mutable fact. */
  requests: number;
}

export interface RequestDispatcherOptions {
  readonly name: string;
  readonly forwardedHeaders: { readonly trustedIPs: readonly string[]; readonly insecure: boolean };
  /** Go's WriteTimeout in ms (0 = none). */
  readonly writeTimeout: number;
  /** `transport.keepAliveMaxTime` in ms: connection age after which a response closes it (0: no limit). */
  readonly keepAliveMaxTime: number;
  /** `transport.keepAliveMaxRequests`: the request that reaches it is answered with `Connection: close` (0: no limit). */
  readonly keepAliveMaxRequests: number;
  /**
   * For TLS requests: true when the request's Host maps to other TLS options than the connection's SNI. Such a
   * request is answered 421 (Traefik's snicheck: a client must not reuse a connection negotiated under one set
   * of TLS options, client authentication say, for a host that demands another).
   */
  readonly misdirected?: (req: Pick<IncomingMessage, 'headers' | 'url'>, serverName: string) => boolean;
}

/** A response object of either protocol; HTTP/2 compatibility responses carry their `stream`. */
const isHttp2 = (res: ServerResponse): boolean => 'stream' in res;

/**
 * The part of an EntryPoint shared by its plain, TLS and HTTP/2 connections: builds each request's context, reads
 * the current routing table once (a reload never cuts a request, convention 2), picks the TLS or non-TLS handler
 * and keeps count of requests in flight for graceful shutdown.
 */
export class RequestDispatcher {
  readonly #options: RequestDispatcherOptions;
  readonly #switcher: HandlerSwitcher;
  readonly #logger: Logger;
  readonly #trusted: ((clientIp: string) => boolean) | undefined;
  readonly #connections = new WeakMap<object, ConnectionInfo>();
  readonly #inFlight = new Set<ServerResponse>();
  #terminating = false;
  #localPort = 0;

  constructor(options: RequestDispatcherOptions, switcher: HandlerSwitcher, logger: Logger) {
    this.#options = options;
    this.#switcher = switcher;
    this.#logger = logger;
    const trusted = options.forwardedHeaders.insecure ? undefined : compileIpList(options.forwardedHeaders.trustedIPs);
    if (trusted !== undefined && !trusted.ok) {
      throw new BerthError(ErrorCodes.STATIC_CONFIG, `entryPoints.${options.name}.forwardedHeaders.trustedIPs: not an IP or CIDR: ${trusted.invalid.join(', ')}`);
    }
    this.#trusted = trusted?.contains;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** The port the entrypoint is bound to, for X-Forwarded-Port. */
  set localPort(port: number) {
    this.#localPort = port;
  }

  /** Describes a freshly accepted TCP connection (before any TLS layer wraps it). */
  describe(socket: Socket, serverName?: string): ConnectionInfo {
    const clientIp = unmapIPv4(socket.remoteAddress ?? '');
    return {
      clientIp,
      clientPort: socket.remotePort ?? 0,
      trusted: this.#trusted === undefined || this.#trusted(clientIp),
      serverName,
      since: Date.now(),
      requests: 0,
    };
  }

  /** Records what requests arriving on `key` (a TLSSocket, an HTTP/2 session) are told about their connection. */
  remember(key: object, info: ConnectionInfo): void {
    this.#connections.set(key, info);
  }

  /** The connection of an HTTP/1.x request: remembered for TLS sockets, described on first use for plain ones. */
  connectionOf(socket: Socket): ConnectionInfo {
    let info = this.#connections.get(socket);
    if (info === undefined) {
      info = this.describe(socket);
      this.#connections.set(socket, info);
    }
    return info;
  }

  /** True when a TLS request asks for a host whose TLS options differ from its connection's (answered 421). */
  misdirected(req: Pick<IncomingMessage, 'headers' | 'url'>, serverName: string): boolean {
    return this.#options.misdirected?.(req, serverName) === true;
  }

  /** From now on every response asks its HTTP/1.x client to close the connection. */
  beginShutdown(): void {
    this.#terminating = true;
    for (const res of this.#inFlight) if (!res.headersSent && !isHttp2(res)) res.setHeader('connection', 'close');
  }

  /**
   * Counts a request on its HTTP/1.x connection and says whether its response must close it (keepAliveMaxRequests,
   * keepAliveMaxTime, shutdown). An explicit `Connection: close` makes Node end the socket after the response; its
   * own maxRequestsPerSocket only writes the header and leaves the socket open. The fast path asks the same.
   */
  lastOnConnection(connection: ConnectionInfo): boolean {
    connection.requests++;
    const { keepAliveMaxRequests: maxRequests, keepAliveMaxTime: maxTime } = this.#options;
    return this.#terminating
      || (maxRequests > 0 && connection.requests >= maxRequests)
      || (maxTime > 0 && Date.now() - connection.since >= maxTime);
  }

  /** A request's context on `connection`, before routing (the fast path builds its requests' here too). */
  contextFor(connection: ConnectionInfo, upgrade: RequestContext['upgrade']): RequestContext {
    return {
      entryPoint: this.#options.name,
      clientIp: connection.clientIp,
      clientPort: connection.clientPort,
      localPort: this.#localPort,
      tls: connection.serverName !== undefined,
      trustForwardHeaders: connection.trusted,
      host: '',
      serverName: connection.serverName ?? '',
      routerName: '',
      serviceName: '',
      serverUrl: '',
      upgrade,
      startedAt: process.hrtime.bigint(),
    };
  }

  dispatch(req: IncomingMessage, res: ServerResponse, connection: ConnectionInfo, upgrade: RequestContext['upgrade']): void {
    const table = this.#switcher.current;
    if (table === undefined) return sendStatus(res, 503, 'Service Unavailable', { 'retry-after': '1' });
    const tls = connection.serverName !== undefined;
    if (tls && this.misdirected(req, connection.serverName as string)) return sendStatus(res, 421, 'Misdirected Request');
    const handler = table.handlerFor(this.#options.name, tls);
    if (handler === undefined) return sendStatus(res, 404, '404 page not found');

    const ctx = this.contextFor(connection, upgrade);
    // HTTP/2 forbids connection-specific headers (RFC 9113 §8.2.2); its sessions are closed with GOAWAY instead.
    if (!isHttp2(res) && this.lastOnConnection(connection)) res.setHeader('connection', 'close');
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
}

import type { Socket } from 'node:net';
import type { FastRequest, FastRoute } from '../../runtime/fast-route.js';
import type { RequestContext } from '../../runtime/request-context.js';
import type { FastRouter } from '../../runtime/compile/entry-handler.js';
import type { ConnectionInfo } from '../request-dispatch.js';
import { NO_AVAILABLE_SERVER } from '../../runtime/services/load-balancer-service.js';
import { fastRequest } from './fast-request.js';
import { RequestParser, serializeHead, type RequestHead } from './request-parser.js';
import { SocketSink } from './socket-sink.js';

/** What a fast connection needs from its entrypoint. */
export interface FastConnectionHost {
  readonly maxHeaderBytes: number;
  /** `respondingTimeouts.idleTimeout` in ms: a connection idle between requests this long is closed. */
  readonly idleTimeout: number;
  /** Go's WriteTimeout in ms (0: none). */
  readonly writeTimeout: number;
  /** The fast router of the current routing table, or undefined (node:http then answers: 503, or a full path). */
  router(tls: boolean): FastRouter | undefined;
  /** A TLS request for a host under other TLS options than its connection's: node:http answers it 421. */
  misdirected(request: FastRequest, serverName: string): boolean;
  /** A new request's context on `connection` (the entrypoint's own, as node:http requests get). */
  contextFor(connection: ConnectionInfo): RequestContext;
  /** Counts the request for keep-alive limits; true when its response must close the connection. */
  lastOnConnection(connection: ConnectionInfo): boolean;
  requestStarted(): void;
  requestEnded(): void;
  /** Gives the connection to node:http, which reads `bytes` first. */
  handOff(socket: Socket, bytes: Buffer): void;
  /** Answers a request the parser refused (400, 431) and closes the connection, as node:http's clientError does. */
  refuse(socket: Socket, err: NodeJS.ErrnoException): void;
  /** The connection is no longer the fast path's (closed or handed off). */
  forget(connection: FastConnection): void;
}

/**
 * One HTTP/1.1 client connection (plain, or TLS once the handshake is done) on the entrypoint's fast path. Each
 * request head is parsed by Node's native parser; a request the fast path may serve (fast-request.ts) on a router
 * the fast router offers is forwarded by the http1 engine straight into the socket, without node:http's request
 * and response objects.
 * Anything else (a body, an upgrade, a middleware, a 404, a pipelined request behind one in flight...) hands the
 * connection to node:http from that request on, with the request's bytes, once no response is in flight.
 */
export class FastConnection {
  readonly #socket: Socket;
  readonly #info: ConnectionInfo;
  readonly #host: FastConnectionHost;
  readonly #parser: RequestParser;
  #sink: SocketSink | undefined;
  #writeTimer: NodeJS.Timeout | undefined;
  /** The head that stopped the parser, and the bytes after it: node:http's once the response in flight ends. */
  #pending: Buffer | undefined;
  #stoppedAt: RequestHead | undefined;
  /** A parse error to answer once the response in flight ends. */
  #refusal: NodeJS.ErrnoException | undefined;
  /** When the head being received began (performance.now()), 0 between requests. */
  headStartedAt = 0;
  #over = false;

  constructor(socket: Socket, info: ConnectionInfo, host: FastConnectionHost) {
    this.#socket = socket;
    this.#info = info;
    this.#host = host;
    this.#parser = new RequestParser(host.maxHeaderBytes, {
      onBegin: () => {
        this.headStartedAt = performance.now();
      },
      onHead: (head) => this.#onHead(head),
    });
    socket.setNoDelay(true);
    socket.on('data', this.#onData);
    socket.on('drain', this.#onDrain);
    socket.on('error', this.#onError);
    socket.on('end', this.#onEnd);
    socket.on('close', this.#onClose);
    if (host.idleTimeout > 0) {
      socket.setTimeout(host.idleTimeout);
      socket.on('timeout', this.#onTimeout);
    }
  }

  /** True between requests: nothing in flight and no head half received. */
  get idle(): boolean {
    return this.#sink === undefined && this.headStartedAt === 0 && this.#pending === undefined && this.#refusal === undefined;
  }

  destroy(): void {
    this.#socket.destroy();
  }

  /** Node's headersTimeout: a head still incomplete after the limit gets 408 and the connection closes. */
  expireHead(): void {
    if (this.#over || this.#sink !== undefined) return;
    this.#refusal = Object.assign(new Error('request headers timed out'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
    this.#refuse();
  }

  readonly #onData = (chunk: Buffer): void => {
    const read = this.#parser.execute(chunk);
    if (read instanceof Error) {
      // The refusal ends the connection, after the answer to the request before it (pipelined) if one is in flight.
      this.#refusal = read as NodeJS.ErrnoException;
      this.#socket.pause();
      if (this.#sink === undefined) this.#refuse();
      return;
    }
    const stopped = this.#stoppedAt;
    if (stopped === undefined || this.#over) return;
    this.#stoppedAt = undefined;
    const rest = chunk.subarray(read);
    this.#pending = rest.length === 0 ? serializeHead(stopped) : Buffer.concat([serializeHead(stopped), rest]);
    // Bytes after this one wait in the socket, in order, for node:http.
    this.#socket.pause();
    if (this.#sink === undefined) this.#handOff();
  };

  #onHead(head: RequestHead): boolean {
    this.headStartedAt = 0;
    // The connection was closed or handed over by an answer given inside this very chunk (a 503, say).
    if (this.#over) return true;
    // A pipelined request behind one in flight would need its answer queued: node:http does that.
    const request = this.#sink === undefined ? fastRequest(head) : undefined;
    const serverName = this.#info.serverName;
    const route = request === undefined || (serverName !== undefined && this.#host.misdirected(request, serverName))
      ? undefined
      : this.#host.router(serverName !== undefined)?.route(request, this.#info.clientIp);
    if (request === undefined || route === undefined) {
      this.#stoppedAt = head;
      return true;
    }
    this.#serve(request, route, !head.keepAlive);
    return false;
  }

  #serve(request: FastRequest, route: FastRoute, clientCloses: boolean): void {
    const host = this.#host;
    const close = host.lastOnConnection(this.#info) || clientCloses;
    const sink = new SocketSink(this.#socket, this, close, Math.floor(host.idleTimeout / 1000));
    this.#sink = sink;
    host.requestStarted();
    if (host.writeTimeout > 0) this.#writeTimer = setTimeout(() => this.#socket.destroy(), host.writeTimeout);
    const ctx = host.contextFor(this.#info);
    ctx.routerName = route.routerName;
    ctx.serviceName = route.service.name;
    const server = route.service.pick(ctx);
    if (server === undefined) return sink.answer(503, NO_AVAILABLE_SERVER);
    ctx.serverUrl = server.target.url;
    route.service.forward(request, sink, ctx, server.target, server.observer);
  }

  /** From the sink: the response is written (or abandoned). */
  responseDone(close: boolean): void {
    if (this.#sink === undefined) return;
    this.#sink = undefined;
    clearTimeout(this.#writeTimer);
    this.#host.requestEnded();
    if (this.#socket.destroyed) return;
    if (this.#refusal !== undefined) return this.#refuse();
    if (close) {
      this.#finish();
      this.#socket.end();
      return;
    }
    if (this.#pending !== undefined) this.#handOff();
  }

  #refuse(): void {
    this.#finish();
    this.#host.refuse(this.#socket, this.#refusal as NodeJS.ErrnoException);
  }

  #handOff(): void {
    const bytes = this.#pending ?? Buffer.alloc(0);
    this.#pending = undefined;
    this.#finish();
    this.#host.handOff(this.#socket, bytes);
  }

  /** The fast path lets go of the socket: listeners, timers and the parser. */
  #finish(): void {
    if (this.#over) return;
    this.#over = true;
    const socket = this.#socket;
    socket.off('data', this.#onData);
    socket.off('drain', this.#onDrain);
    // The no-op 'error' listener stays: a socket being ended or handed over must never throw an unhandled error.
    socket.off('end', this.#onEnd);
    socket.off('close', this.#onClose);
    if (this.#host.idleTimeout > 0) {
      socket.setTimeout(0);
      socket.off('timeout', this.#onTimeout);
    }
    this.#parser.close();
    this.#host.forget(this);
  }

  readonly #onDrain = (): void => {
    this.#sink?.drained();
  };

  readonly #onError = (): void => {
    // 'close' follows; a reset from the client is not worth a log line (node:http does not log it either).
  };

  readonly #onEnd = (): void => {
    // As node:http (httpAllowHalfOpen false): a client that stops sending has left, what it asked for is abandoned,
    // and the connection is ended at once rather than left half-open until idleTimeout.
    const sink = this.#sink;
    this.#finish();
    sink?.clientGone();
    if (this.#socket.writable) this.#socket.end();
  };

  readonly #onClose = (): void => {
    const sink = this.#sink;
    this.#finish();
    sink?.clientGone();
  };

  readonly #onTimeout = (): void => {
    // Go's IdleTimeout applies between requests; a response in flight is bounded by writeTimeout instead.
    if (this.#sink === undefined && this.#pending === undefined) this.#socket.destroy();
  };
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../observability/logger.js';
import { upstreamAttemptOf, type UpstreamAttempt } from '../middlewares/upstream-attempt.js';
import type { RequestContext } from '../request-context.js';
import { endClientResponse, writeClientHead } from './client-response.js';
import { answerForwardError, responseHeaderTimeout, STATUS_CLIENT_CLOSED, statusForError } from './forward-errors.js';
import { hasRequestBody, upstreamRequestHeaders, type ForwardedHeadersPolicy } from './forward-headers.js';
import { upstreamPath, type ForwardTarget } from './forward-target.js';
import type { Forwarder, ForwardObserver, ForwarderDeps } from './forwarder.js';
import type { ConnectionUser, UpstreamConnection } from './http1/connection.js';
import type { Http1ConnectionPool } from './http1/connection-pool.js';
import { requestHead } from './http1/request-head.js';
import { nativeParserAvailable } from './http1/response-parser.js';
import type { UndiciForwarder } from './undici-forwarder.js';
import type { UpgradeForwarder } from './upgrade-forwarder.js';

/** Methods Go's Transport replays on a fresh connection when a reused one turns out closed (RFC 9110 9.2.2). */
const REPLAYABLE = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
/** A reused connection the server had already closed fails with one of these, before any response byte. */
const STALE_CONNECTION = new Set(['ECONNRESET', 'EPIPE']);

const CHUNKED = 'transfer-encoding: chunked\r\n';
const CLOSE = 'connection: close\r\n';
const LAST_CHUNK = '0\r\n\r\n';

/**
 * One request through the http1 engine: the head is written to a pooled connection in one write, the body (if
 * any) streamed after it with backpressure, and the response written to `res` as the parser reports it; when the
 * client socket is full the upstream socket is paused until `res` drains. The connection goes back to its pool
 * only when both directions ended cleanly and the server allows keep-alive.
 */
class Http1Exchange implements ConnectionUser {
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  readonly #ctx: RequestContext;
  readonly #target: ForwardTarget;
  readonly #pool: Http1ConnectionPool;
  readonly #observer: ForwardObserver;
  readonly #logger: Logger;
  readonly #attempt: UpstreamAttempt | undefined;
  readonly #startedAt = performance.now();
  readonly #method: string;
  #head = '';
  #body: 'none' | 'length' | 'chunked' = 'none';
  #connection: UpstreamConnection | undefined;
  #reused = false;
  #retried = false;
  #requestSent = false;
  #responseBegan = false;
  #headerTimer: NodeJS.Timeout | undefined;
  #status = 0;
  #keepAlive = false;
  #trailers = false;
  #done = false;

  constructor(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, target: ForwardTarget, pool: Http1ConnectionPool, observer: ForwardObserver, logger: Logger) {
    this.#req = req;
    this.#res = res;
    this.#ctx = ctx;
    this.#target = target;
    this.#pool = pool;
    this.#observer = observer;
    this.#logger = logger;
    this.#attempt = upstreamAttemptOf(req);
    this.#method = req.method ?? 'GET';
  }

  start(policy: ForwardedHeadersPolicy): void {
    const req = this.#req;
    this.#attempt?.reached();
    this.#observer.onStart();
    this.#res.on('close', this.#onClientClose);
    this.#res.on('drain', this.#onClientDrain);
    if (hasRequestBody(req)) this.#body = req.headers['content-length'] === undefined ? 'chunked' : 'length';
    try {
      const headers = upstreamRequestHeaders(req, this.#ctx, this.#target, policy);
      const extra = (this.#body === 'chunked' ? CHUNKED : '') + (this.#pool.keepAlive ? '' : CLOSE);
      this.#head = requestHead(this.#method, upstreamPath(req.url ?? '/', this.#target), headers, this.#target.authority, extra);
    } catch (err) {
      return this.#fail(err as Error);
    }
    this.#use(this.#pool.acquire());
  }

  #use(connection: UpstreamConnection): void {
    this.#connection = connection;
    this.#reused = connection.completed > 0;
    connection.attach(this);
    connection.whenConnected(this.#send);
  }

  readonly #send = (): void => {
    const connection = this.#connection;
    if (this.#done || connection === undefined) return;
    // From here on the server may have seen the request, so a retry must not assume it did not.
    this.#attempt?.sent();
    connection.socket.write(this.#head, 'latin1');
    if (this.#body === 'none') return this.#onRequestSent();
    this.#req.on('data', this.#onRequestData);
    this.#req.on('end', this.#onRequestEnd);
  };

  readonly #onRequestData = (chunk: Buffer): void => {
    const socket = this.#connection?.socket;
    if (socket === undefined) return;
    let flowing: boolean;
    if (this.#body === 'chunked') {
      socket.cork();
      socket.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
      socket.write(chunk);
      flowing = socket.write('\r\n', 'latin1');
      socket.uncork();
    } else {
      flowing = socket.write(chunk);
    }
    if (!flowing) this.#req.pause();
  };

  readonly #onRequestEnd = (): void => {
    if (this.#body === 'chunked') this.#connection?.socket.write(LAST_CHUNK, 'latin1');
    this.#onRequestSent();
  };

  #onRequestSent(): void {
    this.#requestSent = true;
    // Go's ResponseHeaderTimeout runs from the end of the request body to the response headers.
    const ms = this.#target.pool.transport.responseHeaderTimeout;
    if (ms > 0 && this.#status === 0) this.#headerTimer = setTimeout(() => this.#connection?.fail(responseHeaderTimeout(ms)), ms);
  }

  /** Stops reading the client's body (the exchange is over); what is left of it is discarded. */
  #stopRequestBody(): void {
    if (this.#body === 'none') return;
    this.#req.off('data', this.#onRequestData);
    this.#req.off('end', this.#onRequestEnd);
    if (!this.#req.readableEnded) this.#req.resume();
  }

  onDrain(): void {
    if (!this.#requestSent) this.#req.resume();
  }

  onBegin(): void {
    this.#responseBegan = true;
  }

  onHead(status: number, _statusMessage: string, headers: string[], keepAlive: boolean): boolean {
    // 1xx interim responses (100 Continue, 103 Early Hints) are not relayed; Node answered 100 itself.
    if (status < 200) {
      if (status === 101) this.#connection?.fail(Object.assign(new Error('the server switched protocols for a request that asked for no upgrade'), { code: 'HPE_UNEXPECTED_UPGRADE' }));
      return false;
    }
    clearTimeout(this.#headerTimer);
    this.#status = status;
    this.#keepAlive = keepAlive;
    this.#observer.onResponse(status, performance.now() - this.#startedAt);
    try {
      this.#trailers = writeClientHead(this.#res, status, headers);
    } catch (err) {
      // Node refuses header values it cannot send (invalid characters): that is a bad gateway.
      this.#logger.debug({ err, serverUrl: this.#target.url }, 'response headers from the server are not valid');
      this.#connection?.fail(err as Error);
      return true;
    }
    return this.#method === 'HEAD';
  }

  onBody(chunk: Buffer): void {
    if (!this.#res.write(chunk)) this.#connection?.socket.pause();
  }

  onComplete(trailers: string[]): void {
    // An interim response ended; the final one follows on the same connection.
    if (this.#status === 0) return;
    const connection = this.#connection;
    this.#connection = undefined;
    if (!this.#requestSent) this.#stopRequestBody();
    if (connection !== undefined) this.#pool.release(connection, this.#keepAlive && this.#requestSent);
    endClientResponse(this.#res, this.#trailers, trailers);
    this.#finish(this.#status);
  }

  onFailure(err: Error): void {
    this.#connection = undefined;
    if (this.#done) return;
    clearTimeout(this.#headerTimer);
    if (this.#canRetry(err)) {
      // The server closed a reused connection before reading the request: replay it once on a new one.
      this.#retried = true;
      return this.#use(this.#pool.dial());
    }
    this.#fail(err);
  }

  #canRetry(err: Error): boolean {
    const code = (err as NodeJS.ErrnoException).code;
    return this.#reused && !this.#retried && !this.#responseBegan && this.#body === 'none' && REPLAYABLE.has(this.#method)
      && code !== undefined && STALE_CONNECTION.has(code);
  }

  #fail(err: Error): void {
    this.#stopRequestBody();
    const status = statusForError(err);
    this.#logger.debug({ err, serviceName: this.#ctx.serviceName, serverUrl: this.#target.url, status }, 'forwarding failed');
    const started = this.#res.headersSent;
    answerForwardError(this.#res, status);
    this.#finish(started ? this.#status : status);
  }

  readonly #onClientClose = (): void => {
    if (this.#done || this.#res.writableFinished) return;
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection !== undefined) this.#pool.release(connection, false);
    this.#stopRequestBody();
    answerForwardError(this.#res, STATUS_CLIENT_CLOSED);
    this.#finish(STATUS_CLIENT_CLOSED);
  };

  readonly #onClientDrain = (): void => {
    const socket = this.#connection?.socket;
    if (socket?.isPaused() === true) socket.resume();
  };

  #finish(status: number): void {
    this.#done = true;
    clearTimeout(this.#headerTimer);
    this.#res.off('drain', this.#onClientDrain);
    this.#observer.onEnd(status);
  }
}

/**
 * The http1 engine, Berth's default: HTTP/1.1 to http and https servers over its own connection pool, with
 * Node's native llhttp parser reading the responses (see http1/response-parser.ts for why that is fast). h2c
 * servers, and every request on a Node without that parser, go through undici; upgrades through http-proxy-3.
 * Behaviour (headers, streaming, errors, timeouts) is the one the shared forwarding suite holds all engines to.
 */
export class Http1Forwarder implements Forwarder {
  readonly engine = 'http1' as const;
  readonly #deps: ForwarderDeps;
  readonly #upgrades: UpgradeForwarder;
  readonly #undici: UndiciForwarder;

  constructor(deps: ForwarderDeps, upgrades: UpgradeForwarder, undici: UndiciForwarder) {
    this.#deps = deps;
    this.#upgrades = upgrades;
    this.#undici = undici;
  }

  forward(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, target: ForwardTarget, observer: ForwardObserver): void {
    ctx.serverUrl = target.url;
    if (ctx.upgrade !== undefined) return this.#upgrades.forward(req, res, ctx, target, observer);
    if (target.pool.h2c || !nativeParserAvailable) return this.#undici.forward(req, res, ctx, target, observer);
    new Http1Exchange(req, res, ctx, target, target.pool.connections, observer, this.#deps.logger).start(this.#deps.policy);
  }
}

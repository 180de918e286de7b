import type { Readable } from 'node:stream';
import type { Logger } from '../../../observability/logger.js';
import type { UpstreamAttempt } from '../../middlewares/upstream-attempt.js';
import { responseHeaderTimeout, STATUS_CLIENT_CLOSED, statusForError } from '../forward-errors.js';
import type { ForwardTarget } from '../forward-target.js';
import type { ForwardObserver } from '../forwarder.js';
import type { ClientSink } from './client-sink.js';
import type { ConnectionUser, UpstreamConnection } from './connection.js';
import type { Http1ConnectionPool } from './connection-pool.js';
import { declaredBodyLength } from './response-parser.js';

/** Methods Go's Transport replays on a fresh connection when a reused one turns out closed (RFC 9110 9.2.2). */
const REPLAYABLE = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
/** A reused connection the server had already closed fails with one of these, before any response byte. */
const STALE_CONNECTION = new Set(['ECONNRESET', 'EPIPE']);

const LAST_CHUNK = '0\r\n\r\n';

/**
 * When the client leaves during a response with at most this much left to read, the rest is read and dropped
 * and the connection kept, rather than closed: closing costs the server a new connection and leaves a TIME_WAIT
 * socket behind (a benchmark's end, a browser navigating away). nginx gets the same from its response buffers.
 */
const DRAIN_LIMIT_BYTES = 1024 * 1024;
/** How long a drain may take before the connection is closed after all. */
const DRAIN_TIMEOUT_MS = 2000;

/** A request as the exchange sends it: the head already built, the body (if any) still to stream. */
export interface Http1Request {
  readonly method: string;
  /** Request line and headers, ready for the wire (request-head.ts). */
  readonly head: string;
  /** 'length': the body is sent as it comes; 'chunked': framed in chunks (the head says so). */
  readonly body: { readonly stream: Readable; readonly framing: 'length' | 'chunked' } | undefined;
}

/** Who the exchange reports to, besides the sink: the service's observer, a watching retry, the debug log. */
export interface Http1ExchangeHooks {
  readonly observer: ForwardObserver;
  readonly attempt: UpstreamAttempt | undefined;
  readonly logger: Logger;
  /** For the debug log line of a failure. */
  readonly serviceName: string;
}

/**
 * One request through the http1 engine: the head is written to a pooled connection in one write, the body (if
 * any) streamed after it with backpressure, and the response written to the sink as the parser reports it; when
 * the client is not keeping up the upstream socket is paused until the sink drains. The connection goes back to
 * its pool only when both directions ended cleanly and the server allows keep-alive.
 */
export class Http1Exchange implements ConnectionUser {
  readonly #request: Http1Request;
  readonly #sink: ClientSink;
  readonly #target: ForwardTarget;
  readonly #pool: Http1ConnectionPool;
  readonly #hooks: Http1ExchangeHooks;
  readonly #startedAt = performance.now();
  #connection: UpstreamConnection | undefined;
  #reused = false;
  #retried = false;
  #requestSent = false;
  #responseBegan = false;
  #headerTimer: NodeJS.Timeout | undefined;
  #status = 0;
  #keepAlive = false;
  #done = false;
  /** The response's headers and the body bytes relayed so far, to know what is left when the client leaves. */
  #responseHeaders: string[] | undefined;
  #received = 0;
  /** Set while the rest of an abandoned response is read and dropped (see DRAIN_LIMIT_BYTES). */
  #drainTimer: NodeJS.Timeout | undefined;

  constructor(request: Http1Request, sink: ClientSink, target: ForwardTarget, hooks: Http1ExchangeHooks) {
    this.#request = request;
    this.#sink = sink;
    this.#target = target;
    this.#pool = target.pool.connections;
    this.#hooks = hooks;
  }

  /** Reports the start (observer, retry) and subscribes to the client; call before `send` or `refuse`. */
  begin(): void {
    this.#hooks.attempt?.reached();
    this.#hooks.observer.onStart();
    this.#sink.watch(this.#onClientClose, this.#onClientDrain);
  }

  send(): void {
    this.#use(this.#pool.acquire());
  }

  /** The request could not be built (a header Berth refuses to write): answered like any forwarding failure. */
  refuse(err: Error): void {
    this.#fail(err);
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
    this.#hooks.attempt?.sent();
    connection.socket.write(this.#request.head, 'latin1');
    const body = this.#request.body;
    if (body === undefined) return this.#onRequestSent();
    body.stream.on('data', this.#onRequestData);
    body.stream.on('end', this.#onRequestEnd);
  };

  readonly #onRequestData = (chunk: Buffer): void => {
    const socket = this.#connection?.socket;
    if (socket === undefined) return;
    let flowing: boolean;
    if (this.#request.body?.framing === 'chunked') {
      socket.cork();
      socket.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
      socket.write(chunk);
      flowing = socket.write('\r\n', 'latin1');
      socket.uncork();
    } else {
      flowing = socket.write(chunk);
    }
    if (!flowing) this.#request.body?.stream.pause();
  };

  readonly #onRequestEnd = (): void => {
    if (this.#request.body?.framing === 'chunked') this.#connection?.socket.write(LAST_CHUNK, 'latin1');
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
    const stream = this.#request.body?.stream;
    if (stream === undefined) return;
    stream.off('data', this.#onRequestData);
    stream.off('end', this.#onRequestEnd);
    if (!stream.readableEnded) stream.resume();
  }

  onDrain(): void {
    if (!this.#requestSent) this.#request.body?.stream.resume();
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
    this.#responseHeaders = headers;
    this.#hooks.observer.onResponse(status, performance.now() - this.#startedAt);
    const noBody = this.#request.method === 'HEAD';
    try {
      this.#sink.writeHead(status, headers, noBody);
    } catch (err) {
      // Node refuses header values it cannot send (invalid characters): that is a bad gateway.
      this.#hooks.logger.debug({ err, serverUrl: this.#target.url }, 'response headers from the server are not valid');
      this.#connection?.fail(err as Error);
      return true;
    }
    return noBody;
  }

  onBody(chunk: Buffer): void {
    this.#received += chunk.length;
    if (this.#done) return;
    if (!this.#sink.write(chunk)) this.#connection?.socket.pause();
  }

  onComplete(trailers: string[]): void {
    // An interim response ended; the final one follows on the same connection.
    if (this.#status === 0) return;
    const connection = this.#connection;
    this.#connection = undefined;
    if (this.#drainTimer !== undefined) {
      clearTimeout(this.#drainTimer);
      if (connection !== undefined) this.#pool.release(connection, this.#keepAlive);
      return;
    }
    if (!this.#requestSent) this.#stopRequestBody();
    if (connection !== undefined) this.#pool.release(connection, this.#keepAlive && this.#requestSent);
    this.#sink.end(trailers);
    this.#finish(this.#status);
  }

  onFailure(err: Error): void {
    this.#connection = undefined;
    clearTimeout(this.#drainTimer);
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
    return this.#reused && !this.#retried && !this.#responseBegan && this.#request.body === undefined && REPLAYABLE.has(this.#request.method)
      && code !== undefined && STALE_CONNECTION.has(code);
  }

  #fail(err: Error): void {
    this.#stopRequestBody();
    const status = statusForError(err);
    this.#hooks.logger.debug({ err, serviceName: this.#hooks.serviceName, serverUrl: this.#target.url, status }, 'forwarding failed');
    const started = this.#sink.headersSent;
    this.#sink.fail(status);
    this.#finish(started ? this.#status : status);
  }

  readonly #onClientClose = (): void => {
    if (this.#done) return;
    const connection = this.#connection;
    if (connection !== undefined && this.#canDrain()) {
      this.#drainTimer = setTimeout(() => this.#connection?.fail(new Error('draining an abandoned response took too long')), DRAIN_TIMEOUT_MS);
      if (connection.socket.isPaused()) connection.socket.resume();
    } else {
      this.#connection = undefined;
      if (connection !== undefined) this.#pool.release(connection, false);
    }
    this.#stopRequestBody();
    this.#sink.fail(STATUS_CLIENT_CLOSED);
    this.#finish(STATUS_CLIENT_CLOSED);
  };

  /** A response whose headers arrived, keep-alive, with a known and small enough rest (Content-Length). */
  #canDrain(): boolean {
    if (this.#status === 0 || !this.#keepAlive || !this.#requestSent || this.#request.method === 'HEAD') return false;
    const length = declaredBodyLength(this.#responseHeaders ?? []);
    return length !== undefined && length - this.#received <= DRAIN_LIMIT_BYTES;
  }

  readonly #onClientDrain = (): void => {
    const socket = this.#connection?.socket;
    if (socket?.isPaused() === true) socket.resume();
  };

  #finish(status: number): void {
    this.#done = true;
    clearTimeout(this.#headerTimer);
    this.#sink.unwatch(this.#onClientDrain);
    this.#hooks.observer.onEnd(status);
  }
}

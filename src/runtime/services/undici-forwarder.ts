import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Client, Dispatcher } from 'undici';
import type { Logger } from '../../observability/logger.js';
import { upstreamAttemptOf, type UpstreamAttempt } from '../middlewares/upstream-attempt.js';
import type { RequestContext } from '../request-context.js';
import { endClientResponse, writeClientHead } from './client-response.js';
import { answerForwardError, CLIENT_GONE, responseHeaderTimeout, STATUS_CLIENT_CLOSED, statusForError } from './forward-errors.js';
import { hasRequestBody, upstreamRequestHeaders, type ForwardedHeadersPolicy } from './forward-headers.js';
import { upstreamPath, type ForwardTarget } from './forward-target.js';
import type { Forwarder, ForwardObserver, ForwarderDeps } from './forwarder.js';
import { loadUndici, undiciIfLoaded } from './undici-module.js';
import type { UpgradeForwarder } from './upgrade-forwarder.js';

/**
 * The body undici streams upstream. A chunked request stays chunked, as in Go: undici would send a small body
 * that already arrived whole with a Content-Length, which node:http (the other engine) never does, so such a
 * body is handed over as an async iterable, which undici always frames as chunked.
 */
function requestBody(req: IncomingMessage): IncomingMessage | AsyncIterable<Buffer> | null {
  if (!hasRequestBody(req)) return null;
  if (req.headers['content-length'] !== undefined) return req;
  return { [Symbol.asyncIterator]: () => req[Symbol.asyncIterator]() };
}

/**
 * One request in flight through undici's low-level `dispatch` (its fastest API: raw header buffers, no
 * stream objects of its own). The response is written straight to `res`; when the client socket is full,
 * `onData` returns false, undici stops reading from the server, and `res`'s 'drain' resumes it.
 */
class UndiciExchange implements Dispatcher.DispatchHandler {
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  readonly #ctx: RequestContext;
  readonly #target: ForwardTarget;
  readonly #observer: ForwardObserver;
  readonly #logger: Logger;
  readonly #client: Client;
  readonly #startedAt = performance.now();
  readonly #attempt: UpstreamAttempt | undefined;
  #abort: ((reason?: Error) => void) | undefined;
  #resume: (() => void) | undefined;
  #headerTimer: NodeJS.Timeout | undefined;
  #status = 0;
  #trailers = false;
  #done = false;
  #clientGone = false;

  constructor(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, target: ForwardTarget, observer: ForwardObserver, logger: Logger) {
    this.#req = req;
    this.#res = res;
    this.#ctx = ctx;
    this.#target = target;
    this.#observer = observer;
    this.#logger = logger;
    this.#client = target.pool.acquireClient();
    this.#attempt = upstreamAttemptOf(req);
  }

  start(policy: ForwardedHeadersPolicy): void {
    const req = this.#req;
    this.#attempt?.reached();
    this.#observer.onStart();
    this.#res.on('close', this.#onClientClose);
    this.#res.on('drain', this.#onDrain);
    const options = {
      path: upstreamPath(req.url ?? '/', this.#target),
      method: req.method ?? 'GET',
      headers: upstreamRequestHeaders(req, this.#ctx, this.#target, policy),
      body: requestBody(req),
      // Supported by undici's Request although missing from its types; see UpstreamPool.servername.
      servername: this.#target.dispatchServername,
    };
    this.#client.dispatch(options as Dispatcher.DispatchOptions, this);
  }

  onConnect(abort: (reason?: Error) => void): void {
    if (this.#done) return abort(CLIENT_GONE);
    this.#abort = abort;
    // undici calls onConnect on a connected socket and writes the request head right after, in the same turn:
    // from here on the server may have seen the request, so a retry must not assume it did not.
    this.#attempt?.sent();
  }

  onRequestSent(): void {
    // Go's ResponseHeaderTimeout runs from the end of the request body to the response headers.
    const ms = this.#target.pool.transport.responseHeaderTimeout;
    if (ms > 0 && !this.#done) this.#headerTimer = setTimeout(() => this.#abort?.(responseHeaderTimeout(ms)), ms);
  }

  onHeaders(status: number, rawHeaders: Buffer[], resume: () => void): boolean {
    // 1xx interim responses (100 Continue, 103 Early Hints) are not relayed; Node answered 100 itself.
    if (status < 200 || this.#done) return true;
    clearTimeout(this.#headerTimer);
    this.#resume = resume;
    this.#status = status;
    this.#observer.onResponse(status, performance.now() - this.#startedAt);
    try {
      this.#trailers = writeClientHead(this.#res, status, rawHeaders);
    } catch (err) {
      // Node refuses header values it cannot send (invalid characters): that is a bad gateway.
      this.#logger.debug({ err, serverUrl: this.#target.url }, 'response headers from the server are not valid');
      this.#abort?.(err as Error);
      return false;
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#done) return true;
    return this.#res.write(chunk);
  }

  onComplete(trailers: Buffer[] | string[] | null): void {
    this.#target.pool.releaseClient(this.#client);
    if (this.#done) return;
    endClientResponse(this.#res, this.#trailers, trailers);
    this.#finish(this.#status);
  }

  onError(err: Error): void {
    // The client goes back to the pool only once undici is done with this request, never earlier.
    this.#target.pool.releaseClient(this.#client);
    if (this.#done) return;
    clearTimeout(this.#headerTimer);
    const status = this.#clientGone ? STATUS_CLIENT_CLOSED : statusForError(err);
    if (status !== STATUS_CLIENT_CLOSED) {
      this.#logger.debug({ err, serviceName: this.#ctx.serviceName, serverUrl: this.#target.url, status }, 'forwarding failed');
    }
    const started = this.#res.headersSent;
    answerForwardError(this.#res, status);
    this.#finish(started && status !== STATUS_CLIENT_CLOSED ? this.#status : status);
  }

  readonly #onClientClose = (): void => {
    if (this.#done || this.#res.writableFinished) return;
    this.#clientGone = true;
    if (this.#abort !== undefined) this.#abort(CLIENT_GONE);
    else {
      // Not connected yet: undici calls onConnect later and the abort happens there.
      answerForwardError(this.#res, STATUS_CLIENT_CLOSED);
      this.#finish(STATUS_CLIENT_CLOSED);
    }
  };

  readonly #onDrain = (): void => {
    this.#resume?.();
  };

  #finish(status: number): void {
    this.#done = true;
    clearTimeout(this.#headerTimer);
    this.#res.off('drain', this.#onDrain);
    this.#observer.onEnd(status);
  }
}

/** The undici engine (`Client.dispatch` over Berth's own client pool). */
export class UndiciForwarder implements Forwarder {
  readonly engine = 'undici' as const;
  readonly #deps: ForwarderDeps;
  readonly #upgrades: UpgradeForwarder;

  constructor(deps: ForwarderDeps, upgrades: UpgradeForwarder) {
    this.#deps = deps;
    this.#upgrades = upgrades;
  }

  forward(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, target: ForwardTarget, observer: ForwardObserver): void {
    ctx.serverUrl = target.url;
    if (ctx.upgrade !== undefined) return this.#upgrades.forward(req, res, ctx, target, observer);
    if (undiciIfLoaded() !== undefined) return new UndiciExchange(req, res, ctx, target, observer, this.#deps.logger).start(this.#deps.policy);
    // The first request of a process that needs undici waits for it to load (see undici-module.ts).
    loadUndici().then(() => {
      if (!res.destroyed) return new UndiciExchange(req, res, ctx, target, observer, this.#deps.logger).start(this.#deps.policy);
      observer.onStart();
      observer.onEnd(STATUS_CLIENT_CLOSED);
    }, (err: unknown) => {
      this.#deps.logger.error({ err }, 'cannot load undici');
      observer.onStart();
      answerForwardError(res, 500);
      observer.onEnd(500);
    });
  }
}

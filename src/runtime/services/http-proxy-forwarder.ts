import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { ProxyServer } from 'http-proxy-3';
import type { NormalizedServerOptions } from 'http-proxy-3/dist/lib/http-proxy/index.js';
import { WEB_PASSES } from 'http-proxy-3/dist/lib/http-proxy/passes/web-incoming.js';
import type { Logger } from '../../observability/logger.js';
import { upstreamAttemptOf, type UpstreamAttempt } from '../middlewares/upstream-attempt.js';
import type { RequestContext } from '../request-context.js';
import { endClientResponse, writeClientHead } from './client-response.js';
import { answerForwardError, responseHeaderTimeout, STATUS_CLIENT_CLOSED, statusForError } from './forward-errors.js';
import { hasRequestBody, upstreamRequestHeaders } from './forward-headers.js';
import { upstreamPath, type ForwardTarget } from './forward-target.js';
import { withOutgoingRequest } from './outgoing-request.js';
import type { Forwarder, ForwardObserver, ForwarderDeps } from './forwarder.js';
import type { UndiciForwarder } from './undici-forwarder.js';
import type { UpgradeForwarder } from './upgrade-forwarder.js';

/** One request in flight through http-proxy-3; the response is relayed by Berth (selfHandleResponse). */
class ProxyExchange {
  readonly #res: ServerResponse;
  readonly #ctx: RequestContext;
  readonly #target: ForwardTarget;
  readonly #observer: ForwardObserver;
  readonly #logger: Logger;
  readonly #startedAt = performance.now();
  #proxyReq: ClientRequest | undefined;
  readonly #attempt: UpstreamAttempt | undefined;
  #headerTimer: NodeJS.Timeout | undefined;
  #status = 0;
  #done = false;

  constructor(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, target: ForwardTarget, observer: ForwardObserver, logger: Logger) {
    this.#res = res;
    this.#attempt = upstreamAttemptOf(req);
    this.#attempt?.reached();
    this.#ctx = ctx;
    this.#target = target;
    this.#observer = observer;
    this.#logger = logger;
    observer.onStart();
    res.on('close', this.#onClientClose);
  }

  /** http-proxy-3 emits `proxyReq` from the request's 'socket' event, with that socket. */
  onProxyReq(proxyReq: ClientRequest, socket: Socket): void {
    this.#proxyReq = proxyReq;
    const attempt = this.#attempt;
    if (attempt !== undefined) {
      // node:http writes the request head as soon as the socket is connected (a pooled one already is); a
      // refused or failed connection (a TLS handshake included) never gets there, which makes it safe to retry.
      if (socket.connecting) socket.once(socket instanceof TLSSocket ? 'secureConnect' : 'connect', () => attempt.sent());
      else attempt.sent();
    }
    const ms = this.#target.pool.transport.responseHeaderTimeout;
    if (ms <= 0) return;
    // Go's ResponseHeaderTimeout runs from the end of the request body to the response headers.
    proxyReq.once('finish', () => {
      if (this.#status === 0 && !this.#done) this.#headerTimer = setTimeout(() => proxyReq.destroy(responseHeaderTimeout(ms)), ms);
    });
  }

  onProxyRes(proxyRes: IncomingMessage): void {
    if (this.#done) {
      proxyRes.resume();
      return;
    }
    clearTimeout(this.#headerTimer);
    const status = proxyRes.statusCode ?? 502;
    this.#status = status;
    this.#observer.onResponse(status, performance.now() - this.#startedAt);
    let trailers: boolean;
    try {
      trailers = writeClientHead(this.#res, status, proxyRes.rawHeaders);
    } catch (err) {
      this.#logger.debug({ err, serverUrl: this.#target.url }, 'response headers from the server are not valid');
      proxyRes.destroy();
      this.onError(err as Error);
      return;
    }
    proxyRes.on('error', () => undefined);
    proxyRes.once('end', () => {
      if (this.#done) return;
      endClientResponse(this.#res, trailers, proxyRes.rawTrailers);
      this.#finish(status);
    });
    proxyRes.once('close', () => {
      // The server went away mid-response: cut the client connection rather than end a truncated body cleanly.
      if (this.#done || proxyRes.complete) return;
      this.#res.destroy();
      this.#finish(status);
    });
    proxyRes.pipe(this.#res, { end: false });
  }

  readonly onError = (err: Error): void => {
    if (this.#done) return;
    clearTimeout(this.#headerTimer);
    const status = statusForError(err);
    this.#logger.debug({ err, serviceName: this.#ctx.serviceName, serverUrl: this.#target.url, status }, 'forwarding failed');
    const started = this.#res.headersSent;
    answerForwardError(this.#res, status);
    this.#finish(started && this.#status !== 0 ? this.#status : status);
  };

  readonly #onClientClose = (): void => {
    if (this.#done || this.#res.writableFinished) return;
    this.#proxyReq?.destroy();
    answerForwardError(this.#res, STATUS_CLIENT_CLOSED);
    this.#finish(STATUS_CLIENT_CLOSED);
  };

  #finish(status: number): void {
    this.#done = true;
    clearTimeout(this.#headerTimer);
    this.#observer.onEnd(status);
  }
}

/**
 * The http-proxy-3 engine, with a keep-alive node:http Agent per server (without one, http-proxy-3 sends
 * `Connection: close` and opens a connection per request). Its `stream` pass is called directly: the other
 * passes would add `Content-Length: 0` to a DELETE (breaking a chunked DELETE body) and write X-Forwarded-*
 * their own way. Request headers and target are Berth's (shared with the undici engine), and the response is
 * relayed by Berth too, so that hop-by-hop removal, trailers and error answers are identical in both engines.
 */
export class HttpProxyForwarder implements Forwarder {
  readonly engine = 'http-proxy' as const;
  readonly #deps: ForwarderDeps;
  readonly #upgrades: UpgradeForwarder;
  readonly #h2c: UndiciForwarder;
  readonly #server = new ProxyServer();
  readonly #exchanges = new WeakMap<ServerResponse, ProxyExchange>();

  constructor(deps: ForwarderDeps, upgrades: UpgradeForwarder, h2c: UndiciForwarder) {
    this.#deps = deps;
    this.#upgrades = upgrades;
    this.#h2c = h2c;
    this.#server.on('proxyReq', (proxyReq: ClientRequest, _req: IncomingMessage, res: ServerResponse, _options: unknown, socket: Socket) => this.#exchanges.get(res)?.onProxyReq(proxyReq, socket));
    this.#server.on('proxyRes', (proxyRes: IncomingMessage, _req: IncomingMessage, res: ServerResponse) => this.#exchanges.get(res)?.onProxyRes(proxyRes));
    // A reset from a client that left is handled by the exchange's 'close' listener; nothing else to do here.
    this.#server.on('econnreset', () => undefined);
    this.#server.on('error', (err) => deps.logger.debug({ err }, 'http-proxy-3 error'));
  }

  forward(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, target: ForwardTarget, observer: ForwardObserver): void {
    ctx.serverUrl = target.url;
    if (ctx.upgrade !== undefined) return this.#upgrades.forward(req, res, ctx, target, observer);
    if (target.pool.h2c) return this.#h2c.forward(req, res, ctx, target, observer);
    const options = (target.engineSlot ??= {
      target: new URL(target.pool.origin),
      agent: target.pool.agent,
      toProxy: true,
      prependPath: false,
      selfHandleResponse: true,
      xfwd: false,
    } satisfies NormalizedServerOptions) as NormalizedServerOptions;
    const exchange = new ProxyExchange(req, res, ctx, target, observer, this.#deps.logger);
    this.#exchanges.set(res, exchange);
    const headers = upstreamRequestHeaders(req, ctx, target, this.#deps.policy);
    // node:http chunks a body of unknown length by default only for some methods (not DELETE): say so explicitly.
    if (req.headers['content-length'] === undefined && hasRequestBody(req)) headers['transfer-encoding'] = 'chunked';
    withOutgoingRequest(req, headers, upstreamPath(req.url ?? '/', target), () => {
      try {
        WEB_PASSES.stream(req, res, options, undefined, this.#server, exchange.onError);
      } catch (err) {
        exchange.onError(err as Error);
      }
    });
  }
}

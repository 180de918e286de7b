import type { IncomingMessage, ServerResponse } from 'node:http';
import { upstreamAttemptOf } from '../middlewares/upstream-attempt.js';
import type { FastRequest } from '../fast-route.js';
import type { RequestContext } from '../request-context.js';
import { hasRequestBody, upstreamRequestHeaders, type ForwardedHeadersPolicy } from './forward-headers.js';
import { upstreamPath, type ForwardTarget } from './forward-target.js';
import type { Forwarder, ForwardObserver, ForwarderDeps } from './forwarder.js';
import { ResponseSink, type ClientSink } from './http1/client-sink.js';
import { Http1Exchange, type Http1ExchangeHooks, type Http1Request } from './http1/exchange.js';
import { requestHead } from './http1/request-head.js';
import { nativeParserAvailable } from './http1/response-parser.js';
import type { UndiciForwarder } from './undici-forwarder.js';
import type { UpgradeForwarder } from './upgrade-forwarder.js';

const CHUNKED = 'transfer-encoding: chunked\r\n';
const CLOSE = 'connection: close\r\n';

/** Stands in for a request that could not be built; it is refused, never sent. */
const REFUSED: Http1Request = { method: 'GET', head: '', body: undefined };

/**
 * The http1 request for a request as the middlewares left it (or as the fast path parsed it, without a body);
 * throws for a header Berth refuses to write.
 */
function http1Request(req: Pick<IncomingMessage, 'method' | 'url' | 'headers' | 'rawHeaders'>, body: IncomingMessage | undefined, ctx: RequestContext, target: ForwardTarget, policy: ForwardedHeadersPolicy): Http1Request {
  const method = req.method ?? 'GET';
  const framing = body === undefined || !hasRequestBody(body) ? undefined : req.headers['content-length'] === undefined ? 'chunked' : 'length';
  const headers = upstreamRequestHeaders(req, ctx, target, policy);
  const extra = (framing === 'chunked' ? CHUNKED : '') + (target.pool.connections.keepAlive ? '' : CLOSE);
  const head = requestHead(method, upstreamPath(req.url ?? '/', target), headers, target.authority, extra);
  return { method, head, body: framing === undefined || body === undefined ? undefined : { stream: body, framing } };
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
    this.#exchange(req, req, new ResponseSink(res), ctx, target, { observer, attempt: upstreamAttemptOf(req), logger: this.#deps.logger, serviceName: ctx.serviceName });
  }

  /** For the entrypoint fast path: a bodiless HTTP/1.1 request answered straight into the client socket. */
  forwardFast(request: FastRequest, sink: ClientSink, ctx: RequestContext, target: ForwardTarget, observer: ForwardObserver): void {
    this.#exchange(request, undefined, sink, ctx, target, { observer, attempt: undefined, logger: this.#deps.logger, serviceName: ctx.serviceName });
  }

  #exchange(req: Pick<IncomingMessage, 'method' | 'url' | 'headers' | 'rawHeaders'>, body: IncomingMessage | undefined, sink: ClientSink, ctx: RequestContext, target: ForwardTarget, hooks: Http1ExchangeHooks): void {
    let request: Http1Request | Error;
    try {
      request = http1Request(req, body, ctx, target, this.#deps.policy);
    } catch (err) {
      request = err as Error;
    }
    const exchange = new Http1Exchange(request instanceof Error ? REFUSED : request, sink, target, hooks);
    exchange.begin();
    if (request instanceof Error) exchange.refuse(request);
    else exchange.send();
  }
}

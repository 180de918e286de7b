import type { RequestObserver } from '../../observability/request-observer.js';
import { fastRouteOf, type FastRequest, type FastRoute } from '../fast-route.js';
import { sendStatus, type Handler } from '../handler.js';
import { encodedCharacterCheck, type EncodedCharacterPolicy } from '../middlewares/encoded-characters.js';
import { createHttpMux, type MuxRoute } from '../mux/http-mux.js';
import type { HttpMatchInput } from '../rules/http-matchers.js';
import { forwardedTarget, requestHost, routingPath, targetQuery } from '../rules/request-target.js';
import { applyUnderscoreStrategy, hasUnderscoreName, removeConnectionListedHeaders, type UnderscoreHeadersStrategy } from './entry-headers.js';

/** Per-entrypoint request options from static configuration. */
export interface EntryHandlerOptions {
  /** `http.sanitizePath` (default true): clean `.`, `..` and `//` before routing and forwarding. */
  readonly sanitizePath: boolean;
  /** `http.encodeQuerySemicolons`: forward a raw `;` in the query as `%3B` instead of a separator. */
  readonly encodeQuerySemicolons: boolean;
  /** `http.encodedCharacters`: escapes a request path may hold (all allowed by default). */
  readonly encodedCharacters: EncodedCharacterPolicy;
  /** `http.underscoreHeadersStrategy`: what to do with header names containing `_`. */
  readonly underscoreHeadersStrategy: UnderscoreHeadersStrategy;
  /** `forwardedHeaders.connection`, lower-cased: Connection-listed headers the middlewares still see. */
  readonly connectionHeaders: ReadonlySet<string>;
}

/**
 * The handler an entrypoint calls for every request: it applies the entrypoint's request policies (escapes,
 * underscore headers, Connection-listed headers), computes the routing inputs once (host, routing path, query),
 * asks the muxer for the highest-priority matching router and runs it; no match is Traefik's
 * `404 page not found`. A request target Traefik refuses (bad escape, raw `#`) is 400. `observe`, when given,
 * sees every request first (access log, metrics).
 */
export function createEntryHandler(routes: readonly MuxRoute<Handler>[], options: EntryHandlerOptions, observe?: RequestObserver): Handler {
  return createEntryRouting(routes, options, observe).handler;
}

/** Routes the requests the fast path may serve itself. */
export interface FastRouter {
  /**
   * The route for `request` when serving it takes nothing but its service: the router has no middleware, and
   * the entrypoint's policies leave the request as it is (no escape refused, no path to clean, no header to drop).
   * Undefined otherwise, and for no match: the full path then answers, exactly as it always does.
   */
  route(request: FastRequest, clientIp: string): FastRoute | undefined;
}

/**
 * The entrypoint's handler, and its fast router when requests may skip node:http's objects: not when `observe`
 * is set (access logs, metrics and tracing watch every request through the response object).
 */
export function createEntryRouting(routes: readonly MuxRoute<Handler>[], options: EntryHandlerOptions, observe?: RequestObserver): { handler: Handler; fast: FastRouter | undefined } {
  const mux = createHttpMux(routes);
  const pathOptions = { sanitizePath: options.sanitizePath };
  const refusedEscape = encodedCharacterCheck(options.encodedCharacters);
  const underscores = options.underscoreHeadersStrategy;
  const connectionHeaders = options.connectionHeaders;
  const handler: Handler = (req, res, ctx) => {
    observe?.(req, res, ctx);
    const rawUrl = req.url ?? '/';
    if (refusedEscape?.(rawUrl) === true || !applyUnderscoreStrategy(req, underscores)) return sendStatus(res, 400, 'Bad Request');
    removeConnectionListedHeaders(req, connectionHeaders);
    const path = routingPath(rawUrl, pathOptions);
    const target = path === undefined ? undefined : forwardedTarget(rawUrl, pathOptions);
    if (path === undefined || target === undefined) return sendStatus(res, 400, 'Bad Request');
    const host = requestHost(rawUrl, req.headers.host ?? (req.headers[':authority'] as string | undefined));
    ctx.host = host;
    if (target !== rawUrl) req.url = target;
    let rawQuery = targetQuery(req.url ?? target);
    if (options.encodeQuerySemicolons && rawQuery.includes(';')) {
      rawQuery = rawQuery.replaceAll(';', '%3B');
      req.url = `${(req.url ?? target).slice(0, (req.url ?? target).indexOf('?') + 1)}${rawQuery}`;
    }
    const input: HttpMatchInput = {
      host,
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      rawQuery,
      clientIp: ctx.clientIp,
    };
    const routed = mux.match(input);
    if (routed === undefined) return sendStatus(res, 404, '404 page not found');
    routed(req, res, ctx);
  };
  if (observe !== undefined) return { handler, fast: undefined };

  const fast: FastRouter = {
    route(request, clientIp) {
      const rawUrl = request.url;
      if (refusedEscape?.(rawUrl) === true || (underscores !== 'keep' && hasUnderscoreName(request.rawHeaders))) return undefined;
      if (options.encodeQuerySemicolons && rawUrl.includes(';')) return undefined;
      const path = routingPath(rawUrl, pathOptions);
      if (path === undefined || forwardedTarget(rawUrl, pathOptions) !== rawUrl) return undefined;
      const routed = mux.match({
        host: requestHost(rawUrl, request.headers.host),
        method: request.method,
        path,
        headers: request.headers,
        rawHeaders: request.rawHeaders,
        rawQuery: targetQuery(rawUrl),
        clientIp,
      });
      return routed === undefined ? undefined : fastRouteOf(routed);
    },
  };
  return { handler, fast };
}


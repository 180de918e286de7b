import { sendStatus, type Handler } from '../handler.js';
import { createHttpMux, type MuxRoute } from '../mux/http-mux.js';
import type { HttpMatchInput } from '../rules/http-matchers.js';
import { forwardedTarget, requestHost, routingPath, targetQuery } from '../rules/request-target.js';

/** Per-entrypoint request options from static configuration. */
export interface EntryHandlerOptions {
  /** `http.sanitizePath` (default true): clean `.`, `..` and `//` before routing and forwarding. */
  readonly sanitizePath: boolean;
  /** `http.encodeQuerySemicolons`: forward a raw `;` in the query as `%3B` instead of a separator. */
  readonly encodeQuerySemicolons: boolean;
}

/**
 * The handler an entrypoint calls for every request: it computes the routing inputs once (host, routing path,
 * query), asks the muxer for the highest-priority matching router and runs it; no match is Traefik's
 * `404 page not found`. A request target Traefik refuses (bad escape, raw `#`) is 400.
 */
export function createEntryHandler(routes: readonly MuxRoute<Handler>[], options: EntryHandlerOptions): Handler {
  const mux = createHttpMux(routes);
  const pathOptions = { sanitizePath: options.sanitizePath };
  return (req, res, ctx) => {
    const rawUrl = req.url ?? '/';
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
    const handler = mux.match(input);
    if (handler === undefined) return sendStatus(res, 404, '404 page not found');
    handler(req, res, ctx);
  };
}

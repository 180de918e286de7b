import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestContext } from './request-context.js';

/**
 * The one signature every stage of the request path shares: router muxer, middlewares, services, internal
 * handlers (api@internal, ping@internal). For an upgrade request `res` is a ServerResponse bound to the raw
 * socket, so a middleware can still answer 401 or redirect; the service forwards the upgrade itself using
 * `ctx.upgrade`. HTTP/2 requests arrive through Node's compatibility API, whose objects have the same shape.
 */
export type Handler = (req: IncomingMessage, res: ServerResponse, ctx: RequestContext) => void;

/**
 * Sends a plain-text answer produced by Berth itself (404, 502, 503...) unless the response has started.
 * Bodies match Traefik's (`404 page not found`, `Bad Gateway`...) so scripts that look for them keep working.
 */
export function sendStatus(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', ...headers });
  res.end(`${body}\n`);
}

import type { IncomingMessage } from 'node:http';
import type { RequestContext } from '../request-context.js';

/**
 * Request header access with Go's http.Header semantics on Node's `req.headers` (lower-cased names; values
 * that arrived several times are joined by Node with ", ", or kept as a list for set-cookie).
 */

/** The header's value (the first one when it is a list), or undefined. Go's Header.Get. */
export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Adds a value to a request header, keeping earlier values (Go's Header.Add); joined as RFC 9110 allows. */
export function addRequestHeader(req: IncomingMessage, name: string, value: string): void {
  const existing = req.headers[name];
  if (existing === undefined || existing === '') req.headers[name] = value;
  else req.headers[name] = `${Array.isArray(existing) ? existing.join(', ') : existing}, ${value}`;
}

/** The Host the client asked for, with its port, as Go's `req.Host` (`:authority` for HTTP/2). */
export function requestHost(req: IncomingMessage): string {
  return headerValue(req, 'host') ?? headerValue(req, ':authority') ?? '';
}

/**
 * The scheme the client used: `https` on a TLS connection, or what a trusted X-Forwarded-Proto says (Traefik's
 * entrypoint keeps that header only from trusted clients and sets it otherwise). `ws`/`wss` count as http/https.
 */
export function requestScheme(req: IncomingMessage, ctx: RequestContext): 'http' | 'https' {
  let scheme: 'http' | 'https' = ctx.tls ? 'https' : 'http';
  const proto = ctx.trustForwardHeaders ? headerValue(req, 'x-forwarded-proto') : undefined;
  if (proto !== undefined && proto !== '') {
    const lower = proto.toLowerCase();
    if (lower === 'http' || lower === 'ws') scheme = 'http';
    else if (lower === 'https' || lower === 'wss') scheme = 'https';
  }
  return scheme;
}

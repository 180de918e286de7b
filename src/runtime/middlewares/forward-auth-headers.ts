import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { RequestContext } from '../request-context.js';
import { HOP_HEADERS, connectionTokens } from './header-names.js';
import { remoteIp } from './ip-strategy.js';
import { requestHost } from './request-headers.js';

/** The X- headers Traefik manages (forwardedheaders.XHeadersSet); untrusted values are never passed on. */
export const FORWARDED_HEADERS = [
  'x-forwarded-proto', 'x-forwarded-scheme', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-server',
  'x-forwarded-uri', 'x-forwarded-method', 'x-forwarded-prefix', 'x-forwarded-tls-client-cert', 'x-forwarded-tls-client-cert-info',
  'x-scheme', 'x-real-ip',
] as const;
const FORWARDED = new Set<string>(FORWARDED_HEADERS);

/**
 * The headers of the request to the auth server (Traefik's writeHeader): the client's headers without
 * hop-by-hop ones, without X-Forwarded-* unless `trust`, filtered to `allowed` when given, then the
 * X-Forwarded-For/Method/Proto/Port/Host/Uri that describe the original request.
 */
export function authRequestHeaders(req: IncomingMessage, ctx: RequestContext, trust: boolean, allowed: readonly string[] | undefined): Record<string, string | string[]> {
  const dropped = new Set<string>([...HOP_HEADERS, ...connectionTokens(req.headers.connection), 'host', 'content-length']);
  let headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':') || dropped.has(name)) continue;
    // Underscore spellings (X_Forwarded_Proto) count as the managed header they imitate.
    if (!trust && FORWARDED.has(name.replaceAll('_', '-'))) continue;
    headers[name] = value;
  }
  if (allowed !== undefined) {
    const filtered: Record<string, string | string[]> = {};
    for (const name of allowed) {
      const value = headers[name];
      if (value !== undefined) filtered[name] = value;
    }
    headers = filtered;
  }
  const client = remoteIp(ctx.clientIp);
  const prior = headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior === undefined ? client : `${Array.isArray(prior) ? prior.join(', ') : prior}, ${client}`;
  headers['x-forwarded-method'] ??= req.method ?? 'GET';
  headers['x-forwarded-proto'] ??= ctx.tls ? 'https' : 'http';
  headers['x-forwarded-port'] ??= forwardedPort(requestHost(req), String(headers['x-forwarded-proto']), ctx.tls);
  headers['x-forwarded-host'] ??= requestHost(req);
  headers['x-forwarded-uri'] ??= req.url ?? '/';
  return headers;
}

function forwardedPort(host: string, proto: string, tls: boolean): string {
  const port = /:(\d+)$/.exec(host)?.[1];
  if (port !== undefined && !host.endsWith(']')) return port;
  return proto === 'https' || proto === 'wss' || tls ? '443' : '80';
}

/** The response headers of the auth server that go back to the client when it refuses (hop-by-hop removed). */
export function refusalHeaders(headers: IncomingHttpHeaders): Array<[string, string | string[]]> {
  const dropped = new Set<string>([...HOP_HEADERS, ...connectionTokens(headers.connection)]);
  return Object.entries(headers).filter((entry): entry is [string, string | string[]] => entry[1] !== undefined && !dropped.has(entry[0]));
}

/** The cookie name of a Set-Cookie value. */
export function cookieName(setCookie: string): string {
  const eq = setCookie.indexOf('=');
  return (eq === -1 ? setCookie : setCookie.slice(0, eq)).trim();
}

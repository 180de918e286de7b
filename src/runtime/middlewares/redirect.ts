import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';

/**
 * The redirect answer shared by redirectRegex and redirectScheme (Traefik's moveHandler): GET gets 302, or 301
 * when permanent; every other method gets 307/308 so that clients repeat the method and body (RFC 9110 §15.4).
 */
export function sendRedirect(req: IncomingMessage, res: ServerResponse, location: string, permanent: boolean): void {
  const get = req.method === 'GET';
  const status = permanent ? (get ? 301 : 308) : (get ? 302 : 307);
  const body = STATUS_CODES[status] ?? '';
  res.writeHead(status, { location, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

// An absolute-form request-target (`GET http://host:port/path`), as Traefik's uriRegexp reads it.
const ABSOLUTE_TARGET = /^(https?):\/\/(\[[\w:.]+\]|[\w._-]+)?(:\d+)?(.*)$/;

/** The request URL as Traefik rebuilds it for redirects: scheme, host, port and the request-target. */
export interface RequestUrlParts {
  scheme: 'http' | 'https';
  host: string;
  /** `:8080`, or '' */
  port: string;
  /** The request-target from the path on, with the query. */
  uri: string;
}

/** Splits the request into URL parts; `host` is the Host header with its port moved to `port`. */
export function requestUrlParts(req: IncomingMessage, hostHeader: string, tls: boolean): RequestUrlParts {
  const hostPort = /^(\[[^\]]*\]|[^:]*)(:\d*)?$/.exec(hostHeader);
  const parts: RequestUrlParts = {
    scheme: 'http',
    host: hostPort?.[1] ?? hostHeader,
    port: hostPort?.[2] ?? '',
    uri: req.url ?? '/',
  };
  const match = ABSOLUTE_TARGET.exec(parts.uri);
  if (match !== null) {
    parts.scheme = match[1] as 'http' | 'https';
    if (match[2]) parts.host = match[2];
    if (match[3]) parts.port = match[3];
    parts.uri = match[4] ?? '';
  }
  if (tls) parts.scheme = 'https';
  return parts;
}

import { ErrorCodes } from '../../errors/codes.js';
import type { TransportProblem } from './transport-config.js';
import type { UpstreamPool } from './transports.js';

/** What the builder knows about one server of a loadBalancer service. */
export interface ForwardTargetSpec {
  /** The server URL as configured: `http://whoami:8080`, `https://api.internal/v1`, `h2c://grpc:50051`. */
  readonly url: string;
  readonly passHostHeader: boolean;
  /** Traefik's `preservePath`: prefix the request path with the server URL's path. */
  readonly preservePath: boolean;
}

/**
 * One server as the forwarders use it, computed once per build: nothing here is parsed per request. The
 * `engineSlot` lets an engine cache its own per-target data (http-proxy-3 options) on first use.
 */
export class ForwardTarget {
  readonly url: string;
  readonly pool: UpstreamPool;
  /** The Host header sent when passHostHeader is false: the URL's authority exactly as written (port kept). */
  readonly authority: string;
  /** The URL path, raw; joined in front of the request path only with preservePath. */
  readonly basePath: string;
  readonly preservePath: boolean;
  readonly passHostHeader: boolean;
  /** The name undici is given as request servername, constant so it never reconnects on a new Host header. */
  readonly dispatchServername: string;
  engineSlot: unknown;

  constructor(spec: ForwardTargetSpec, parsed: ParsedServerUrl, pool: UpstreamPool) {
    this.url = spec.url;
    this.pool = pool;
    this.authority = parsed.authority;
    this.basePath = parsed.path;
    this.preservePath = spec.preservePath;
    this.passHostHeader = spec.passHostHeader;
    this.dispatchServername = pool.servername ?? parsed.origin.hostname;
  }
}

export interface ParsedServerUrl {
  /** http(s) origin to connect to; an h2c URL connects over plain http. */
  readonly origin: URL;
  readonly h2c: boolean;
  readonly authority: string;
  readonly path: string;
}

/**
 * Parses a server URL as Traefik accepts it: http, https or h2c, a host, an optional port and path. Returns a
 * problem with an error code for anything else, so the builder can disable the service with a clear message.
 */
export function parseServerUrl(url: string): ParsedServerUrl | TransportProblem {
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^?#]*)/.exec(url);
  const scheme = match?.[1]?.toLowerCase();
  if (match === null || scheme === undefined) {
    return { code: ErrorCodes.INVALID_VALUE, message: `server URL "${url}" is not an absolute URL; write it as http://host:port` };
  }
  if (scheme !== 'http' && scheme !== 'https' && scheme !== 'h2c') {
    return { code: ErrorCodes.INVALID_VALUE, message: `server URL "${url}" has the scheme "${scheme}"; Berth forwards to http, https and h2c servers` };
  }
  let origin: URL;
  try {
    origin = new URL(`${scheme === 'h2c' ? 'http' : scheme}://${match[2] ?? ''}`);
  } catch {
    return { code: ErrorCodes.INVALID_VALUE, message: `server URL "${url}" has an invalid host or port` };
  }
  if (origin.hostname === '') return { code: ErrorCodes.INVALID_VALUE, message: `server URL "${url}" has no host` };
  const rawAuthority = match[2] ?? '';
  const at = rawAuthority.lastIndexOf('@');
  return { origin, h2c: scheme === 'h2c', authority: at === -1 ? rawAuthority : rawAuthority.slice(at + 1), path: match[3] ?? '' };
}

/** Go's singleJoiningSlash, on raw (escaped) paths: exactly one slash between the two parts. */
function joinPaths(base: string, path: string): string {
  const baseSlash = base.endsWith('/');
  const pathSlash = path.startsWith('/');
  if (baseSlash && pathSlash) return base + path.slice(1);
  if (!baseSlash && !pathSlash) return `${base}/${path}`;
  return base + path;
}

const SLASH = 47;
const QUESTION = 63;

/**
 * The request target sent upstream. As Traefik: the client's path and query, the server URL's path joined in
 * front only with preservePath, and `;` in the query turned into `&` (Go's net/url no longer splits on `;`).
 * A lone trailing `?` is dropped (http-proxy-3 cannot send one, and both engines must send the same thing).
 */
export function upstreamPath(requestUrl: string, target: ForwardTarget): string {
  if (!target.preservePath && requestUrl.charCodeAt(0) === SLASH && requestUrl.indexOf(';') === -1 && requestUrl.charCodeAt(requestUrl.length - 1) !== QUESTION) {
    return requestUrl;
  }
  let url = requestUrl;
  if (url.charCodeAt(0) !== SLASH && url !== '*') {
    // Absolute-form (`GET http://host/path`), as a client talking to a forward proxy sends.
    try {
      const parsed = new URL(url);
      url = parsed.pathname + parsed.search;
    } catch {
      return url;
    }
  }
  const q = url.indexOf('?');
  let path = q === -1 ? url : url.slice(0, q);
  let query = q === -1 ? '' : url.slice(q + 1);
  if (query.indexOf(';') !== -1) query = query.replaceAll(';', '&');
  if (target.preservePath) path = joinPaths(target.basePath, path);
  return query === '' ? path : `${path}?${query}`;
}

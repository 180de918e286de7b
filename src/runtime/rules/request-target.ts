import { escapedPathOf, routingPathOf } from './routing-path.js';

/**
 * The request host as Host and HostRegexp see it: Traefik's `requestdecorator` (`parseHost`, then
 * `types.CanonicalDomain`) plus the removal of one trailing dot, which Traefik's Host matcher tolerates on either
 * side. `Example.COM:8080` -> `example.com`, `[::1]:80` -> `::1`, `example.com.` -> `example.com`; undefined -> ''.
 */
export function canonicalHost(hostHeaderOrAuthority: string | undefined): string {
  if (hostHeaderOrAuthority === undefined || hostHeaderOrAuthority === '') return '';
  let host = stripPort(hostHeaderOrAuthority).trim().toLowerCase();
  if (host.endsWith('.')) host = host.slice(0, -1);
  return host;
}

/**
 * The canonical host of a request: the authority of an absolute-form target (`GET http://a.example/ HTTP/1.1`)
 * wins over the Host header, as in Go's server; an empty authority (`http://@/`) falls back to the header.
 */
export function requestHost(rawUrl: string, hostHeader: string | undefined): string {
  const authority = targetAuthority(rawUrl);
  return canonicalHost(authority === '' ? hostHeader : authority);
}

/** The host[:port] of an absolute-form target without user info, or '' for any other form. */
export function targetAuthority(rawUrl: string): string {
  const scheme = SCHEME.exec(rawUrl);
  if (scheme === null || !rawUrl.startsWith('//', scheme[0].length)) return '';
  const start = scheme[0].length + 2;
  let end = rawUrl.length;
  for (const stop of ['/', '?']) {
    const at = rawUrl.indexOf(stop, start);
    if (at !== -1 && at < end) end = at;
  }
  const authority = rawUrl.slice(start, end);
  return authority.slice(authority.lastIndexOf('@') + 1);
}

/** The raw query of a request target (after the first `?`, as Go's `RawQuery`), '' when there is none. */
export function targetQuery(rawUrl: string): string {
  const q = rawUrl.indexOf('?');
  return q === -1 ? '' : rawUrl.slice(q + 1);
}

export interface RoutingPathOptions {
  /** entryPoints.<name>.http.sanitizePath (default true): clean `.`, `..` and `//` segments first. */
  readonly sanitizePath?: boolean;
}

/**
 * The path Path, PathPrefix and PathRegexp see (Traefik's routing path), for an origin-form (`/a/b?q`),
 * absolute-form (`http://host/a/b`) or asterisk-form (`*`) target: Go's escaped path, normalised as Traefik's
 * entrypoint does (unreserved escapes decoded, hex upper-cased), sanitised (`/a/./b/../c//d` -> `/a/c/d`), then
 * with every escape decoded except reserved characters (`%2F %3F %23 %25 %3B %3A %40 ...`) so
 * ``PathPrefix(`/foo bar`)`` matches `/foo%20bar` while `/a%2Fb` stays one segment. Undefined when Traefik would
 * answer 400 (malformed escape, raw `#`, control character) or the target is no path (`host:443`, `mailto:x`).
 */
export function routingPath(rawUrl: string, options: RoutingPathOptions = {}): string | undefined {
  const path = targetPath(rawUrl);
  return path === undefined ? undefined : routingPathOf(path, options.sanitizePath !== false);
}

/**
 * The origin-form target to forward (`/a/c?q`): the normalised, sanitised path Traefik's entrypoint leaves in the
 * request, and the raw query. Returns `rawUrl` itself when nothing changes (the common case, no allocation),
 * undefined when the target is refused with 400.
 */
export function forwardedTarget(rawUrl: string, options: RoutingPathOptions = {}): string | undefined {
  const path = targetPath(rawUrl);
  if (path === undefined) return undefined;
  const escaped = escapedPathOf(path, options.sanitizePath !== false);
  if (escaped === undefined) return undefined;
  if (escaped === path && rawUrl.startsWith('/')) return rawUrl;
  const q = rawUrl.indexOf('?');
  return (escaped === '' ? '/' : escaped) + (q === -1 ? '' : rawUrl.slice(q));
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
// Go's url.Parse refuses ASCII control characters anywhere in the target.
const CONTROL = /[\x00-\x1f\x7f]/;

/** The raw (still escaped) path of a request target, or undefined when the target cannot carry one. */
function targetPath(rawUrl: string): string | undefined {
  if (CONTROL.test(rawUrl)) return undefined;
  const q = rawUrl.indexOf('?');
  const rest = q === -1 ? rawUrl : rawUrl.slice(0, q);
  if (rest.startsWith('/') || rest === '*') return rest;
  const scheme = SCHEME.exec(rest);
  if (scheme === null) return undefined;
  const afterScheme = rest.slice(scheme[0].length);
  if (!afterScheme.startsWith('//')) return afterScheme.startsWith('/') ? afterScheme : undefined;
  const slash = afterScheme.indexOf('/', 2);
  return slash === -1 ? '' : afterScheme.slice(slash);
}

/**
 * Go's `net.SplitHostPort` as Traefik's `parseHost` uses it: the host of `host:port` or `[v6]:port`; a value it
 * cannot split is kept whole, minus the brackets of a bare `[v6]`.
 */
function stripPort(address: string): string {
  const lastColon = address.lastIndexOf(':');
  if (lastColon === -1) return address;
  let host: string;
  let afterHost: number;
  if (address.startsWith('[')) {
    const close = address.indexOf(']');
    if (close === -1 || close + 1 !== lastColon) return unbracket(address);
    host = address.slice(1, close);
    afterHost = close + 1;
  } else {
    host = address.slice(0, lastColon);
    if (host.includes(':')) return address;
    afterHost = 0;
  }
  if (address.indexOf('[', 1) !== -1 || address.indexOf(']', afterHost) !== -1) return unbracket(address);
  return host;
}

function unbracket(address: string): string {
  return address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
}

import type { IncomingMessage } from 'node:http';
import { isManagedForwardedHeader } from '../services/forward-headers.js';

/** `http.underscoreHeadersStrategy` of an entrypoint (Traefik 3.7.6 / 3.6.22). */
export type UnderscoreHeadersStrategy = 'keep' | 'delete' | 'reject';

const UNDERSCORE = 95;

function hasUnderscore(name: string): boolean {
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) === UNDERSCORE) return true;
  return false;
}

/** True when a header name in a raw `[name, value, ...]` list contains `_`. */
export function hasUnderscoreName(rawHeaders: readonly string[]): boolean {
  for (let i = 0; i < rawHeaders.length; i += 2) if (hasUnderscore(rawHeaders[i] as string)) return true;
  return false;
}

/**
 * Applies `underscoreHeadersStrategy` to a request before routing. Header names with `_` are ambiguous: some
 * servers (nginx with underscores_in_headers, CGI, PHP) read `X_User` and `X-User` as the same variable, so a
 * client could smuggle a header a middleware thought it controlled. `delete` drops them (from `headers` and
 * `rawHeaders`, which matchers read), `reject` asks for a 400. Returns false when the request must be refused.
 */
export function applyUnderscoreStrategy(req: IncomingMessage, strategy: UnderscoreHeadersStrategy): boolean {
  if (strategy === 'keep') return true;
  const raw = req.rawHeaders;
  if (!hasUnderscoreName(raw)) return true;
  if (strategy === 'reject') return false;
  const kept: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (hasUnderscore(name)) {
      delete req.headers[name.toLowerCase()];
      continue;
    }
    kept.push(name, raw[i + 1] as string);
  }
  req.rawHeaders = kept;
  return true;
}

/** Connection options that name no header and so never remove one. */
function isConnectionOption(token: string): boolean {
  return token === 'keep-alive' || token === 'close' || token === 'upgrade';
}

/**
 * Traefik's forwardedheaders.removeConnectionHeaders, at the entrypoint: the headers a client lists in
 * `Connection` are hop-by-hop (RFC 9110 section 7.6.1) and are removed before the middlewares see them, except
 * those listed in `forwardedHeaders.connection` (kept for the middleware chain; the forwarder still drops them
 * toward the server) and the X-Forwarded-* headers Traefik manages, which a Connection header may not remove.
 * Otherwise a client could make a middleware act on a header (`Connection: X-Auth-User`) that the server then
 * never receives.
 */
export function removeConnectionListedHeaders(req: IncomingMessage, allowed: ReadonlySet<string>): void {
  const value = req.headers.connection;
  if (value === undefined) return;
  const lower = value.toLowerCase();
  // Nearly every request says only keep-alive, close or upgrade: nothing to remove, nothing to allocate.
  if (isConnectionOption(lower)) return;
  let removed = false;
  for (const part of lower.split(',')) {
    const token = part.trim();
    if (token === '' || isConnectionOption(token) || token === 'connection' || isManagedForwardedHeader(token) || allowed.has(token)) continue;
    if (req.headers[token] !== undefined) {
      delete req.headers[token];
      removed = true;
    }
  }
  if (!removed) return;
  const raw = req.rawHeaders;
  const kept: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (req.headers[name.toLowerCase()] === undefined) continue;
    kept.push(name, raw[i + 1] as string);
  }
  req.rawHeaders = kept;
}

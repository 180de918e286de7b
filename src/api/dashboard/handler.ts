import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { sendStatus, type Handler } from '../../runtime/handler.js';
import { DASHBOARD_ASSETS, type DashboardAsset } from './assets/manifest.js';

/**
 * The dashboard's Content-Security-Policy: everything from the dashboard's own origin, nothing else, no inline
 * script or style, no framing (clickjacking), and Trusted Types so that no string can ever reach an HTML sink
 * such as innerHTML: element names and labels are user input and must only ever be text.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

/** Sent with every dashboard response, including 304, 404 and 405. */
export const DASHBOARD_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

// The asset URLs carry no content hash and the same URL changes when Berth is upgraded, so browsers must
// revalidate every time; the ETag turns that into a body-less 304.
const CACHE_CONTROL = 'no-cache';

interface PreparedAsset {
  readonly body: Buffer;
  readonly etag: string;
  readonly headers: Readonly<Record<string, string | number>>;
  readonly notModifiedHeaders: Readonly<Record<string, string>>;
}

function prepare(asset: DashboardAsset): PreparedAsset {
  const body = Buffer.from(asset.body, 'utf8');
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  const common = { ...DASHBOARD_SECURITY_HEADERS, 'cache-control': CACHE_CONTROL, etag };
  return { body, etag, headers: { ...common, 'content-type': asset.contentType, 'content-length': body.length }, notModifiedHeaders: common };
}

/** RFC 9110 §13.1.2: If-None-Match uses the weak comparison, and `*` matches any current representation. */
function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return (trimmed.startsWith('W/') ? trimmed.slice(2) : trimmed) === etag;
  });
}

const SAFE_PREFIX = /^(?:\/[A-Za-z0-9._~-]+)+$/;

/**
 * `/dashboard` (no slash) reaches the handler as `/` with X-Forwarded-Prefix `/dashboard` (the internal
 * stripPrefix middleware adds it last). The page's relative asset URLs need the trailing slash, so send the
 * browser there, as Traefik does. Only a plain path is accepted: a client-forged `//evil.example` must not
 * turn this into an open redirect.
 */
function trailingSlashLocation(headers: IncomingHttpHeaders): string | undefined {
  const header = headers['x-forwarded-prefix'];
  if (typeof header !== 'string') return undefined;
  const prefix = header.slice(header.lastIndexOf(',') + 1).trim();
  if (!SAFE_PREFIX.test(prefix) || prefix.split('/').some((segment) => segment === '.' || segment === '..')) return undefined;
  return `${prefix}/`;
}

/**
 * The `dashboard@internal` service: Berth's web UI as static files embedded in the program (no build step,
 * nothing loaded from elsewhere). It expects the `/dashboard` prefix already stripped (`/`, `/app.js`) and
 * fetches the API at absolute `/api/...` on the same origin. GET and HEAD only; unknown paths get Traefik's 404.
 */
export function createDashboardHandler(): Handler {
  const assets = new Map<string, PreparedAsset>();
  for (const asset of DASHBOARD_ASSETS) {
    const prepared = prepare(asset);
    for (const path of asset.paths) assets.set(path, prepared);
  }
  const methodNotAllowed = { ...DASHBOARD_SECURITY_HEADERS, allow: 'GET, HEAD' };

  return (req, res) => {
    const method = req.method;
    if (method !== 'GET' && method !== 'HEAD') return sendStatus(res, 405, 'Method Not Allowed', methodNotAllowed);
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    if (path === '/') {
      const location = trailingSlashLocation(req.headers);
      if (location !== undefined) return sendStatus(res, 302, 'Found', { ...DASHBOARD_SECURITY_HEADERS, location });
    }
    const asset = assets.get(path);
    if (asset === undefined) return sendStatus(res, 404, '404 page not found', DASHBOARD_SECURITY_HEADERS);
    if (matchesIfNoneMatch(req.headers['if-none-match'], asset.etag)) {
      res.writeHead(304, asset.notModifiedHeaders);
      res.end();
      return;
    }
    res.writeHead(200, asset.headers);
    res.end(method === 'HEAD' ? undefined : asset.body);
  };
}

import { fromByteString, hasValidEscapes, toByteString, unescapeBytes } from './go-escape.js';

/**
 * The routing-path pipeline of a Traefik entrypoint, applied to a raw path (`pkg/server/server_entrypoint_tcp.go`
 * `denyFragment` -> `normalizePath` -> `sanitizePath`, then `pkg/muxer/http/mux.go` `withRoutingPath`):
 * 1. Go's `URL.EscapedPath()`: the raw path when it is validly encoded, else Go's re-encoding of the decoded path;
 * 2. normalizePath: escapes of unreserved characters decoded, other escapes upper-cased (RFC 3986 6.2.2);
 * 3. sanitizePath (`URL.JoinPath()`, on by default): `path.Clean` on the escaped path, trailing slash kept;
 * 4. withRoutingPath: every escape decoded except the reserved characters below, read as UTF-8.
 */
export function routingPathOf(path: string, sanitize: boolean): string | undefined {
  // Most paths are plain: nothing to decode and, when sanitising, nothing to clean.
  if (path !== '' && PLAIN.test(path) && !(sanitize && UNCLEAN.test(path))) return path;
  const escaped = escapedPathOf(path, sanitize);
  return escaped === undefined ? undefined : fromByteString(unescapeBytes(escaped, RESERVED));
}

/**
 * Steps 1-3 only: the escaped path Traefik forwards to the backend (normalised and, when `sanitize`, cleaned).
 * Undefined when the path is refused with 400.
 */
export function escapedPathOf(path: string, sanitize: boolean): string | undefined {
  // An absolute-form target without a path (`http://host`): JoinPath makes it `/`.
  if (path === '') return sanitize ? '/' : '';
  if (PLAIN.test(path) && !(sanitize && UNCLEAN.test(path))) return path;
  // A raw `#` reaches Go's path (request URIs have no fragment); Traefik refuses it with 400.
  if (path.includes('#') || !hasValidEscapes(path)) return undefined;
  const escaped = isValidEncoded(path) ? normalizeEscapes(path) : escapePath(unescapeBytes(toByteString(path)));
  return sanitize ? joinPath(escaped) : escaped;
}

/** RFC 3986 2.2 reserved characters, plus `%` itself: decoding them would change what the path means. */
const RESERVED: ReadonlySet<string> = new Set(
  ['3A', '2F', '3F', '23', '5B', '5D', '40', '21', '24', '26', '27', '28', '29', '2A', '2B', '2C', '3B', '3D', '25'].map((hex) => `%${hex}`),
);

const PLAIN = /^[\w\-.~!$&'()*+,;=:@/]*$/;
const UNCLEAN = /\/\/|\/\.\.?(?:\/|$)/;
// What Go's validEncoded accepts raw in a path: unreserved, sub-delims, ':', '@', '/', '[', ']' and escapes.
const VALID_ENCODED = /^[\w\-.~!$&'()*+,;=:@/[\]%]*$/;
// What Go's escape(s, encodePath) leaves alone; everything else is percent-encoded.
const PATH_SAFE = /[\w\-.~$&+,/:;=@]/;
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

function isValidEncoded(path: string): boolean {
  return VALID_ENCODED.test(path);
}

/** Traefik's normalizePath on a validly encoded path. */
function normalizeEscapes(path: string): string {
  return path.replace(/%[0-9a-fA-F]{2}/g, (escape) => {
    const char = String.fromCharCode(Number.parseInt(escape.slice(1), 16));
    return UNRESERVED.test(char) ? char : escape.toUpperCase();
  });
}

/** Go's escape(bytes, encodePath) over a byte string. */
function escapePath(bytes: string): string {
  let out = '';
  for (const char of bytes) {
    out += PATH_SAFE.test(char) ? char : `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * Go's `URL.JoinPath()` with no elements: `path.Clean` of the escaped path (so `%2F` never splits a segment),
 * a trailing slash preserved; a relative path (`*`) stays relative.
 */
function joinPath(escaped: string): string {
  const rooted = escaped.startsWith('/');
  const segments: string[] = [];
  for (const segment of escaped.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  let cleaned = (rooted ? '/' : '') + segments.join('/');
  if (escaped.endsWith('/') && !cleaned.endsWith('/')) cleaned += '/';
  return cleaned;
}

/**
 * The request path as Go's net/url models it, computed from Node's raw request-target. Traefik's path
 * middlewares match the decoded path (`URL.Path`) but keep the client's encoding (`URL.RawPath`), so that
 * `/a%2Fb` reaches the backend as sent; these helpers give both views of `req.url`.
 */

/** A request-target split into its path (still percent-encoded) and its query (with the `?`, or ''). */
export interface Target {
  readonly rawPath: string;
  readonly query: string;
}

/** Splits `req.url`. An absolute-form target (`http://host/p`) keeps only its path, as Go's RequestURI does. */
export function splitTarget(url: string): Target {
  let start = 0;
  if (!url.startsWith('/')) {
    const scheme = url.indexOf('://');
    if (scheme !== -1) {
      const slash = url.indexOf('/', scheme + 3);
      const question = url.indexOf('?', scheme + 3);
      start = slash === -1 || (question !== -1 && question < slash) ? (question === -1 ? url.length : question) : slash;
    }
  }
  const question = url.indexOf('?', start);
  if (question === -1) return { rawPath: url.slice(start), query: '' };
  return { rawPath: url.slice(start, question), query: url.slice(question) };
}

/** Go's url.PathUnescape: `%XX` decoded (bytes, read as UTF-8), `+` kept. Undefined for a bad escape. */
export function decodePath(raw: string): string | undefined {
  if (!raw.includes('%')) return raw;
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    if (code === 0x25) {
      const hex = raw.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (code < 0x80) {
      bytes.push(code);
    } else {
      bytes.push(...Buffer.from(raw[i] as string, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** How many characters of `raw` encode the first `decodedBytes` bytes of its decoded form. */
export function encodedPrefixLength(raw: string, decodedBytes: number): number {
  let decoded = 0;
  let i = 0;
  while (i < raw.length && decoded < decodedBytes) {
    if (raw[i] === '%' && i + 2 < raw.length) {
      i += 3;
      decoded++;
    } else {
      decoded += Buffer.byteLength(raw[i] as string);
      i++;
    }
  }
  return i;
}

/** Prepends `/` to a non-empty path that lacks it. */
export function ensureLeadingSlash(path: string): string {
  return path === '' || path.startsWith('/') ? path : `/${path}`;
}

/**
 * True when cleaning the path (Go's URL.JoinPath: `.` and `..` resolved, `//` collapsed, one trailing slash
 * kept) leaves its decoded form unchanged. Traefik answers 400 otherwise after stripping or rewriting a path,
 * because `/api./x` stripped of `/api` would become `/./x` and reach a different resource on the backend.
 */
export function isCleanPath(rawPath: string, decoded: string): boolean {
  if (rawPath === '') return true;
  let cleaned = cleanPath(rawPath);
  if (rawPath.endsWith('/') && !cleaned.endsWith('/')) cleaned += '/';
  return decodePath(cleaned) === decoded;
}

/** Go's path.Clean. */
export function cleanPath(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(segment);
  }
  const joined = (rooted ? '/' : '') + out.join('/');
  return joined === '' ? '.' : joined;
}

const UNRESERVED = /[A-Za-z0-9\-_.~]/;
const PATH_SAFE = new Set(['$', '&', '+', ',', '/', ':', ';', '=', '@']);
const SUB_DELIMS = new Set(['!', '$', '&', "'", '(', ')', '*', '+', ',', ';', '=', ':', '@', '[', ']', '%']);

/** Go's url.PathEscape in path mode (what EscapedPath produces for a path that has no valid raw form). */
export function escapePath(path: string): string {
  let out = '';
  for (const byte of Buffer.from(path, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (byte < 0x80 && (UNRESERVED.test(ch) || PATH_SAFE.has(ch))) out += ch;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * Go's URL.EscapedPath: `raw` when it is a valid encoding of `decoded` (so the client's or the configuration's
 * own escaping is kept), otherwise the default escaping of `decoded`.
 */
export function escapedPath(raw: string, decoded: string): string {
  for (const ch of raw) {
    if (!(UNRESERVED.test(ch) || SUB_DELIMS.has(ch) || ch === '/')) return escapePath(decoded);
  }
  return decodePath(raw) === decoded ? raw : escapePath(decoded);
}

/** Go's url.QueryEscape (spaces as `+`), used for the `{url}` placeholder of the errors middleware. */
export function queryEscape(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (byte === 0x20) out += '+';
    else if (byte < 0x80 && UNRESERVED.test(ch)) out += ch;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

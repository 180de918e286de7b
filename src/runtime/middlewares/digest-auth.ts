import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { ErrorCodes } from '../../errors/codes.js';
import { loadUserLines } from './htpasswd.js';
import { MiddlewareBuildError, type MiddlewareFactory } from './middleware.js';
import { headerValue } from './request-headers.js';
import { decodePath, splitTarget } from './url-path.js';

/** go-http-auth keeps about this many nonces per middleware and drops the oldest 200 beyond 1100. */
const NONCE_CACHE_SIZE = 1000;
const NONCE_CACHE_TOLERANCE = 100;

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');
const randomKey = (): string => randomBytes(12).toString('base64');

/**
 * digestAuth: HTTP Digest authentication (RFC 2617, MD5 with qop=auth) against htdigest entries
 * (`user:realm:md5(user:realm:password)`), as go-http-auth does for Traefik: nonces are issued with each 401
 * and remembered, nonce counts must increase (a replay is refused; an out-of-order count gets a fresh
 * challenge with stale="true" so the browser retries without prompting).
 */
export const digestAuth: MiddlewareFactory<'digestAuth'> = (options) => {
  const secrets = new Map<string, string>();
  for (const { line, key } of loadUserLines(options.users, options.usersFile)) {
    const parts = line.split(':');
    if (parts.length !== 3) throw new MiddlewareBuildError(ErrorCodes.INVALID_VALUE, `${key}: expected "name:realm:hash" (an htdigest line)`);
    secrets.set(`${parts[0]}:${parts[1]}`, parts[2] as string);
  }
  const realm = options.realm === '' ? 'traefik' : options.realm;
  const headerField = options.headerField ? options.headerField.toLowerCase() : undefined;
  const removeHeader = options.removeHeader;

  return (next) => {
    // Nonces and the opaque value belong to one instance, as in Traefik (one authenticator per router).
    const opaque = randomKey();
    const nonces = new Map<string, { nc: bigint; lastSeen: number }>();

    const challenge = (res: ServerResponse, stale: boolean): void => {
      if (nonces.size > NONCE_CACHE_SIZE + NONCE_CACHE_TOLERANCE) {
        const oldest = [...nonces.entries()].sort((a, b) => a[1].lastSeen - b[1].lastSeen).slice(0, NONCE_CACHE_TOLERANCE * 2);
        for (const [nonce] of oldest) nonces.delete(nonce);
      }
      const nonce = randomKey();
      nonces.set(nonce, { nc: 0n, lastSeen: Date.now() });
      res.writeHead(401, {
        'content-type': 'text/plain',
        'www-authenticate': `Digest realm="${realm}", nonce="${nonce}", opaque="${opaque}", ${stale ? 'stale="true", ' : ''}algorithm="MD5", qop="auth"`,
      });
      res.end('401 Unauthorized\n');
    };

    return (req, res, ctx) => {
      const auth = parseDigest(headerValue(req, 'authorization'));
      if (auth === undefined) return challenge(res, false);
      const get = (name: string): string => auth.get(name) ?? '';
      if (get('opaque') !== opaque || (auth.get('algorithm') ?? 'MD5') !== 'MD5' || get('qop') !== 'auth') return challenge(res, false);
      const uri = get('uri');
      if (uri !== req.url) {
        // go-http-auth accepts a uri whose path is a prefix of the request path.
        const claimed = decodePath(splitTarget(uri).rawPath);
        const actual = decodePath(splitTarget(req.url ?? '/').rawPath) ?? '';
        if (claimed === undefined || claimed.length > actual.length || !actual.startsWith(claimed)) return challenge(res, false);
      }
      const ha1 = secrets.get(`${get('username')}:${realm}`) ?? '';
      const ha2 = md5(`${req.method ?? 'GET'}:${uri}`);
      const expected = Buffer.from(md5([ha1, get('nonce'), get('nc'), get('cnonce'), get('qop'), ha2].join(':')));
      const response = Buffer.from(get('response'));
      if (expected.length !== response.length || !timingSafeEqual(expected, response) || ha1 === '') return challenge(res, false);
      if (!/^[0-9a-fA-F]{1,16}$/.test(get('nc'))) return challenge(res, false);
      const nc = BigInt(`0x${get('nc')}`);
      const client = nonces.get(get('nonce'));
      if (client === undefined) return challenge(res, false);
      if (client.nc !== 0n && nc === client.nc) return challenge(res, false);
      if (client.nc !== 0n && nc < client.nc) return challenge(res, true);
      client.nc = nc;
      client.lastSeen = Date.now();
      if (headerField !== undefined) req.headers[headerField] = get('username');
      if (removeHeader) delete req.headers['authorization'];
      next(req, res, ctx);
    };
  };
};

/** The parameters of `Digest k=v, k="quoted, value"` (go-http-auth's DigestAuthParams); undefined otherwise. */
export function parseDigest(header: string | undefined): Map<string, string> | undefined {
  if (header === undefined) return undefined;
  const space = header.indexOf(' ');
  if (space === -1 || header.slice(0, space) !== 'Digest') return undefined;
  const pairs = new Map<string, string>();
  let current = '';
  let quoted = false;
  let escaped = false;
  const flush = (): void => {
    const item = current.trim();
    current = '';
    if (item === '') return;
    const eq = item.indexOf('=');
    if (eq === -1) return void pairs.set(item, '');
    let value = item.slice(eq + 1);
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    pairs.set(item.slice(0, eq), value);
  };
  for (const ch of header.slice(space + 1)) {
    if (escaped) {
      current += ch;
      escaped = false;
    } else if (quoted) {
      if (ch === '\\') escaped = true;
      else {
        if (ch === '"') quoted = false;
        current += ch;
      }
    } else if (ch === ',') flush();
    else {
      if (ch === '"') quoted = true;
      current += ch;
    }
  }
  flush();
  return pairs;
}

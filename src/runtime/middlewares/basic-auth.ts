import type { ServerResponse } from 'node:http';
import { ErrorCodes } from '../../errors/codes.js';
import { VerifiedCredentials } from './auth-cache.js';
import { compileSecret, loadUserLines, type SecretCheck } from './htpasswd.js';
import { MiddlewareBuildError, type MiddlewareFactory } from './middleware.js';
import { headerValue } from './request-headers.js';

/**
 * basicAuth: HTTP Basic authentication (RFC 7617) against htpasswd entries. A failure answers 401 with
 * `WWW-Authenticate: Basic realm="..."` and go-http-auth's body; success optionally names the user in
 * `headerField` and removes the Authorization header before the request goes on.
 */
export const basicAuth: MiddlewareFactory<'basicAuth'> = (options, build) => {
  const users = new Map<string, SecretCheck>();
  let firstSecret: SecretCheck | undefined;
  for (const { line, key } of loadUserLines(options.users, options.usersFile)) {
    const parts = line.split(':');
    if (parts.length !== 2) {
      throw new MiddlewareBuildError(ErrorCodes.INVALID_VALUE, `${key}: expected "name:hash" (an htpasswd line; in a compose file write each $ as $$)`);
    }
    const check = compileSecret(parts[1] as string);
    firstSecret ??= check;
    users.set(parts[0] as string, check);
  }
  // Unknown users are checked against a real hash so that response time does not reveal which names exist.
  const decoy = firstSecret as SecretCheck;
  const realm = options.realm === '' ? 'traefik' : options.realm;
  const challenge = `Basic realm="${realm}"`;
  const headerField = options.headerField ? options.headerField.toLowerCase() : undefined;
  const removeHeader = options.removeHeader;
  const verified = new VerifiedCredentials();

  const deny = (res: ServerResponse): void => {
    if (res.headersSent) return;
    res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': challenge });
    res.end('401 Unauthorized\n');
  };

  return (next) => (req, res, ctx) => {
    const credentials = parseBasic(headerValue(req, 'authorization'));
    if (credentials === undefined) return deny(res);
    const secret = users.get(credentials.user);
    const password = Buffer.from(credentials.password, 'utf8');
    verified.check(credentials.user, password, async () => (await (secret ?? decoy)(password)) && secret !== undefined).then((ok) => {
      // The client may have gone away during a slow hash check.
      if (res.destroyed || res.writableEnded) return;
      if (!ok) return deny(res);
      if (headerField !== undefined) req.headers[headerField] = credentials.user;
      if (removeHeader) delete req.headers['authorization'];
      next(req, res, ctx);
    }, (err: unknown) => {
      build.logger.error({ err }, 'checking credentials failed');
      deny(res);
    });
  };
};

/** Go's Request.BasicAuth: `Basic ` (any case), strict base64, user and password split at the first colon. */
export function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  if (header === undefined || header.length < 6 || header.slice(0, 6).toLowerCase() !== 'basic ') return undefined;
  const encoded = header.slice(6);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendStatus } from '../handler.js';
import type { MiddlewareFactory } from './middleware.js';
import { addRequestHeader } from './request-headers.js';
import { decodePath, encodedPrefixLength, ensureLeadingSlash, isCleanPath, splitTarget, type Target } from './url-path.js';

/**
 * stripPrefix: removes the first configured prefix the decoded path starts with (plain string prefix, so
 * `/stat` also strips `/status` to `/us`, as in Traefik) and passes it on in X-Forwarded-Prefix. The client's
 * percent-encoding of the rest of the path is kept.
 */
export const stripPrefix: MiddlewareFactory<'stripPrefix'> = (options) => {
  const prefixes = options.prefixes.map((prefix) => prefix.trim());
  return (next) => (req, res, ctx) => {
    const target = splitTarget(req.url ?? '/');
    const path = decodePath(target.rawPath);
    if (path === undefined) return sendStatus(res, 400, 'Bad Request');
    const prefix = prefixes.find((candidate) => path.startsWith(candidate));
    if (prefix !== undefined && !stripPath(req, res, target, path, prefix)) return;
    next(req, res, ctx);
  };
};

/**
 * Removes `prefix` (a prefix of the decoded `path`) from `req.url` and records it in X-Forwarded-Prefix.
 * When what is left is not a clean path (`/api./x` stripped of `/api` is `/./x`) it answers 400, as Traefik
 * does, and returns false: the backend would otherwise resolve the dots to a resource outside the prefix.
 */
export function stripPath(req: IncomingMessage, res: ServerResponse, target: Target, path: string, prefix: string): boolean {
  const rawPath = ensureLeadingSlash(target.rawPath.slice(encodedPrefixLength(target.rawPath, Buffer.byteLength(prefix))));
  if (!isCleanPath(rawPath, ensureLeadingSlash(path.slice(prefix.length)))) {
    sendStatus(res, 400, 'Bad Request');
    return false;
  }
  addRequestHeader(req, 'x-forwarded-prefix', prefix);
  req.url = (rawPath === '' ? '/' : rawPath) + target.query;
  return true;
}

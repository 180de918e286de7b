import { sendStatus } from '../handler.js';
import type { MiddlewareFactory } from './middleware.js';
import { decodePath, ensureLeadingSlash, escapedPath, splitTarget } from './url-path.js';

/** addPrefix: prepends `prefix` to the path, keeping the client's encoding of the rest (Traefik's RawPath). */
export const addPrefix: MiddlewareFactory<'addPrefix'> = (options) => {
  const prefix = options.prefix;
  return (next) => (req, res, ctx) => {
    const target = splitTarget(req.url ?? '/');
    const path = decodePath(target.rawPath);
    if (path === undefined) return sendStatus(res, 400, 'Bad Request');
    req.url = escapedPath(ensureLeadingSlash(prefix + target.rawPath), ensureLeadingSlash(prefix + path)) + target.query;
    next(req, res, ctx);
  };
};

import { ErrorCodes } from '../../errors/codes.js';
import { MiddlewareBuildError, type MiddlewareFactory } from './middleware.js';
import { addRequestHeader } from './request-headers.js';
import { decodePath, escapedPath, splitTarget } from './url-path.js';

/**
 * replacePath: replaces the whole path (the query is kept) and passes the original, as the client encoded it,
 * in X-Replaced-Path. `path` may itself be percent-encoded (`/foo%2Fbar` stays one segment).
 */
export const replacePath: MiddlewareFactory<'replacePath'> = (options) => {
  const decoded = decodePath(options.path);
  // Traefik answers 500 on every request for a path that does not decode; a build error says it once, earlier.
  if (decoded === undefined) {
    throw new MiddlewareBuildError(ErrorCodes.INVALID_VALUE, `path: "${options.path}" has an invalid percent-escape; write a literal "%" as "%25"`);
  }
  const rawPath = escapedPath(options.path, decoded) || '/';
  return (next) => (req, res, ctx) => {
    const target = splitTarget(req.url ?? '/');
    addRequestHeader(req, 'x-replaced-path', target.rawPath);
    req.url = rawPath + target.query;
    next(req, res, ctx);
  };
};

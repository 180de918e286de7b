import { sendStatus } from '../handler.js';
import type { MiddlewareFactory } from './middleware.js';
import { compileRegexOption } from './options.js';
import { addRequestHeader } from './request-headers.js';
import { decodePath, escapedPath, isCleanPath, splitTarget } from './url-path.js';

/**
 * replacePathRegex: when `regex` matches the path as the client encoded it, every match is replaced by
 * `replacement` (`$1`, `${name}`); the original goes to X-Replaced-Path. A result that is not a clean path
 * (`/foo../bar` rewritten to `/../bar`) is answered with 400, as in Traefik.
 */
export const replacePathRegex: MiddlewareFactory<'replacePathRegex'> = (options) => {
  const regex = compileRegexOption('regex', options.regex.trim());
  const replacement = options.replacement.trim();
  return (next) => (req, res, ctx) => {
    const target = splitTarget(req.url ?? '/');
    if (!regex.test(target.rawPath)) return next(req, res, ctx);
    const rawPath = regex.replaceAll(target.rawPath, replacement);
    const path = decodePath(rawPath);
    if (path === undefined) return sendStatus(res, 500, `invalid URL escape in "${rawPath}"`);
    if (!isCleanPath(rawPath, path)) return sendStatus(res, 400, 'Bad Request');
    addRequestHeader(req, 'x-replaced-path', target.rawPath);
    req.url = (escapedPath(rawPath, path) || '/') + target.query;
    next(req, res, ctx);
  };
};

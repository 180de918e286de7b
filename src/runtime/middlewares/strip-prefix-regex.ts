import { sendStatus } from '../handler.js';
import type { MiddlewareFactory } from './middleware.js';
import { compileRegexOption } from './options.js';
import { stripPath } from './strip-prefix.js';
import { decodePath, splitTarget } from './url-path.js';

/**
 * stripPrefixRegex: the first regex whose match is a prefix of the decoded path removes that match, which is
 * passed on in X-Forwarded-Prefix. A match elsewhere in the path is ignored (Traefik checks HasPrefix).
 */
export const stripPrefixRegex: MiddlewareFactory<'stripPrefixRegex'> = (options) => {
  const expressions = options.regex.map((pattern, i) => compileRegexOption(`regex[${i}]`, pattern.trim()));
  return (next) => (req, res, ctx) => {
    const target = splitTarget(req.url ?? '/');
    const path = decodePath(target.rawPath);
    if (path === undefined) return sendStatus(res, 400, 'Bad Request');
    for (const expression of expressions) {
      const prefix = expression.exec(path)?.[0];
      if (prefix === undefined || prefix === null || prefix === '' || !path.startsWith(prefix)) continue;
      if (!stripPath(req, res, target, path, prefix)) return;
      break;
    }
    next(req, res, ctx);
  };
};

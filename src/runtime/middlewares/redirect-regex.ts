import type { MiddlewareFactory } from './middleware.js';
import { compileRegexOption } from './options.js';
import { sendRedirect, requestUrlParts } from './redirect.js';
import { requestHost } from './request-headers.js';

/**
 * redirectRegex: matches `regex` against the full request URL (`http://host:port/path?query`, scheme from the
 * connection) and redirects to `replacement` with its `${1}` groups expanded. A replacement that gives back
 * the same URL lets the request through instead of looping.
 */
export const redirectRegex: MiddlewareFactory<'redirectRegex'> = (options) => {
  const regex = compileRegexOption('regex', options.regex);
  const replacement = options.replacement;
  const permanent = options.permanent;
  return (next) => (req, res, ctx) => {
    const parts = requestUrlParts(req, requestHost(req), ctx.tls);
    const url = `${parts.scheme}://${parts.host}${parts.port}${parts.uri}`;
    if (!regex.test(url)) return next(req, res, ctx);
    const location = regex.replaceAll(url, replacement);
    if (location === url) return next(req, res, ctx);
    sendRedirect(req, res, location, permanent);
  };
};

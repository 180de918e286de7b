import { sendStatus } from '../handler.js';
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
    // Traefik answers 502 when the rewritten URL does not parse (Go's url.Parse).
    if (!isParsableUrl(location)) return sendStatus(res, 502, 'Bad Gateway');
    sendRedirect(req, res, location, permanent);
  };
};

/** What Go's url.Parse rejects: bad percent-escapes, a `%` in the host, or an absolute URL that does not parse. */
function isParsableUrl(location: string): boolean {
  if (/%(?![0-9a-fA-F]{2})/.test(location)) return false;
  const absolute = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)/.exec(location);
  if (absolute === null) return true;
  if ((absolute[1] ?? '').includes('%')) return false;
  try {
    new URL(location);
    return true;
  } catch {
    return false;
  }
}

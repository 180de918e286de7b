import type { MiddlewareFactory } from './middleware.js';
import { sendRedirect, requestUrlParts } from './redirect.js';
import { requestHost, requestScheme } from './request-headers.js';

const DEFAULT_PORT: Readonly<Record<string, string>> = { http: ':80', https: ':443' };

/**
 * redirectScheme: redirects to `scheme` (and `port`; the scheme's default port is left out), keeping host,
 * path and query. The current scheme comes from TLS or a trusted X-Forwarded-Proto, so a request that already
 * uses the target scheme and port goes through. As in Traefik, without `port` the original port is dropped.
 */
export const redirectScheme: MiddlewareFactory<'redirectScheme'> = (options) => {
  const scheme = options.scheme;
  const port = options.port === undefined || options.port === '' || DEFAULT_PORT[scheme] === `:${options.port}` ? '' : `:${options.port}`;
  const permanent = options.permanent;
  return (next) => (req, res, ctx) => {
    const parts = requestUrlParts(req, requestHost(req), ctx.tls);
    const current = requestScheme(req, ctx);
    // The absolute-form scheme is replaced by the connection's and a trusted X-Forwarded-Proto, as in Traefik.
    const currentPort = parts.port === DEFAULT_PORT[current] ? '' : parts.port;
    const url = `${current}://${parts.host}${currentPort}${parts.uri}`;
    const location = `${scheme}://${parts.host}${port}${parts.uri}`;
    if (location === url) return next(req, res, ctx);
    sendRedirect(req, res, location, permanent);
  };
};

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCodes } from '../../errors/codes.js';
import { sendStatus } from '../handler.js';
import { createSecureHeaders, hasSecureOptions } from './headers-secure.js';
import { MiddlewareBuildError, type MiddlewareFactory } from './middleware.js';
import { compileRegexOption } from './options.js';
import { headerValue } from './request-headers.js';
import { tapResponse } from './response-tap.js';

/**
 * headers: custom request and response headers (an empty value removes the header), CORS (a preflight is
 * answered here and never reaches the backend) and security headers. Layering follows Traefik: custom
 * headers and CORS wrap the security layer, so on the response the custom headers are applied last.
 */
export const headers: MiddlewareFactory<'headers'> = (options) => {
  const requestHeaders = Object.entries(options.customRequestHeaders ?? {}).map(([name, value]) => [name.toLowerCase(), value] as const);
  const responseHeaders = Object.entries(options.customResponseHeaders ?? {});
  const allowOrigins = options.accessControlAllowOriginList ?? [];
  const originRegexes = (options.accessControlAllowOriginListRegex ?? []).map((p, i) => compileRegexOption(`accessControlAllowOriginListRegex[${i}]`, p));
  const allowHeaders = options.accessControlAllowHeaders ?? [];
  const allowMethods = options.accessControlAllowMethods ?? [];
  const exposeHeaders = options.accessControlExposeHeaders ?? [];
  const credentials = options.accessControlAllowCredentials;
  const hasCors = credentials || allowHeaders.length > 0 || allowMethods.length > 0 || allowOrigins.length > 0
    || originRegexes.length > 0 || exposeHeaders.length > 0 || options.accessControlMaxAge !== undefined || options.addVaryHeader;
  const hasSecure = hasSecureOptions(options);
  if (!hasCors && !hasSecure && requestHeaders.length === 0 && responseHeaders.length === 0) {
    throw new MiddlewareBuildError(ErrorCodes.MISSING_VALUE, 'no option is set: set custom request/response headers, CORS options or security options (Traefik rejects an empty headers middleware too)');
  }
  const secure = hasSecure ? createSecureHeaders(options) : undefined;

  // "*" with credentials cannot be sent as is (the Fetch standard forbids it), so the request's value is echoed.
  const exposeValue = exposeHeaders.length > 0 && !(exposeHeaders.includes('*') && credentials) ? exposeHeaders.join(',') : undefined;
  const allowHeadersValue = allowHeaders.join(',');
  const echoRequestHeaders = allowHeaders.includes('*') && credentials;
  const allowMethodsValue = allowMethods.join(',');
  const echoRequestMethod = allowMethods.includes('*') && credentials;
  const maxAge = options.accessControlMaxAge === undefined ? undefined : String(options.accessControlMaxAge);

  const matchOrigin = (origin: string): string | undefined => {
    for (const item of allowOrigins) {
      if (item === origin) return item;
      if (item === '*') return credentials ? origin : item;
    }
    return originRegexes.some((regex) => regex.test(origin)) ? origin : undefined;
  };

  const answerPreflight = (req: IncomingMessage, res: ServerResponse, method: string, origin: string): void => {
    if (credentials) res.setHeader('Access-Control-Allow-Credentials', 'true');
    const requested = headerValue(req, 'access-control-request-headers');
    if (echoRequestHeaders) {
      if (requested) res.setHeader('Access-Control-Allow-Headers', requested);
    } else if (allowHeadersValue !== '') res.setHeader('Access-Control-Allow-Headers', allowHeadersValue);
    if (echoRequestMethod) res.setHeader('Access-Control-Allow-Methods', method);
    else if (allowMethodsValue !== '') res.setHeader('Access-Control-Allow-Methods', allowMethodsValue);
    const allowed = matchOrigin(origin);
    if (allowed !== undefined) res.setHeader('Access-Control-Allow-Origin', allowed);
    if (maxAge !== undefined) res.setHeader('Access-Control-Max-Age', maxAge);
    if (exposeValue !== undefined) res.setHeader('Access-Control-Expose-Headers', exposeValue);
    res.setHeader('Content-Length', '0');
    res.writeHead(200);
    res.end();
  };

  const modifyResponse = (req: IncomingMessage, res: ServerResponse, secureHeaders: ReadonlyArray<readonly [string, string]>): void => {
    for (const [name, value] of secureHeaders) res.setHeader(name, value);
    for (const [name, value] of responseHeaders) {
      if (value === '') res.removeHeader(name);
      else res.setHeader(name, value);
    }
    if (!hasCors) return;
    const origin = headerValue(req, 'origin');
    const allowed = origin === undefined ? undefined : matchOrigin(origin);
    if (allowed !== undefined) res.setHeader('Access-Control-Allow-Origin', allowed);
    if (credentials) res.setHeader('Access-Control-Allow-Credentials', 'true');
    if (exposeValue !== undefined) res.setHeader('Access-Control-Expose-Headers', exposeValue);
    if (!options.addVaryHeader) return;
    const vary = res.getHeader('vary');
    const current = Array.isArray(vary) ? vary[0] ?? '' : vary === undefined ? '' : String(vary);
    if (current !== 'Origin') res.setHeader('Vary', current === '' ? 'Origin' : `${current},Origin`);
  };

  return (next) => (req, res, ctx) => {
    if (hasCors && req.method === 'OPTIONS') {
      const method = headerValue(req, 'access-control-request-method');
      const origin = headerValue(req, 'origin');
      // A CORS preflight (Fetch standard): answered here, the backend never sees it.
      if (method && origin) return answerPreflight(req, res, method, origin);
    }
    for (const [name, value] of requestHeaders) {
      if (value === '') delete req.headers[name];
      else req.headers[name] = value;
    }
    if (secure !== undefined && !secure.hostAllowed(req)) {
      // unrolled/secure's default bad-host answer, which Traefik keeps.
      return sendStatus(res, 500, 'Bad Host');
    }
    const secureHeaders = secure === undefined ? [] : secure.responseHeaders(req, ctx);
    if (secureHeaders.length > 0 || responseHeaders.length > 0 || hasCors) {
      tapResponse(res, () => {
        modifyResponse(req, res, secureHeaders);
        return undefined;
      });
    }
    next(req, res, ctx);
  };
};

import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { resolveReference, providerOf } from '../../config/dynamic/qualify.js';
import { ErrorCodes } from '../../errors/codes.js';
import { MiddlewareBuildError, type MiddlewareFactory } from './middleware.js';
import { requestHost } from './request-headers.js';
import { snapshotHeaders, tapResponse } from './response-tap.js';
import { parseRange, StatusRanges } from './status-ranges.js';
import { syntheticRequest } from './synthetic-request.js';
import { decodePath, escapedPath, queryEscape, splitTarget } from './url-path.js';

/**
 * errors: when the response status is in `status`, the response is dropped before anything reaches the client
 * and the page at `query` of `service` is served instead, with the original status (or its `statusRewrites`
 * value). The page request is a GET with the client's Host and headers (`errorRequestHeaders` to restrict).
 */
export const errors: MiddlewareFactory<'errors'> = (options, build) => {
  const ranges = new StatusRanges(options.status, 'status');
  const rewrites = Object.entries(options.statusRewrites ?? {}).map(([from, to]) => {
    const code = /^\d{3}$/.test(to.trim()) ? Number(to) : NaN;
    if (Number.isNaN(code)) throw new MiddlewareBuildError(ErrorCodes.INVALID_VALUE, `statusRewrites.${from}: "${to}" is not a status code`);
    return { range: parseRange(from, `statusRewrites.${from}`), code };
  });
  const serviceName = resolveReference(options.service, providerOf(build.name));
  const service = build.services(serviceName);
  if (service === undefined) {
    throw new MiddlewareBuildError(ErrorCodes.SERVICE_NOT_FOUND, `service: the service "${serviceName}" does not exist`);
  }
  const query = `/${(options.query ?? '').replace(/^\//, '')}`;
  const forwardedHeaders = options.errorRequestHeaders?.map((name) => name.toLowerCase());

  const pageRequest = (req: IncomingMessage, original: number, code: number, scheme: string): IncomingMessage => {
    const host = requestHost(req);
    const target = splitTarget(req.url ?? '/');
    const url = query
      .replaceAll('{status}', String(code))
      .replaceAll('{originalStatus}', String(original))
      .replaceAll('{url}', queryEscape(`${scheme}://${host}${target.rawPath}${target.query}`));
    const page = splitTarget(url);
    const headers: IncomingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (name.startsWith(':') || name === 'content-length' || name === 'transfer-encoding') continue;
      if (name === 'host' || forwardedHeaders === undefined || forwardedHeaders.includes(name)) headers[name] = value;
    }
    headers.host = host;
    return syntheticRequest(req, { method: 'GET', url: escapedPath(page.rawPath, decodePath(page.rawPath) ?? page.rawPath) + page.query, headers });
  };

  return (next) => (req, res, ctx) => {
    const restoreHeaders = snapshotHeaders(res);
    const tap = tapResponse(res, (status) => {
      if (!ranges.contains(status)) return undefined;
      // Caught: the original body is dropped; once it has ended, the error page is served in its place.
      return {
        write: () => true,
        end: () => {
          tap.restore();
          restoreHeaders();
          const code = rewrites.find((rewrite) => status >= rewrite.range[0] && status <= rewrite.range[1])?.code ?? status;
          build.logger.debug({ status, code }, 'serving an error page');
          tapResponse(res, () => {
            res.statusCode = code;
            return undefined;
          });
          service(pageRequest(req, status, code, ctx.tls ? 'https' : 'http'), res, ctx);
        },
      };
    });
    next(req, res, ctx);
  };
};

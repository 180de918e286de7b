import type { ServerResponse } from 'node:http';
import { ErrorCodes } from '../../errors/codes.js';
import type { Handler } from '../handler.js';
import { goStatusText } from './go-status.js';
import { IpChecker } from './ip.js';
import { createIpStrategy, type IpStrategy } from './ip-strategy.js';
import { MiddlewareBuildError, type MiddlewareConstructor, type MiddlewareFactory } from './middleware.js';

/** ipAllowList: only clients whose IP (per ipStrategy) is in `sourceRange` pass; others get `rejectStatusCode`. */
export const ipAllowList: MiddlewareFactory<'ipAllowList'> = (options) => {
  const status = options.rejectStatusCode;
  if (goStatusText(status) === '') {
    throw new MiddlewareBuildError(ErrorCodes.INVALID_VALUE, `rejectStatusCode: ${status} is not a known HTTP status code`);
  }
  return allowList(new IpChecker(options.sourceRange, 'sourceRange'), createIpStrategy(options.ipStrategy, 'ipStrategy'), status);
};

/** ipWhiteList: Traefik's deprecated name for ipAllowList; always answers 403. */
export const ipWhiteList: MiddlewareFactory<'ipWhiteList'> = (options, build) => {
  build.warn(ErrorCodes.INVALID_VALUE, 'ipWhiteList is deprecated in Traefik v3; rename it to ipAllowList');
  return allowList(new IpChecker(options.sourceRange, 'sourceRange'), createIpStrategy(options.ipStrategy, 'ipStrategy'), 403);
};

function allowList(checker: IpChecker, strategy: IpStrategy, status: number): MiddlewareConstructor {
  const body = goStatusText(status);
  const reject = (res: ServerResponse): void => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  return (next): Handler => (req, res, ctx) => {
    const ip = strategy(req, ctx);
    if (checker.contains(ip) !== true) return reject(res);
    next(req, res, ctx);
  };
}

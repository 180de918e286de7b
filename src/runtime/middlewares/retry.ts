import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCodes } from '../../errors/codes.js';
import { noteRetry } from '../../observability/retries.js';
import type { Handler } from '../handler.js';
import type { RequestContext } from '../request-context.js';
import { MiddlewareBuildError, type MiddlewareFactory } from './middleware.js';
import { snapshotHeaders, tapResponse } from './response-tap.js';
import { StatusRanges } from './status-ranges.js';
import { readBody, syntheticRequest } from './synthetic-request.js';
import { watchUpstream } from './upstream-attempt.js';

/** cenkalti/backoff's default randomization (Traefik's library): each wait is 50% to 150% of the interval. */
const RANDOMIZATION = 0.5;

/**
 * retry: sends the request again, up to `attempts` times in all, when the backend could not be reached (before
 * the request was sent) or answered with one of `status`, as long as nothing was sent to the client yet. The
 * body is kept in memory (up to maxRequestBodyBytes; a longer body disables retries) so that every attempt
 * sends it whole. POST, PATCH and LOCK are retried on status only with retryNonIdempotentMethod.
 */
export const retry: MiddlewareFactory<'retry'> = (options, build) => {
  const status = new StatusRanges(options.status ?? [], 'status');
  if (status.size === 0 && options.disableRetryOnNetworkError) {
    throw new MiddlewareBuildError(ErrorCodes.CONFLICTING_KEYS, 'disableRetryOnNetworkError needs "status": with neither, nothing would ever be retried');
  }
  const attempts = options.attempts;
  const networkRetry = !options.disableRetryOnNetworkError;
  const initial = options.initialInterval;
  // The interval grows so that the last wait is twice the first (Traefik's multiplier).
  const multiplier = attempts > 1 ? 2 ** (1 / (attempts - 1)) : 1;

  return (next) => {
    if (attempts === 1) return next;
    return (req, res, ctx) => {
      // A WebSocket is hijacked by the service and cannot be replayed.
      if (ctx.upgrade !== undefined) return next(req, res, ctx);
      const idempotent = req.method !== 'POST' && req.method !== 'PATCH' && req.method !== 'LOCK';
      const statusRetry = options.retryNonIdempotentMethod || idempotent ? status : undefined;
      bufferBody(req, options.maxRequestBodyBytes).then((body) => {
        if (Buffer.isBuffer(body)) return run(req, res, ctx, next, body, statusRetry);
        build.logger.debug('request body over maxRequestBodyBytes: not retried');
        next(body, res, ctx);
      }, () => res.destroy());
    };
  };

  function run(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, next: Handler, body: Buffer, statusRetry: StatusRanges | undefined): void {
    const start = performance.now();
    let interval = initial;
    const attempt = (n: number): void => {
      if (res.destroyed || res.writableEnded) return;
      // Each attempt gets the request as it arrived here: middlewares below may have changed the previous one.
      const request = syntheticRequest(req, { headers: { ...req.headers }, body });
      if (n === attempts) return next(request, res, ctx);
      const upstream = watchUpstream(request);
      const restoreHeaders = snapshotHeaders(res);
      const tap = tapResponse(res, (code) => {
        const timedOut = options.timeout > 0 && performance.now() - start >= options.timeout;
        if (timedOut) return undefined;
        const failedBeforeSending = networkRetry && upstream.reached && !upstream.sent;
        if (!failedBeforeSending && !(statusRetry?.contains(code) ?? false)) return undefined;
        return {
          write: () => true,
          end: () => {
            tap.restore();
            restoreHeaders();
            const wait = initial > 0 ? interval * (1 - RANDOMIZATION + Math.random() * 2 * RANDOMIZATION) : 0;
            interval *= multiplier;
            build.logger.debug({ attempt: n + 1, wait, status: code }, 'retrying');
            noteRetry(ctx);
            if (wait > 0) setTimeout(() => attempt(n + 1), wait);
            else setImmediate(() => attempt(n + 1));
          },
        };
      });
      next(request, res, ctx);
    };
    attempt(1);
  }
};

/**
 * The whole body, or, when it is longer than `limit` (negative: no limit), the request to send once instead:
 * what was read followed by the rest, so that the single attempt still gets all of it.
 */
async function bufferBody(req: IncomingMessage, limit: number): Promise<Buffer | IncomingMessage> {
  const length = req.headers['content-length'];
  if ((length === undefined || length === '0') && req.headers['transfer-encoding'] === undefined) return Buffer.alloc(0);
  if (limit >= 0 && length !== undefined && Number(length) > limit) return req;
  const read = await readBody(req, limit);
  if (read.ok) return read.body;
  if (read.reason === 'error') throw new Error('reading the request body failed');
  return syntheticRequest(req, { body: read.read, rest: true });
}

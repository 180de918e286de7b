import { ErrorCodes } from '../../errors/codes.js';
import { formatGoDuration } from './go-duration.js';
import { MiddlewareBuildError, type MiddlewareFactory } from './middleware.js';
import { createSourceExtractor } from './source-criterion.js';
import { TokenBuckets } from './token-buckets.js';

/**
 * rateLimit: a token bucket of `average` requests per `period` and `burst`, per source. A request that would
 * wait up to half a token interval (at most 500 ms for rates under 1/s) is delayed and then served, which
 * smooths bursts; one that would wait longer gets 429 with Retry-After (seconds) and X-Retry-In (Go duration).
 */
export const rateLimit: MiddlewareFactory<'rateLimit'> = (options, build) => {
  if (options.redis !== undefined) {
    throw new MiddlewareBuildError(ErrorCodes.NOT_SUPPORTED, 'redis: a Redis-backed rate limit is not supported by Berth; remove "redis" to count in memory (per Berth instance)');
  }
  const source = createSourceExtractor(options.sourceCriterion, 'ip');
  // average 0 means no limit (Traefik's rate.Inf).
  if (options.average === 0) return (next) => next;
  const burst = Math.max(options.burst, 1);
  const rate = (options.average * 1000) / options.period;
  const maxDelayMs = rate < 1 ? 500 : 1000 / (Math.floor(rate) * 2);
  // Buckets of slow limits live longer: they are expected to see a request only every 1/rate seconds.
  const ttlSeconds = rate >= 1 ? 2 : 1 + Math.floor(1 / rate);

  return (next) => {
    const buckets = new TokenBuckets(rate, burst, ttlSeconds, build.signal);
    return (req, res, ctx) => {
      const delay = buckets.reserve(source(req, ctx), Date.now(), maxDelayMs);
      if (delay > maxDelayMs) {
        const body = 'Too Many Requests';
        res.writeHead(429, {
          'retry-after': String(Math.ceil(delay / 1000)),
          'x-retry-in': formatGoDuration(Math.round(delay * 1e6)),
          'content-type': 'text/plain; charset=utf-8',
          'content-length': body.length,
        });
        res.end(body);
        return;
      }
      if (delay <= 0) return next(req, res, ctx);
      setTimeout(() => {
        // The client may have left while it waited.
        if (!res.destroyed && !res.writableEnded) next(req, res, ctx);
      }, delay);
    };
  };
};

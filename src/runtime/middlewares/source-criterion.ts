import type { IncomingMessage } from 'node:http';
import type { RateLimitOptions } from '../../config/dynamic/middlewares/rate-limit.js';
import type { DeepReadonly } from '../../util/deep-freeze.js';
import type { RequestContext } from '../request-context.js';
import { createIpStrategy } from './ip-strategy.js';
import { headerValue, requestHost } from './request-headers.js';

/** The decoded `sourceCriterion` section shared by rateLimit and inFlightReq. */
export type SourceCriterionOptions = DeepReadonly<NonNullable<RateLimitOptions['sourceCriterion']>>;

/** What a rate or concurrency limit counts per: a client IP, a header value or the Host. */
export type SourceExtractor = (req: IncomingMessage, ctx: RequestContext) => string;

/**
 * Traefik's source criterion (pkg/middlewares/extractor.go): `ipStrategy`, `requestHeaderName` (its value,
 * '' when absent, so all such requests share one bucket) or `requestHost` (Host with its port). Exactly one
 * may be set (the schema checks); `fallback` is used when none is.
 */
export function createSourceExtractor(options: SourceCriterionOptions | undefined, fallback: 'ip' | 'host'): SourceExtractor {
  if (options?.ipStrategy !== undefined) return createIpStrategy(options.ipStrategy, 'sourceCriterion.ipStrategy');
  if (options?.requestHeaderName !== undefined) {
    const name = options.requestHeaderName.toLowerCase();
    return (req) => headerValue(req, name) ?? '';
  }
  if (options?.requestHost === true || fallback === 'host') return (req) => requestHost(req);
  return createIpStrategy(undefined, 'sourceCriterion.ipStrategy');
}

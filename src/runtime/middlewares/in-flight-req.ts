import type { MiddlewareFactory } from './middleware.js';
import { createSourceExtractor } from './source-criterion.js';

/**
 * inFlightReq: at most `amount` requests per source at the same time (oxy's connlimit, as Traefik uses it);
 * more get 429. The source is the request Host unless `sourceCriterion` says otherwise. A request counts
 * until its response is finished or its connection closes.
 */
export const inFlightReq: MiddlewareFactory<'inFlightReq'> = (options) => {
  const source = createSourceExtractor(options.sourceCriterion, 'host');
  const amount = options.amount;
  const body = `max connections reached: ${amount}`;
  return (next) => {
    const inFlight = new Map<string, number>();
    return (req, res, ctx) => {
      const key = source(req, ctx);
      const current = inFlight.get(key) ?? 0;
      if (current >= amount) {
        res.writeHead(429, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
        res.end(body);
        return;
      }
      inFlight.set(key, current + 1);
      res.once('close', () => {
        const left = (inFlight.get(key) ?? 1) - 1;
        if (left <= 0) inFlight.delete(key);
        else inFlight.set(key, left);
      });
      next(req, res, ctx);
    };
  };
};

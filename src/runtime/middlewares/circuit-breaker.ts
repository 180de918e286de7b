import type { ServerResponse } from 'node:http';
import { parseBreakerExpression } from './circuit-breaker-expression.js';
import { RoundTripMetrics } from './circuit-breaker-metrics.js';
import { goStatusText } from './go-status.js';
import type { MiddlewareFactory } from './middleware.js';

type State = 'standby' | 'tripped' | 'recovering';

/**
 * circuitBreaker: watches the responses of what it wraps and, when `expression` holds (checked at most every
 * checkPeriod), answers `responseCode` itself for fallbackDuration ("tripped"), then lets a growing share of
 * requests through for recoveryDuration ("recovering") before closing again, as oxy's cbreaker does.
 */
export const circuitBreaker: MiddlewareFactory<'circuitBreaker'> = (options) => {
  const condition = parseBreakerExpression(options.expression);
  const { checkPeriod, fallbackDuration, recoveryDuration, responseCode } = options;
  const body = goStatusText(responseCode);

  const fallback = (res: ServerResponse): void => {
    res.writeHead(responseCode, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  return (next) => {
    // One breaker per chain position, as Traefik builds one per router.
    const metrics = new RoundTripMetrics();
    let state: State = 'standby';
    let until = 0;
    let lastCheck = 0;
    let recoveryStart = 0;
    let allowed = 0;
    let denied = 0;

    /** During recovery, lets requests through so that the allowed share grows linearly to 50%, then all. */
    const allowDuringRecovery = (now: number): boolean => {
      const target = (0.5 / recoveryDuration) * (now - recoveryStart);
      if ((allowed + 1) / (allowed + 1 + denied) < target) {
        allowed++;
        return true;
      }
      denied++;
      return false;
    };

    const useFallback = (now: number): boolean => {
      if (state === 'standby') return false;
      if (state === 'tripped') {
        if (now < until) return true;
        state = 'recovering';
        until = now + recoveryDuration;
        recoveryStart = now;
        allowed = 0;
        denied = 0;
      }
      if (now > until) {
        state = 'standby';
        return false;
      }
      return !allowDuringRecovery(now);
    };

    const checkAndSet = (now: number): void => {
      if (now <= lastCheck) return;
      lastCheck = now + checkPeriod;
      if (state === 'tripped' || !condition(metrics.at(now))) return;
      state = 'tripped';
      until = now + fallbackDuration;
      metrics.reset();
    };

    return (req, res, ctx) => {
      const start = Date.now();
      if (useFallback(start)) return fallback(res);
      let recorded = false;
      // Recorded when the response is handed to the socket, or when the connection closes before that.
      const record = (): void => {
        if (recorded) return;
        recorded = true;
        const now = Date.now();
        metrics.record(now, res.statusCode, now - start);
        checkAndSet(now);
      };
      res.once('finish', record);
      res.once('close', record);
      next(req, res, ctx);
    };
  };
};

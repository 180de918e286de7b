import { duration, int, obj, str, withDefault, type Infer } from '../../schema/index.js';

/** circuitBreaker: opens on `expression` (NetworkErrorRatio(), ResponseCodeRatio(...), LatencyAtQuantileMS(...)). */
export const circuitBreakerSchema = obj({
  expression: str({ nonEmpty: true }),
  checkPeriod: withDefault(duration({ min: 1 }), 100),
  fallbackDuration: withDefault(duration({ min: 0 }), 10_000),
  recoveryDuration: withDefault(duration({ min: 0 }), 10_000),
  responseCode: withDefault(int({ min: 100, max: 599 }), 503),
});
export type CircuitBreakerOptions = Infer<typeof circuitBreakerSchema>;

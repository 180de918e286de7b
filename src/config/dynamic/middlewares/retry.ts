import { bool, duration, int, list, obj, optional, str, withDefault, type Infer } from '../../schema/index.js';

/** retry: re-sends a request that failed before any response was written. */
export const retrySchema = obj({
  attempts: int({ min: 1 }),
  initialInterval: withDefault(duration({ min: 0 }), 0),
  timeout: withDefault(duration({ min: 0 }), 0),
  maxRequestBodyBytes: withDefault(int({ min: -1 }), 2_097_152),
  status: optional(list(str({ nonEmpty: true }))),
  disableRetryOnNetworkError: withDefault(bool(), false),
  retryNonIdempotentMethod: withDefault(bool(), false),
});
export type RetryOptions = Infer<typeof retrySchema>;

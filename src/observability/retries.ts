/**
 * How many times a request was sent again by a retry middleware, for the access log's RetryAttempts and
 * `traefik_service_retries_total`. Keyed by the request's RequestContext (one per request), so the retry
 * middleware reports without knowing whether anything observes, and nothing is kept once the request is gone.
 */
const attempts = new WeakMap<object, number>();

/** The retry middleware is about to send the request again. */
export function noteRetry(requestContext: object): void {
  attempts.set(requestContext, (attempts.get(requestContext) ?? 0) + 1);
}

/** Retries so far for this request (0 when it was never retried). */
export function retriesOf(requestContext: object): number {
  return attempts.get(requestContext) ?? 0;
}

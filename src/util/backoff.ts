/** Exponential backoff with full jitter, as used for provider reconnects and failed ACME orders. */
export interface BackoffOptions {
  /** First delay in milliseconds. */
  readonly initialMs: number;
  /** Upper bound for any delay in milliseconds. */
  readonly maxMs: number;
  /** Growth factor per attempt (default 2). */
  readonly factor?: number;
  /** Fraction of the delay that is randomised, 0..1 (default 0.2). Zero makes delays deterministic. */
  readonly jitter?: number;
}

/** Delay before retry number `attempt` (0-based). */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const factor = options.factor ?? 2;
  const jitter = options.jitter ?? 0.2;
  const base = Math.min(options.maxMs, options.initialMs * factor ** Math.max(0, attempt));
  const spread = base * jitter;
  return Math.max(0, Math.round(base - spread + random() * 2 * spread));
}

/** Forwards values no more often than a throttle allows; see createThrottle. */
export interface Throttle<T> {
  push(value: T): void;
  /** Drops a pending value and stops the timer. */
  close(): void;
}

/**
 * Traefik's per-provider throttle (`pkg/provider/aggregator`, reference §9): a one-slot, latest-wins buffer
 * in front of a forwarder that, after forwarding one value, sleeps `delayMs` before it forwards the next.
 * A value arriving while the forwarder is idle goes through at once; values arriving during the sleep
 * overwrite each other, and the last one is forwarded when the sleep ends. With `delayMs` 0 (internal and
 * certificate-resolver providers, or `providersThrottleDuration: 0`) every value passes straight through.
 */
export function createThrottle<T>(delayMs: number, forward: (value: T) => void): Throttle<T> {
  if (delayMs <= 0) return { push: forward, close: () => undefined };
  let sleeping: NodeJS.Timeout | undefined;
  let slot: { value: T } | undefined;
  let closed = false;

  const send = (value: T): void => {
    sleeping = setTimeout(wake, delayMs);
    forward(value);
  };
  function wake(): void {
    sleeping = undefined;
    if (slot === undefined) return;
    const { value } = slot;
    slot = undefined;
    send(value);
  }

  return {
    push(value) {
      if (closed) return;
      if (sleeping === undefined) send(value);
      else slot = { value };
    },
    close() {
      closed = true;
      slot = undefined;
      clearTimeout(sleeping);
      sleeping = undefined;
    },
  };
}

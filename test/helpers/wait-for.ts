/**
 * Polls `condition` until it returns a truthy value (or resolves to one) and returns it; fails after
 * `timeoutMs` with `message`. Tests wait with this, never with a bare sleep.
 */
export async function waitFor<T>(condition: () => T | Promise<T>, timeoutMs = 5000, message = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

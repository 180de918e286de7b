export type Undici = typeof import('undici');

let loaded: Undici | undefined;
let loading: Promise<Undici> | undefined;

/**
 * undici, loaded on first need. Berth forwards HTTP/1.1 with its own engine (http1), so undici serves only h2c
 * servers, forwardAuth and active health checks: a process that uses none of them never loads it, which keeps
 * about 15 MB out of every worker's memory (bench/PROFILE.md).
 */
export function loadUndici(): Promise<Undici> {
  loading ??= import('undici').then((module) => {
    loaded = module;
    return module;
  });
  return loading;
}

/** undici if it is loaded already (synchronous callers that were made to wait for `loadUndici` first). */
export function undiciIfLoaded(): Undici | undefined {
  return loaded;
}

import type { MiddlewareFactory } from './middleware.js';

/** chain: a reusable, named list of middlewares; expanded in place (members are qualified by the merge). */
export const chain: MiddlewareFactory<'chain'> = (options, build) => build.expand(options.middlewares);

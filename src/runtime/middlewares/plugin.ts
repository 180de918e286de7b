import { notSupported, type MiddlewareFactory } from './middleware.js';

/** plugin: Traefik's Yaegi/WASM plugins are Go code loaded at run time; Berth cannot run them. */
export const plugin: MiddlewareFactory<'plugin'> = (options) => {
  const names = Object.keys(options).map((name) => `"${name}"`).join(', ');
  notSupported(`Traefik plugins (Yaegi/WASM) are not supported by Berth (plugin ${names || 'without a name'}); remove the middleware, or replace it with a built-in middleware or a forwardAuth service that does the same job`);
};

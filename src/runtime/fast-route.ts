import type { IncomingHttpHeaders } from 'node:http';
import type { Handler } from './handler.js';
import type { RequestContext } from './request-context.js';
import type { ForwardTarget } from './services/forward-target.js';
import type { ForwardObserver } from './services/forwarder.js';
import type { ClientSink } from './services/http1/client-sink.js';
import type { PickContext } from './services/load-balancers/index.js';

/**
 * A request as the entrypoint's HTTP/1.1 fast path parsed it: HTTP/1.1 without a body or an upgrade, whose
 * Connection header names no other header, and with every header name once (so that `headers` is exactly what
 * node:http would have made of `rawHeaders`).
 */
export interface FastRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: string[];
}

/**
 * A loadBalancer service that an entrypoint's HTTP/1.1 fast path may use directly (src/entrypoints/fast-path/):
 * no sticky cookie, no service middlewares, HTTP/1.1 servers only. Whatever else a service does needs node:http's
 * request and response objects, so such services are never offered.
 */
export interface FastService {
  readonly name: string;
  /** A server for one request, or undefined when none is UP (the service answers 503). */
  pick(ctx: PickContext): { readonly target: ForwardTarget; readonly observer: ForwardObserver } | undefined;
  /** Forwards to the picked server through the http1 engine (its X-Forwarded-* policy), answering into `sink`. */
  forward(request: FastRequest, sink: ClientSink, ctx: RequestContext, target: ForwardTarget, observer: ForwardObserver): void;
}

/** A router whose whole work is its service: no middleware (the entrypoint's included), no anti-loop check. */
export interface FastRoute {
  readonly routerName: string;
  readonly service: FastService;
}

// Keyed by the compiled handler, so a generation's fast forms live and die with its handlers.
const services = new WeakMap<Handler, FastService>();
const routes = new WeakMap<Handler, FastRoute>();

/** Declares that `handler` (a service's) can be served by the fast path as `service`. */
export function offerFastService(handler: Handler, service: FastService): void {
  services.set(handler, service);
}

export function fastServiceOf(handler: Handler): FastService | undefined {
  return services.get(handler);
}

/** Declares that `handler` (a router's muxer payload) can be served by the fast path as `route`. */
export function offerFastRoute(handler: Handler, route: FastRoute): void {
  routes.set(handler, route);
}

export function fastRouteOf(handler: Handler): FastRoute | undefined {
  return routes.get(handler);
}

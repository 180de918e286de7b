import { offerFastService } from '../fast-route.js';
import { sendStatus, type Handler } from '../handler.js';
import type { BuiltService, ServiceHealth } from './built-service.js';
import type { ForwardTarget } from './forward-target.js';
import type { Forwarder, ForwardObserver } from './forwarder.js';
import { Http1Forwarder } from './http1-forwarder.js';
import type { Balancer, BalancerCandidate } from './load-balancers/index.js';
import type { ServerState } from './server-state.js';
import { pickCandidate, type StickyCookie } from './sticky.js';

/** A server of a loadBalancer service, as its balancer sees it. */
export interface ServerCandidate extends BalancerCandidate {
  readonly state: ServerState;
  readonly target: ForwardTarget;
  readonly observer: ForwardObserver;
}

/** Traefik's body for a service without an UP server (http.Error adds the newline). */
export const NO_AVAILABLE_SERVER = 'no available server';

/**
 * The handler of a loadBalancer service: the server pinned by the sticky cookie if it is UP, else the
 * balancer's pick (re-pinned), else 503 `no available server`; then the forwarder does the rest.
 */
export function loadBalancerService(
  name: string,
  candidates: readonly ServerCandidate[],
  balancer: Balancer<ServerCandidate>,
  sticky: StickyCookie<ServerCandidate> | undefined,
  forwarder: Forwarder,
  reportsHealth: boolean,
): BuiltService {
  const handler: Handler = (req, res, ctx) => {
    ctx.serviceName = name;
    const server = pickCandidate(req, res, ctx, balancer, sticky);
    if (server === undefined) return sendStatus(res, 503, NO_AVAILABLE_SERVER);
    forwarder.forward(req, res, ctx, server.target, server.observer);
  };
  // Traefik propagates a loadBalancer's health to parents only when it has a health check; with no server at
  // all it is DOWN.
  const health: ServiceHealth | undefined = reportsHealth ? { get up() { return candidates.some((c) => c.state.up); } } : undefined;
  // The entrypoint fast path speaks HTTP/1.1 through the http1 engine's exchange and knows no cookies.
  if (sticky === undefined && forwarder instanceof Http1Forwarder && candidates.every((c) => !c.target.pool.h2c)) {
    offerFastService(handler, {
      name,
      pick: (ctx) => balancer.pick(ctx),
      forward: (request, sink, ctx, target, observer) => forwarder.forwardFast(request, sink, ctx, target, observer),
    });
  }
  return { handler, health };
}

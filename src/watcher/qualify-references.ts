import type {
  HttpRouterConfig,
  HttpServiceConfig,
  MiddlewareConfig,
  TcpRouterConfig,
  TcpServiceConfig,
  UdpRouterConfig,
  UdpServiceConfig,
} from '../config/dynamic/model.js';
import type { ElementSection } from '../errors/config-issue.js';

/** Qualifies one reference written inside a provider's configuration (`web` -> `web@file`, `x@docker` kept). */
export type Qualify = (reference: string) => string;

/** TLS options and store names: `default` is shared by every provider and never qualified (Traefik). */
export function qualifyTlsName(name: string, qualify: Qualify): string {
  return name === 'default' ? name : qualify(name);
}

function router(element: HttpRouterConfig | TcpRouterConfig, qualify: Qualify): void {
  if (element.service !== undefined) element.service = qualify(element.service);
  if (element.middlewares !== undefined) element.middlewares = element.middlewares.map(qualify);
  if (element.tls?.options !== undefined) element.tls.options = qualifyTlsName(element.tls.options, qualify);
}

function weighted(services: Array<{ name: string }>, qualify: Qualify): void {
  for (const child of services) child.name = qualify(child.name);
}

function httpService(element: HttpServiceConfig, qualify: Qualify): void {
  // Service-level middlewares (Traefik 3.7) stand beside the kind.
  if (element.middlewares !== undefined) element.middlewares = element.middlewares.map(qualify);
  if ('loadBalancer' in element && element.loadBalancer.serversTransport !== undefined) {
    element.loadBalancer.serversTransport = qualify(element.loadBalancer.serversTransport);
  }
  if ('weighted' in element) weighted(element.weighted.services, qualify);
  if ('highestRandomWeight' in element) weighted(element.highestRandomWeight.services, qualify);
  if ('mirroring' in element) {
    element.mirroring.service = qualify(element.mirroring.service);
    weighted(element.mirroring.mirrors, qualify);
  }
  if ('failover' in element) {
    element.failover.service = qualify(element.failover.service);
    element.failover.fallback = qualify(element.failover.fallback);
  }
}

function middleware(element: MiddlewareConfig, qualify: Qualify): void {
  if ('chain' in element) element.chain.middlewares = element.chain.middlewares.map(qualify);
  if ('errors' in element) element.errors.service = qualify(element.errors.service);
}

function tcpService(element: TcpServiceConfig | UdpServiceConfig, qualify: Qualify): void {
  if ('weighted' in element) weighted(element.weighted.services, qualify);
  if ('loadBalancer' in element && 'serversTransport' in element.loadBalancer && element.loadBalancer.serversTransport !== undefined) {
    element.loadBalancer.serversTransport = qualify(element.loadBalancer.serversTransport);
  }
}

function udpRouter(element: UdpRouterConfig, qualify: Qualify): void {
  if (element.service !== undefined) element.service = qualify(element.service);
}

const none = (): void => undefined;

/**
 * For each section, rewrites in place (on a copy) every reference an element holds to another element, so
 * that after the merge every name is `name@provider`. Traefik resolves these lazily from the referencing
 * element's provider (`provider.GetQualifiedName`); doing it once here gives the same result and lets the
 * runtime look names up directly.
 */
export const qualifyReferences: { readonly [S in ElementSection]: (element: never, qualify: Qualify) => void } = {
  'http.routers': router,
  'http.services': httpService,
  'http.middlewares': middleware,
  'http.serversTransports': none,
  'tcp.routers': router,
  'tcp.services': tcpService,
  'tcp.middlewares': none,
  'tcp.serversTransports': none,
  'udp.routers': udpRouter,
  'udp.services': tcpService,
};

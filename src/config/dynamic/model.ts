import { elementName, map, obj, optional, type Infer } from '../schema/index.js';
import { httpRouterSchema } from './http-router.js';
import { httpServiceSchema } from './http-service.js';
import { middlewareSchema } from './middlewares/index.js';
import { httpServersTransportSchema, tcpServersTransportSchema } from './servers-transport.js';
import { tcpMiddlewareSchema, tcpRouterSchema, tcpServiceSchema, udpRouterSchema, udpServiceSchema } from './tcp-udp.js';
import { tlsSchema } from './tls.js';

const elements = <T>(schema: Parameters<typeof map<T>>[0], section: Parameters<typeof map>[1] & object) =>
  optional(map(schema, { ...section, checkKey: elementName }));

/**
 * Traefik v3's dynamic configuration, as one provider publishes it. Element names here are as the provider
 * wrote them; the watcher qualifies them as `name@provider` when it merges providers (see snapshot.ts).
 */
export const dynamicConfigSchema = obj({
  http: optional(obj({
    routers: elements(httpRouterSchema, { element: 'http.routers' }),
    services: elements(httpServiceSchema, { element: 'http.services' }),
    middlewares: elements(middlewareSchema, { element: 'http.middlewares' }),
    serversTransports: elements(httpServersTransportSchema, { element: 'http.serversTransports' }),
  })),
  tcp: optional(obj({
    routers: elements(tcpRouterSchema, { element: 'tcp.routers' }),
    services: elements(tcpServiceSchema, { element: 'tcp.services' }),
    middlewares: elements(tcpMiddlewareSchema, { element: 'tcp.middlewares' }),
    serversTransports: elements(tcpServersTransportSchema, { element: 'tcp.serversTransports' }),
  })),
  udp: optional(obj({
    routers: elements(udpRouterSchema, { element: 'udp.routers' }),
    services: elements(udpServiceSchema, { element: 'udp.services' }),
  })),
  tls: optional(tlsSchema),
});
export type DynamicConfig = Infer<typeof dynamicConfigSchema>;

export type { HttpRouterConfig, RouterTls, Domain } from './http-router.js';
export type { HttpServiceConfig, LoadBalancerConfig, ServerConfig, HealthCheckConfig, StickyConfig } from './http-service.js';
export type { MiddlewareConfig, MiddlewareKind, MiddlewareOptions } from './middlewares/index.js';
export type { HttpServersTransportConfig, TcpServersTransportConfig, ForwardingTimeouts } from './servers-transport.js';
export type { TcpRouterConfig, TcpServiceConfig, TcpMiddlewareConfig, UdpRouterConfig, UdpServiceConfig } from './tcp-udp.js';
export type { TlsConfig, TlsCertificateConfig, TlsOptionsConfig, TlsStoreConfig } from './tls.js';

import { bool, duration, int, list, obj, oneOfKeys, optional, str, withDefault, type Infer } from '../schema/index.js';
import { domainSchema } from './http-router.js';

export const tcpRouterSchema = obj({
  rule: optional(str({ nonEmpty: true })),
  ruleSyntax: optional(str(), { deprecated: 'only the v3 rule syntax is supported' }),
  entryPoints: optional(list(str({ nonEmpty: true }))),
  middlewares: optional(list(str({ nonEmpty: true }))),
  service: optional(str({ nonEmpty: true })),
  priority: optional(int()),
  tls: optional(obj({
    passthrough: withDefault(bool(), false),
    options: optional(str({ nonEmpty: true })),
    certResolver: optional(str({ nonEmpty: true })),
    domains: optional(list(domainSchema)),
  }, { allowEmpty: true })),
});
export type TcpRouterConfig = Infer<typeof tcpRouterSchema>;

const weightedRefs = obj({ services: list(obj({ name: str({ nonEmpty: true }), weight: optional(int({ min: 0 })) })) });

/** A TCP load balancer (exported for the Docker label variant, which replaces `servers` with one `server`). */
export const tcpLoadBalancerSchema = obj({
  servers: withDefault(list(obj({ address: str({ nonEmpty: true }), tls: optional(bool()) })), []),
  serversTransport: optional(str({ nonEmpty: true })),
  proxyProtocol: optional(obj({ version: withDefault(int({ min: 1, max: 2 }), 2) }, { allowEmpty: true }), { deprecated: 'use a TCP serversTransport with proxyProtocol' }),
  terminationDelay: optional(duration(), { deprecated: 'use a TCP serversTransport with terminationDelay' }),
  healthCheck: optional(obj({
    port: optional(int({ min: 1, max: 65535 })),
    send: optional(str()),
    expect: optional(str()),
    interval: withDefault(duration({ min: 1 }), 30_000),
    unhealthyInterval: optional(duration({ min: 1 })),
    timeout: withDefault(duration({ min: 1 }), 5_000),
  }, { allowEmpty: true })),
});

export const tcpServiceSchema = oneOfKeys('TCP service', {
  loadBalancer: tcpLoadBalancerSchema,
  weighted: weightedRefs,
});
export type TcpServiceConfig = Infer<typeof tcpServiceSchema>;

export const tcpMiddlewareSchema = oneOfKeys('TCP middleware', {
  inFlightConn: obj({ amount: int({ min: 1 }) }),
  ipAllowList: obj({ sourceRange: list(str({ nonEmpty: true })) }),
  ipWhiteList: obj({ sourceRange: list(str({ nonEmpty: true })) }),
});
export type TcpMiddlewareConfig = Infer<typeof tcpMiddlewareSchema>;

export const udpRouterSchema = obj({
  entryPoints: optional(list(str({ nonEmpty: true }))),
  service: optional(str({ nonEmpty: true })),
});
export type UdpRouterConfig = Infer<typeof udpRouterSchema>;

export const udpServiceSchema = oneOfKeys('UDP service', {
  loadBalancer: obj({ servers: withDefault(list(obj({ address: str({ nonEmpty: true }) })), []) }),
  weighted: weightedRefs,
});
export type UdpServiceConfig = Infer<typeof udpServiceSchema>;

import { bool, duration, int, list, map, obj, oneOf, oneOfKeys, optional, str, withDefault, type Infer } from '../schema/index.js';

export const stickySchema = obj({
  cookie: optional(obj({
    name: optional(str({ nonEmpty: true })),
    secure: withDefault(bool(), false),
    httpOnly: withDefault(bool(), false),
    sameSite: optional(oneOf(['none', 'lax', 'strict', ''])),
    maxAge: withDefault(int(), 0),
    path: withDefault(str(), '/'),
    domain: optional(str()),
  }, { allowEmpty: true })),
}, { allowEmpty: true });
export type StickyConfig = Infer<typeof stickySchema>;

/** Active health check of each server of a load balancer. */
export const healthCheckSchema = obj({
  scheme: optional(str({ nonEmpty: true })),
  mode: withDefault(oneOf(['http', 'grpc']), 'http'),
  path: optional(str()),
  method: withDefault(str({ nonEmpty: true }), 'GET'),
  status: optional(int({ min: 100, max: 599 })),
  port: optional(int({ min: 1, max: 65535 })),
  interval: withDefault(duration({ min: 1 }), 30_000),
  unhealthyInterval: optional(duration({ min: 1 })),
  timeout: withDefault(duration({ min: 1 }), 5_000),
  hostname: optional(str()),
  followRedirects: withDefault(bool(), true),
  headers: optional(map(str())),
});
export type HealthCheckConfig = Infer<typeof healthCheckSchema>;

export const serverSchema = obj({
  url: str({ nonEmpty: true }),
  weight: optional(int({ min: 0 })),
  preservePath: optional(bool()),
});
export type ServerConfig = Infer<typeof serverSchema>;

export const loadBalancerSchema = obj({
  servers: withDefault(list(serverSchema), []),
  strategy: withDefault(oneOf(['wrr', 'p2c', 'hrw', 'leasttime']), 'wrr'),
  sticky: optional(stickySchema),
  healthCheck: optional(healthCheckSchema),
  passiveHealthCheck: optional(obj({
    failureWindow: withDefault(duration({ min: 1 }), 10_000),
    maxFailedAttempts: withDefault(int({ min: 1 }), 1),
  }, { allowEmpty: true })),
  passHostHeader: withDefault(bool(), true),
  responseForwarding: optional(obj({ flushInterval: withDefault(duration(), 100) }, { allowEmpty: true })),
  serversTransport: optional(str({ nonEmpty: true })),
});
export type LoadBalancerConfig = Infer<typeof loadBalancerSchema>;

/** `healthCheck: {}` on a parent service propagates its children's health (Traefik's marker section). */
const parentHealthCheck = obj({}, { allowEmpty: true });

const weightedServiceRef = obj({ name: str({ nonEmpty: true }), weight: optional(int({ min: 0 })) });

export const weightedSchema = obj({
  services: list(weightedServiceRef),
  sticky: optional(stickySchema),
  healthCheck: optional(parentHealthCheck),
});

export const mirroringSchema = obj({
  service: str({ nonEmpty: true }),
  mirrorBody: withDefault(bool(), true),
  maxBodySize: withDefault(int({ min: -1 }), -1),
  mirrors: withDefault(list(obj({ name: str({ nonEmpty: true }), percent: withDefault(int({ min: 0, max: 100 }), 0) })), []),
  healthCheck: optional(parentHealthCheck),
});

export const failoverSchema = obj({
  service: str({ nonEmpty: true }),
  fallback: str({ nonEmpty: true }),
  healthCheck: optional(parentHealthCheck),
  errors: optional(obj({
    status: list(str({ nonEmpty: true })),
    maxRequestBodyBytes: withDefault(int({ min: -1 }), -1),
  })),
});

export const highestRandomWeightSchema = obj({
  services: list(weightedServiceRef),
  healthCheck: optional(parentHealthCheck),
});

/** An HTTP Service: exactly one kind, plus the service-level `middlewares` of Traefik 3.7. */
export const httpServiceSchema = oneOfKeys('service', {
  loadBalancer: loadBalancerSchema,
  weighted: weightedSchema,
  mirroring: mirroringSchema,
  failover: failoverSchema,
  highestRandomWeight: highestRandomWeightSchema,
}, { middlewares: optional(list(str({ nonEmpty: true }))) });
export type HttpServiceConfig = Infer<typeof httpServiceSchema>;

import { httpRouterSchema } from '../dynamic/http-router.js';
import { loadBalancerSchema, serverSchema, type LoadBalancerConfig } from '../dynamic/http-service.js';
import { middlewareSchema } from '../dynamic/middlewares/index.js';
import { tcpLoadBalancerSchema, tcpMiddlewareSchema, tcpRouterSchema, udpRouterSchema } from '../dynamic/tcp-udp.js';
import { tlsStoreSchema, type TlsStoreConfig } from '../dynamic/tls.js';
import type { ElementSection } from '../../errors/config-issue.js';
import {
  always,
  bool,
  elementName,
  int,
  list,
  map,
  obj,
  optional,
  str,
  type Field,
  type Infer,
  type Schema,
} from '../schema/index.js';

/**
 * The label variant of the dynamic model (reference §2.2-2.3). It differs from the file model in three ways:
 * a load balancer has exactly one `server` ("slice-as-struct": `loadbalancer.server.port=80`) whose `port` and
 * `scheme` only exist in labels; only load-balancer services can be written (a service without
 * `loadbalancer.*` gets a default one); and an element may be created with `<element>=true`
 * (`traefik.udp.routers.dns=true`), as Traefik's label parser allows. Option lists come from the file model.
 */

/** `server.port=` (empty) means "detect the port", as in Traefik, so an empty value is treated as absent. */
function blankIsAbsent<T>(schema: Schema<T>): Schema<T> {
  return {
    kind: schema.kind,
    decode: (raw, path, ctx) => (typeof raw === 'string' && raw.trim() === '' ? undefined : schema.decode(raw, path, ctx)),
  };
}

/** An element given as `<name>=true` is created with its defaults. */
function orTrue<T>(schema: Schema<T>): Schema<T> {
  return {
    kind: schema.kind,
    decode: (raw, path, ctx) => schema.decode(typeof raw === 'string' && raw.trim().toLowerCase() === 'true' ? {} : raw, path, ctx),
  };
}

/** The file model's fields of `schema` without `omitted`, to be extended with label-only members. */
function fieldsWithout(schema: { readonly fields: Readonly<Record<string, Field<unknown>>> }, omitted: string): Record<string, Field<unknown>> {
  return Object.fromEntries(Object.entries(schema.fields).filter(([name]) => name !== omitted));
}

const port = optional(blankIsAbsent(int({ min: 1, max: 65535 })));

/** The URL scheme Traefik builds the server URL with (`http`, `https`, `h2c`). */
const scheme = optional(str({
  nonEmpty: true,
  check: (value) => (/^[a-z][a-z0-9+.-]*$/i.test(value) ? undefined : `"${value}" is not a URL scheme (use http, https or h2c)`),
}));

export interface LabelServer {
  readonly port?: number;
  readonly scheme?: string;
  readonly url?: string;
  readonly weight?: number;
  readonly preservePath?: boolean;
}

const serverFields = serverSchema.fields;
const labelServerSchema = obj({
  port,
  scheme,
  url: optional((serverFields['url'] as Field<string>).schema),
  weight: serverFields['weight'] as Field<number, 'optional'>,
  preservePath: serverFields['preservePath'] as Field<boolean, 'optional'>,
}, { allowEmpty: true }) as Schema<LabelServer>;

export type LabelLoadBalancer = Omit<LoadBalancerConfig, 'servers'> & { readonly server?: LabelServer };

const labelLoadBalancerSchema = obj({
  ...fieldsWithout(loadBalancerSchema, 'servers'),
  server: optional(labelServerSchema),
}) as unknown as Schema<LabelLoadBalancer>;

export interface LabelHttpService {
  readonly loadBalancer: LabelLoadBalancer;
  readonly middlewares?: string[];
}

const labelHttpServiceSchema = obj({
  loadBalancer: always(labelLoadBalancerSchema),
  middlewares: optional(list(str({ nonEmpty: true }))),
}) as Schema<LabelHttpService>;

export type TcpLoadBalancerConfig = Infer<typeof tcpLoadBalancerSchema>;
export interface LabelTcpServer {
  readonly port?: number;
  readonly tls?: boolean;
}
export type LabelTcpLoadBalancer = Omit<TcpLoadBalancerConfig, 'servers'> & { readonly server?: LabelTcpServer };
export interface LabelTcpService {
  readonly loadBalancer: LabelTcpLoadBalancer;
}

const labelTcpServiceSchema = obj({
  loadBalancer: always(obj({
    ...fieldsWithout(tcpLoadBalancerSchema, 'servers'),
    server: optional(obj({ port, tls: optional(bool()) }, { allowEmpty: true })),
  }) as unknown as Schema<LabelTcpLoadBalancer>),
}) as Schema<LabelTcpService>;

export interface LabelUdpService {
  readonly loadBalancer: { readonly server?: { readonly port?: number } };
}

const labelUdpServiceSchema = obj({
  loadBalancer: always(obj({ server: optional(obj({ port }, { allowEmpty: true })) })),
}) as Schema<LabelUdpService>;

const elements = <T>(schema: Schema<T>, element: ElementSection) =>
  optional(map(orTrue(schema), { element, checkKey: elementName }));

/** Everything a container's labels can define under one prefix. */
export const labelConfigSchema = obj({
  http: optional(obj({
    routers: elements(httpRouterSchema, 'http.routers'),
    services: elements(labelHttpServiceSchema, 'http.services'),
    middlewares: elements(middlewareSchema, 'http.middlewares'),
  })),
  tcp: optional(obj({
    routers: elements(tcpRouterSchema, 'tcp.routers'),
    services: elements(labelTcpServiceSchema, 'tcp.services'),
    middlewares: elements(tcpMiddlewareSchema, 'tcp.middlewares'),
  })),
  udp: optional(obj({
    routers: elements(udpRouterSchema, 'udp.routers'),
    services: elements(labelUdpServiceSchema, 'udp.services'),
  })),
  // Only the default TLS store can be configured with labels, as in Traefik.
  tls: optional(obj({ stores: optional(obj({ default: optional(tlsStoreSchema as Schema<TlsStoreConfig>) })) })),
});
export type LabelConfig = Infer<typeof labelConfigSchema>;

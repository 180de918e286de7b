import type { DecodedLabels, LabelSection } from '../../config/labels/decode.js';
import { labelWhere } from '../../config/labels/decode.js';
import type { LabelHttpService, LabelServer, LabelTcpService, LabelUdpService } from '../../config/labels/label-schema.js';
import { loadBalancerSchema } from '../../config/dynamic/http-service.js';
import type {
  HttpRouterConfig,
  HttpServiceConfig,
  MiddlewareConfig,
  ServerConfig,
  TcpMiddlewareConfig,
  TcpRouterConfig,
  TcpServiceConfig,
  TlsStoreConfig,
  UdpRouterConfig,
  UdpServiceConfig,
} from '../../config/dynamic/model.js';
import { tcpLoadBalancerSchema } from '../../config/dynamic/tcp-udp.js';
import { INVALID, createContext, type Schema } from '../../config/schema/index.js';
import { ErrorCodes, type ErrorCode } from '../../errors/codes.js';
import type { ConfigIssue, ElementRef } from '../../errors/config-issue.js';
import { joinHostPort, serviceAddress, type AddressContext, type Problem } from './address.js';
import type { ContainerInfo } from './container.js';
import type { RuleTemplate } from './default-rule.js';
import { serviceNameOf } from './names.js';

/** One container's share of the provider's configuration, before containers are merged. */
export interface ContainerConfig {
  readonly http: {
    readonly routers: Record<string, HttpRouterConfig>;
    readonly services: Record<string, HttpServiceConfig>;
    readonly middlewares: Record<string, MiddlewareConfig>;
  };
  readonly tcp: {
    readonly routers: Record<string, TcpRouterConfig>;
    readonly services: Record<string, TcpServiceConfig>;
    readonly middlewares: Record<string, TcpMiddlewareConfig>;
  };
  readonly udp: {
    readonly routers: Record<string, UdpRouterConfig>;
    readonly services: Record<string, UdpServiceConfig>;
  };
  readonly tlsStores: Record<string, TlsStoreConfig>;
}

export interface ContainerInput {
  readonly container: ContainerInfo;
  readonly prefix: string;
  readonly decoded: DecodedLabels;
  /** Running and healthy (or without health check): only then does the container get servers. */
  readonly live: boolean;
}

export interface ContainerBuildEnv {
  readonly defaultRule: RuleTemplate;
  readonly address: AddressContext;
}

/** A section's defaults, taken from the schema so that they live in one place (convention 4). */
function defaultsOf<T>(schema: Schema<T>): T {
  const value = schema.decode({}, [], createContext({ flat: false, where: () => '' }));
  if (value === INVALID || value === undefined) throw new Error(`schema ${schema.kind} has no defaults`);
  return value;
}
// Without `servers`: a label load balancer gets its one server from `server.*` and address detection.
const { servers: _httpServers, ...DEFAULT_LOAD_BALANCER } = defaultsOf(loadBalancerSchema);
const { servers: _tcpServers, ...DEFAULT_TCP_LOAD_BALANCER } = defaultsOf(tcpLoadBalancerSchema);

/**
 * Builds one container's configuration from its decoded labels (reference §2.4): default service and router,
 * default rule, auto-linking, TCP/UDP rules and server addresses. Failures disable the element concerned only.
 */
export function buildContainerConfig(input: ContainerInput, env: ContainerBuildEnv): { config: ContainerConfig; issues: ConfigIssue[] } {
  const builder = new ContainerBuilder(input, env);
  return { config: builder.build(), issues: builder.issues };
}

class ContainerBuilder {
  readonly issues: ConfigIssue[] = [];
  private readonly input: ContainerInput;
  private readonly env: ContainerBuildEnv;
  private readonly container: ContainerInfo;
  private readonly serviceName: string;

  constructor(input: ContainerInput, env: ContainerBuildEnv) {
    this.input = input;
    this.env = env;
    this.container = input.container;
    this.serviceName = serviceNameOf(input.container);
    this.issues.push(...input.decoded.issues);
  }

  build(): ContainerConfig {
    const labels = this.input.decoded.config;
    const declared = this.input.decoded.declared;
    const config: ContainerConfig = {
      http: { routers: {}, services: {}, middlewares: { ...labels.http?.middlewares } },
      tcp: { routers: {}, services: {}, middlewares: { ...labels.tcp?.middlewares } },
      udp: { routers: {}, services: {} },
      tlsStores: labels.tls?.stores?.default === undefined ? {} : { default: labels.tls.stores.default },
    };
    const has = (section: LabelSection): boolean => declared[section].length > 0;

    const tcp = has('tcp.routers') || has('tcp.services');
    if (tcp) this.buildTcp(config);
    const udp = has('udp.routers') || has('udp.services');
    if (udp) this.buildUdp(config);
    // A container that only speaks TCP/UDP gets no default HTTP router or service (Traefik does the same).
    if ((tcp || udp) && !has('http.routers') && !has('http.services') && !has('http.middlewares')) return config;
    this.buildHttp(config);
    return config;
  }

  private buildHttp(config: ContainerConfig): void {
    const declared = this.input.decoded.declared;
    const { names: serviceNames, services } = this.servicesOf<LabelHttpService>('http', this.input.decoded.config.http?.services, () => ({ loadBalancer: structuredClone(DEFAULT_LOAD_BALANCER) }));
    for (const [name, service] of Object.entries(services)) {
      const { server, ...loadBalancer } = service.loadBalancer;
      const servers = this.httpServers(name, server ?? {}, { section: 'http.services', name });
      if (servers === undefined) continue;
      config.http.services[name] = {
        loadBalancer: { ...loadBalancer, servers },
        ...(service.middlewares === undefined ? {} : { middlewares: service.middlewares }),
      };
    }

    const routers: Record<string, HttpRouterConfig> = { ...this.input.decoded.config.http?.routers };
    if (declared['http.routers'].length === 0) {
      if (serviceNames.length > 1) {
        this.report(ErrorCodes.DOCKER_LABEL, 'warning', `container ${this.container.name}`, `no default router is created because the container defines several services (${serviceNames.join(', ')}); add a router label such as ${this.input.prefix}.http.routers.<name>.rule`);
      } else {
        routers[this.serviceName] = {};
      }
    }
    for (const [name, router] of Object.entries(routers)) {
      const element: ElementRef = { section: 'http.routers', name };
      const rule = router.rule ?? this.defaultRule(name, element);
      if (rule === undefined) continue;
      const service = router.service ?? this.autoLink('http', name, serviceNames, element);
      if (service === undefined) continue;
      // Flagged so that compile adds Traefik's anti-loop check (see config/dynamic/http-router.ts).
      config.http.routers[name] = router.rule === undefined ? { ...router, rule, service, defaultRule: true } : { ...router, rule, service };
    }
  }

  private buildTcp(config: ContainerConfig): void {
    const { names: serviceNames, services } = this.servicesOf<LabelTcpService>('tcp', this.input.decoded.config.tcp?.services, () => ({ loadBalancer: structuredClone(DEFAULT_TCP_LOAD_BALANCER) }));
    for (const [name, service] of Object.entries(services)) {
      const { server, ...loadBalancer } = service.loadBalancer;
      const address = this.address(name, 'tcp', server?.port, { section: 'tcp.services', name });
      if (address === undefined) continue;
      const servers = address === null ? [] : [{ address, ...(server?.tls === undefined ? {} : { tls: server.tls }) }];
      config.tcp.services[name] = { loadBalancer: { ...loadBalancer, servers } };
    }
    for (const [name, router] of Object.entries(this.input.decoded.config.tcp?.routers ?? {})) {
      const element: ElementRef = { section: 'tcp.routers', name };
      if (router.rule === undefined) {
        this.report(ErrorCodes.DOCKER_LABEL, 'error', this.elementWhere('tcp.routers', name), `TCP router "${name}" has no rule; set ${this.input.prefix}.tcp.routers.${name}.rule (for example HostSNI(\`*\`))`, element);
        continue;
      }
      const service = router.service ?? this.autoLink('tcp', name, serviceNames, element);
      if (service !== undefined) config.tcp.routers[name] = { ...router, service };
    }
  }

  private buildUdp(config: ContainerConfig): void {
    const { names: serviceNames, services } = this.servicesOf<LabelUdpService>('udp', this.input.decoded.config.udp?.services, () => ({ loadBalancer: {} }));
    for (const [name, service] of Object.entries(services)) {
      const address = this.address(name, 'udp', service.loadBalancer.server?.port, { section: 'udp.services', name });
      if (address === undefined) continue;
      config.udp.services[name] = { loadBalancer: { servers: address === null ? [] : [{ address }] } };
    }
    for (const [name, router] of Object.entries(this.input.decoded.config.udp?.routers ?? {})) {
      const service = router.service ?? this.autoLink('udp', name, serviceNames, { section: 'udp.routers', name });
      if (service !== undefined) config.udp.routers[name] = { ...router, service };
    }
  }

  /**
   * The services of one protocol: those the labels declare, or else one default service named after the
   * container. `names` includes declared services that were dropped for errors, for auto-linking.
   */
  private servicesOf<S>(protocol: 'http' | 'tcp' | 'udp', fromLabels: Record<string, S> | undefined, fallback: () => S): { names: readonly string[]; services: Record<string, S> } {
    const declared = this.input.decoded.declared[`${protocol}.services`];
    if (declared.length > 0) return { names: declared, services: fromLabels ?? {} };
    return { names: [this.serviceName], services: { [this.serviceName]: fallback() } };
  }

  /** The server of an HTTP service; undefined when the service must be dropped. */
  private httpServers(name: string, server: LabelServer, element: ElementRef): ServerConfig[] | undefined {
    const extras = {
      ...(server.weight === undefined ? {} : { weight: server.weight }),
      ...(server.preservePath === undefined ? {} : { preservePath: server.preservePath }),
    };
    if (server.url !== undefined) {
      if (server.port !== undefined || server.scheme !== undefined) {
        const key = this.labelKey(`http.services.${name}.loadbalancer.server.url`);
        this.report(ErrorCodes.CONFLICTING_KEYS, 'error', key === undefined ? `container ${this.container.name}` : labelWhere(key, this.container.name),
          `server.url replaces address detection, so server.port and server.scheme cannot be set with it; remove one or the other`, element);
        return undefined;
      }
      return this.input.live ? [{ url: server.url, ...extras }] : [];
    }
    const address = this.address(name, 'http', server.port, element);
    if (address === undefined) return undefined;
    return address === null ? [] : [{ url: `${server.scheme ?? 'http'}://${address}`, ...extras }];
  }

  /** `host:port` for a service; null when the container gets no server (not live); undefined on failure. */
  private address(service: string, protocol: 'http' | 'tcp' | 'udp', port: number | undefined, element: ElementRef): string | null | undefined {
    if (!this.input.live) return null;
    const hint = `${this.input.prefix}.${protocol}.services.${service}.loadbalancer.server.port`;
    const result = serviceAddress(this.container, port, hint, this.env.address);
    const where = `container ${this.container.name}`;
    for (const warning of result.warnings) this.reportProblem(warning, 'warning', where, element);
    if (!result.ok) {
      this.reportProblem(result.problem, 'error', where, element);
      return undefined;
    }
    return joinHostPort(result.host, result.port);
  }

  private defaultRule(router: string, element: ElementRef): string | undefined {
    const rule = this.env.defaultRule({ Name: this.serviceName, ContainerName: this.container.name, Labels: this.container.labels });
    if (rule.trim() !== '') return rule;
    this.report(ErrorCodes.DOCKER_LABEL, 'error', this.elementWhere('http.routers', router),
      `router "${router}" has no rule and the default rule renders empty for container ${this.container.name}; set ${this.input.prefix}.http.routers.${router}.rule`, element);
    return undefined;
  }

  /** The service a router without `service` gets: the container's only one, as in Traefik. */
  private autoLink(protocol: 'http' | 'tcp' | 'udp', router: string, services: readonly string[], element: ElementRef): string | undefined {
    if (services.length === 1) return services[0];
    this.report(ErrorCodes.DOCKER_LABEL, 'error', this.elementWhere(element.section as LabelSection, router),
      `router "${router}" names no service and cannot be linked automatically because the container defines several (${services.join(', ')}); set ${this.input.prefix}.${protocol}.routers.${router}.service`, element);
    return undefined;
  }

  /** Names an element by the first of its labels, or the container for a default element. */
  private elementWhere(section: LabelSection, name: string): string {
    const key = this.labelKey(`${section}.${name}`);
    return key === undefined ? `container ${this.container.name}` : labelWhere(key, this.container.name);
  }

  /** The label as the user wrote it that is `path` or lies below it (case-insensitive), if any. */
  private labelKey(path: string): string | undefined {
    const wanted = `${this.input.prefix}.${path}`.toLowerCase();
    return Object.keys(this.container.labels).sort().find((key) => {
      const lower = key.toLowerCase();
      return lower === wanted || lower.startsWith(`${wanted}.`);
    });
  }

  private reportProblem(problem: Problem, severity: 'error' | 'warning', where: string, element: ElementRef): void {
    this.report(problem.code, severity, where, problem.message, element);
  }

  private report(code: ErrorCode, severity: 'error' | 'warning', where: string, message: string, element?: ElementRef): void {
    this.issues.push(element === undefined ? { code, severity, where, message } : { code, severity, where, message, element });
  }
}

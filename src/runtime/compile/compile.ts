import type { Snapshot } from '../../config/dynamic/snapshot.js';
import type { HttpServersTransportConfig, MiddlewareConfig } from '../../config/dynamic/model.js';
import { ErrorCodes } from '../../errors/codes.js';
import type { ConfigIssue, ElementSection } from '../../errors/config-issue.js';
import type { Logger } from '../../observability/logger.js';
import type { Observability, ObservedRouter } from '../../observability/request-observer.js';
import type { DeepReadonly } from '../../util/deep-freeze.js';
import type { Handler } from '../handler.js';
import { buildMiddlewareChain, createMiddlewareCatalog } from '../middlewares/chain-builder.js';
import { buildServices, type ServiceRuntime } from '../services/service-builder.js';
import { addIssue, type ElementInfo, type RuntimeStatus } from '../status.js';
import { createElementTable, type ElementTable } from './elements.js';
import { createEntryRouting, type EntryHandlerOptions, type FastRouter } from './entry-handler.js';
import { compileHttpRouters, type PlacedRoute, type RouterEntryPoint } from './http-routers.js';

/** An entrypoint as compile needs it: router defaults plus per-request options. */
export interface CompileEntryPoint extends RouterEntryPoint, EntryHandlerOptions {
  /** `observability.accessLogs` / `.metrics` of the entrypoint: the default of its routers. */
  readonly observability: { readonly accessLogs: boolean; readonly metrics: boolean };
}

/** What every compilation shares, created once (ARCHITECTURE.md: state keyed by address outlives snapshots). */
export interface CompileOptions {
  readonly logger: Logger;
  readonly entryPoints: readonly CompileEntryPoint[];
  /** The static `serversTransport`, known as `default@internal`. */
  readonly defaultTransport: DeepReadonly<HttpServersTransportConfig>;
  /** Berth's own services by qualified name: `api@internal`, `dashboard@internal`, `ping@internal`... */
  readonly internal: ReadonlyMap<string, Handler>;
  readonly services: ServiceRuntime;
  /** Provider precedence for equal priorities (Traefik 3.7); providers not listed come last. */
  readonly providerPrecedence?: readonly string[];
  /** Access logs and metrics; none when absent. */
  readonly observability?: Observability;
}

/**
 * The runtime compiled from one snapshot: a handler per (entrypoint, TLS or not), the status of every element,
 * and the routes placed on entrypoints (for certificates and TLS options). Immutable once built; `close()` stops
 * its health checks and timers and releases its hold on pooled connections.
 */
export interface RuntimeGraph {
  readonly generation: number;
  readonly status: RuntimeStatus;
  readonly routes: readonly PlacedRoute[];
  handlerFor(entryPoint: string, tls: boolean): Handler | undefined;
  /** The fast path's router for HTTP/1.1 requests on `entryPoint` (TLS or not), unless observability watches them. */
  fastRouterFor(entryPoint: string, tls: boolean): FastRouter | undefined;
  close(): void;
}

const PRECEDENCE = ['docker', 'file', 'internal'];

/**
 * Compiles a snapshot into a RuntimeGraph. Never throws for bad configuration: each broken router, service or
 * middleware is disabled with issues that name where it came from, and the rest serves (convention 3).
 */
export function compile(snapshot: Snapshot, options: CompileOptions): RuntimeGraph {
  const table = createElementTable(snapshot);
  const controller = new AbortController();
  const where = whereFn(snapshot);
  const logger = options.logger.child({ generation: snapshot.generation });

  reportUnsupportedTcpUdp(table, where);

  const middlewareConfigs = (snapshot.config.http?.middlewares ?? {}) as Readonly<Record<string, DeepReadonly<MiddlewareConfig>>>;
  let serviceHandlers: ReadonlyMap<string, Handler> = new Map();
  const catalog = createMiddlewareCatalog({
    middlewares: (name) => middlewareConfigs[name],
    services: (name) => serviceHandlers.get(name) ?? options.internal.get(name),
    logger,
    signal: controller.signal,
  });

  const services = buildServices({
    services: snapshot.config.http?.services ?? {},
    serversTransports: snapshot.config.http?.serversTransports ?? {},
    defaultTransport: options.defaultTransport,
    internal: options.internal,
    applyMiddlewares: (serviceName, names, handler) => {
      const chain = buildMiddlewareChain(names, handler, catalog);
      noteUsedBy(table, 'http.middlewares', chain.used, serviceName);
      if (chain.ok) return chain.handler;
      const first = chain.errors[0];
      return { code: first?.code ?? ErrorCodes.INVALID_ELEMENT, severity: 'error', message: chain.errors.map((e) => e.message).join('; ') };
    },
    signal: controller.signal,
  }, options.services);
  serviceHandlers = services.handlers;
  for (const [name, issues] of services.issues) {
    const info = table.get('http.services', name);
    if (info === undefined) continue;
    for (const issue of issues) addIssue(info, { ...issue, where: where(info, ''), element: { section: 'http.services', name } });
  }

  const rank = (provider: string): number => {
    const index = (options.providerPrecedence ?? PRECEDENCE).indexOf(provider);
    return index === -1 ? Number.MAX_SAFE_INTEGER : index;
  };
  const routes = compileHttpRouters(table, {
    entryPoints: options.entryPoints,
    providerRank: rank,
    where,
    service(name) {
      const built = services.handlers.get(name);
      if (built !== undefined) return { handler: built };
      const internal = options.internal.get(name);
      // Berth's own services do not name themselves; loadBalancers do (the leaf that forwarded), for logs and metrics.
      if (internal !== undefined) return { handler: (req, res, ctx) => { ctx.serviceName = name; internal(req, res, ctx); } };
      const info = table.get('http.services', name);
      if (info === undefined) return { code: ErrorCodes.SERVICE_NOT_FOUND, message: `the service "${name}" does not exist` };
      return { code: ErrorCodes.INVALID_ELEMENT, message: `the service "${name}" is disabled: ${info.issues.filter((i) => i.severity === 'error').map((i) => i.message).join('; ') || 'see its errors'}` };
    },
    chain(owner, names, terminal) {
      const chain = buildMiddlewareChain(names, terminal, catalog);
      noteUsedBy(table, 'http.middlewares', chain.used, owner.name);
      if (chain.ok) return { handler: chain.handler };
      return { code: chain.errors[0]?.code ?? ErrorCodes.MIDDLEWARE_NOT_FOUND, message: chain.errors.map((e) => e.message).join('; ') };
    },
  });
  for (const info of table.elements.values()) {
    if (info.section === 'http.routers' && info.status !== 'disabled') {
      const service = (info.config as { service?: string }).service;
      if (service !== undefined) noteUsedBy(table, 'http.services', [service], info.name);
    }
  }
  attachMiddlewareIssues(table, catalog, where);

  const observability = options.observability;
  const observed = observability === undefined ? undefined : observedRouters(table);
  const handlers = new Map<string, Handler>();
  const fastRouters = new Map<string, FastRouter>();
  for (const entryPoint of options.entryPoints) {
    const observe = observed === undefined ? undefined : observability?.entryObserver({ name: entryPoint.name, ...entryPoint.observability }, observed);
    for (const tls of [false, true]) {
      const mine = routes.filter((placed) => placed.entryPoint === entryPoint.name && placed.tls === tls).map((placed) => placed.route);
      const routing = createEntryRouting(mine, entryPoint, observe);
      handlers.set(key(entryPoint.name, tls), routing.handler);
      if (routing.fast !== undefined) fastRouters.set(key(entryPoint.name, tls), routing.fast);
    }
  }

  const status: RuntimeStatus = { generation: snapshot.generation, elements: table.elements, issues: table.issues };
  return {
    generation: snapshot.generation,
    status,
    routes,
    handlerFor: (entryPoint, tls) => handlers.get(key(entryPoint, tls)),
    fastRouterFor: (entryPoint, tls) => fastRouters.get(key(entryPoint, tls)),
    close: () => controller.abort(),
  };
}

/** The routers that serve, with what observability needs to resolve their logs and metrics once. */
function observedRouters(table: ElementTable): Map<string, ObservedRouter> {
  const out = new Map<string, ObservedRouter>();
  for (const info of table.elements.values()) {
    if (info.section !== 'http.routers' || info.status === 'disabled') continue;
    const config = info.config as { service?: string; observability?: { accessLogs?: boolean; metrics?: boolean } };
    out.set(info.name, {
      name: info.name,
      service: config.service ?? '',
      internal: info.provider === 'internal',
      accessLogs: config.observability?.accessLogs,
      metrics: config.observability?.metrics,
    });
  }
  return out;
}

function key(entryPoint: string, tls: boolean): string {
  return `${tls ? 'https' : 'http'}:${entryPoint}`;
}

/** `where` text for a field of an element: its origin if the provider recorded one, else its key path. */
function whereFn(snapshot: Snapshot): (info: ElementInfo, field: string) => string {
  return (info, field) => {
    const origin = snapshot.origins[`${info.section}/${info.name}`];
    const exact = origin?.[field];
    if (exact !== undefined) return exact;
    const element = origin?.[''];
    const path = `${info.section}.${info.name}${field === '' ? '' : `.${field}`}`;
    return element === undefined ? path : field === '' ? element : `${element} (${field})`;
  };
}

function noteUsedBy(table: ElementTable, section: ElementSection, names: readonly string[], user: string): void {
  for (const name of names) {
    const info = table.get(section, name);
    if (info === undefined) continue;
    // A Set beside the array: a service shared by 10,000 routers made `includes` quadratic.
    let users = usersOf.get(info);
    if (users === undefined) usersOf.set(info, users = new Set(info.usedBy));
    if (users.has(user)) continue;
    users.add(user);
    (info.usedBy ??= []).push(user);
  }
}

/** Who uses each element, for noteUsedBy's duplicate check; elements are new per compile, so entries go with them. */
const usersOf = new WeakMap<ElementInfo, Set<string>>();

/** Every middleware's own problems go on its element, including middlewares no router uses. */
function attachMiddlewareIssues(table: ElementTable, catalog: ReturnType<typeof createMiddlewareCatalog>, where: (info: ElementInfo, field: string) => string): void {
  for (const info of table.elements.values()) {
    if (info.section !== 'http.middlewares' || info.config === undefined) continue;
    const issues = catalog.issues.get(info.name) ?? catalog.check(info.name);
    for (const issue of issues) addIssue(info, { ...issue, where: where(info, ''), element: { section: 'http.middlewares', name: info.name } });
  }
}

/** TCP and UDP routing are parsed and shown, but not served yet: say so on each element. */
function reportUnsupportedTcpUdp(table: ElementTable, where: (info: ElementInfo, field: string) => string): void {
  for (const info of table.elements.values()) {
    if (!info.section.startsWith('tcp.') && !info.section.startsWith('udp.')) continue;
    const issue: ConfigIssue = {
      code: ErrorCodes.NOT_SUPPORTED,
      severity: 'error',
      where: where(info, ''),
      message: `${info.section.startsWith('tcp.') ? 'TCP' : 'UDP'} routing is not supported by Berth yet; this element is parsed and validated but not served`,
      element: { section: info.section, name: info.name },
    };
    addIssue(info, issue);
  }
}

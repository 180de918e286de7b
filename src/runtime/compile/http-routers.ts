import type { HttpRouterConfig, RouterTls } from '../../config/dynamic/model.js';
import { ErrorCodes, type ErrorCode } from '../../errors/codes.js';
import type { DeepReadonly } from '../../util/deep-freeze.js';
import { fastServiceOf, offerFastRoute } from '../fast-route.js';
import type { Handler } from '../handler.js';
import { MAX_USER_PRIORITY, defaultPriority, type MuxRoute } from '../mux/http-mux.js';
import { compileHttpRule } from '../rules/http-matchers.js';
import { parseRule } from '../rules/parser.js';
import { addIssue, type ElementInfo } from '../status.js';
import { denyRouterRecursion } from './deny-router-recursion.js';
import type { ElementTable } from './elements.js';

/** An entrypoint as routers see it (from static configuration). */
export interface RouterEntryPoint {
  readonly name: string;
  readonly asDefault: boolean;
  /** `http.middlewares`, qualified, prepended to every router of the entrypoint. */
  readonly middlewares: readonly string[];
  /** `http.tls`: TLS defaults for routers of this entrypoint that have no `tls` of their own. */
  readonly tls: DeepReadonly<RouterTls> | undefined;
}

/** What routers need from the rest of the graph. */
export interface RouterDeps {
  readonly entryPoints: readonly RouterEntryPoint[];
  /** The handler of a service by qualified name, or why it cannot serve. */
  service(name: string): { handler: Handler } | { code: ErrorCode; message: string };
  /** Composes qualified middleware names around `terminal`, or explains why not. */
  chain(owner: ElementInfo, names: readonly string[], terminal: Handler): { handler: Handler } | { code: ErrorCode; message: string };
  /** Tie-break rank of a provider (Traefik 3.7 `providers.precedence`); lower wins. */
  providerRank(provider: string): number;
  /** `where` text for a field of an element, from the providers' origins. */
  where(info: ElementInfo, field: string): string;
}

/** One router placed on one entrypoint, ready for that entrypoint's muxer. */
export interface PlacedRoute {
  readonly entryPoint: string;
  readonly tls: boolean;
  readonly route: MuxRoute<Handler>;
  /** The router's TLS settings on this entrypoint (own or the entrypoint's), for certificates and TLS options. */
  readonly tlsConfig: DeepReadonly<RouterTls> | undefined;
  readonly hosts: readonly string[];
}

// Internal routers sit above every user priority (see providers/internal/build.ts): user priorities are capped.
const CAP = Number.MAX_SAFE_INTEGER - 1000;

/**
 * Compiles every HTTP router of the table into routes per entrypoint. A broken router is disabled with issues
 * naming where it came from; the others keep serving (ARCHITECTURE.md, convention 3).
 */
export function compileHttpRouters(table: ElementTable, deps: RouterDeps): PlacedRoute[] {
  const placed: PlacedRoute[] = [];
  const known = new Set(deps.entryPoints.map((ep) => ep.name));
  const defaults = defaultEntryPoints(deps.entryPoints);
  for (const info of table.elements.values()) {
    if (info.section !== 'http.routers' || info.status === 'disabled') continue;
    const config = info.config as DeepReadonly<HttpRouterConfig>;
    const fail = (field: string, code: ErrorCode, message: string): void =>
      addIssue(info, { code, severity: 'error', where: deps.where(info, field), message, element: { section: info.section, name: info.name } });
    const warn = (field: string, code: ErrorCode, message: string): void =>
      addIssue(info, { code, severity: 'warning', where: deps.where(info, field), message, element: { section: info.section, name: info.name } });

    if (config.rule === undefined) {
      fail('', ErrorCodes.MISSING_VALUE, 'the router has no rule: set "rule", for example Host(`example.com`)');
      continue;
    }
    const parsed = parseRule(config.rule);
    if (!parsed.ok) {
      fail('rule', ErrorCodes.RULE_SYNTAX, `invalid rule ${config.rule}: ${parsed.message}`);
      continue;
    }
    const compiled = compileHttpRule(parsed.ast);
    if (!compiled.ok) {
      fail('rule', ErrorCodes.RULE_MATCHER, `invalid rule ${config.rule}: ${compiled.message}`);
      continue;
    }
    if (config.priority !== undefined && config.priority > MAX_USER_PRIORITY) {
      fail('priority', ErrorCodes.PRIORITY_TOO_HIGH, `priority ${config.priority} is above the maximum ${MAX_USER_PRIORITY}`);
      continue;
    }
    if (config.service === undefined) {
      fail('', ErrorCodes.MISSING_VALUE, 'the router has no service: set "service"');
      continue;
    }
    const service = deps.service(config.service);
    if (!('handler' in service)) {
      fail('service', service.code, service.message);
      continue;
    }

    const wanted = config.entryPoints ?? defaults;
    const entryPoints = wanted.filter((name) => known.has(name));
    for (const missing of wanted.filter((name) => !known.has(name))) {
      warn('entryPoints', ErrorCodes.ENTRYPOINT_NOT_FOUND, `entryPoint "${missing}" doesn't exist`);
    }
    if (entryPoints.length === 0) {
      fail('entryPoints', ErrorCodes.NO_ENTRYPOINT, 'no valid entryPoint for this router');
      continue;
    }

    const given = config.priority !== undefined && config.priority !== 0 ? config.priority : defaultPriority(config.rule);
    const priority = info.provider === 'internal' ? given : Math.min(given, CAP);
    const routes: PlacedRoute[] = [];
    let broken = false;
    for (const name of entryPoints) {
      const entryPoint = deps.entryPoints.find((ep) => ep.name === name) as RouterEntryPoint;
      // Traefik's entrypoint "model": its TLS applies only to routers without a tls section of their own.
      const tlsConfig = config.tls ?? entryPoint.tls;
      const chain = deps.chain(info, [...entryPoint.middlewares, ...(config.middlewares ?? [])], service.handler);
      if (!('handler' in chain)) {
        fail('middlewares', chain.code, chain.message);
        broken = true;
        break;
      }
      const routerName = info.name;
      // Traefik puts the anti-loop check in front of everything else the router does.
      const inner = config.defaultRule === true ? denyRouterRecursion(routerName, chain.handler) : chain.handler;
      const payload: Handler = (req, res, ctx) => {
        ctx.routerName = routerName;
        inner(req, res, ctx);
      };
      const fastService = inner === service.handler ? fastServiceOf(service.handler) : undefined;
      if (fastService !== undefined) offerFastRoute(payload, { routerName, service: fastService });
      routes.push({
        entryPoint: name,
        tls: tlsConfig !== undefined,
        tlsConfig,
        hosts: compiled.hosts,
        route: {
          name: info.name,
          priority,
          ast: parsed.ast,
          match: compiled.match,
          providerRank: deps.providerRank(info.provider),
          payload,
        },
      });
    }
    if (broken) continue;
    info.using = entryPoints;
    placed.push(...routes);
  }
  return placed;
}

/**
 * Entrypoints for routers that name none: every `asDefault` one, or, when none is flagged, every entrypoint
 * except `traefik` (Traefik keeps its API entrypoint out of user routing unless asked).
 */
function defaultEntryPoints(entryPoints: readonly RouterEntryPoint[]): string[] {
  const flagged = entryPoints.filter((ep) => ep.asDefault).map((ep) => ep.name);
  if (flagged.length > 0) return flagged;
  return entryPoints.filter((ep) => ep.name !== 'traefik').map((ep) => ep.name);
}

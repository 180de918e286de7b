import type { HttpRouterConfig } from '../config/dynamic/model.js';
import type { Snapshot } from '../config/dynamic/snapshot.js';
import { ErrorCodes } from '../errors/codes.js';
import type { ConfigIssue } from '../errors/config-issue.js';
import type { PlacedRoute } from '../runtime/compile/http-routers.js';
import { didYouMean } from '../util/suggest.js';
import { domainsToCertify, type RouterCertificateNeed } from './domains.js';
import type { OrderStatus } from './resolver.js';

/** A TLS router's certificate needs, with where its `certResolver` was set (for issues). */
export interface TlsRouterNeed extends RouterCertificateNeed {
  readonly where: string;
}

/** What router issues need to know about one configured certificate resolver. */
export interface ResolverState {
  usable(): boolean;
  status(): readonly OrderStatus[];
}

/**
 * The certificate needs of a graph's TLS routers, one per router (a router placed on several entrypoints counts
 * once per distinct TLS section). `where` names the router's own `tls` when it has one, else the entrypoint's
 * `http.tls` it inherited (Traefik's entrypoint model).
 */
export function tlsRouterNeeds(routes: readonly PlacedRoute[], snapshot: Snapshot): TlsRouterNeed[] {
  const needs: TlsRouterNeed[] = [];
  const seen = new Set<string>();
  for (const placed of routes) {
    if (!placed.tls || placed.tlsConfig === undefined) continue;
    const name = placed.route.name;
    const own = (snapshot.config.http?.routers?.[name] as HttpRouterConfig | undefined)?.tls !== undefined;
    const key = own ? name : `${name}\n${placed.entryPoint}`;
    if (seen.has(key)) continue;
    seen.add(key);
    needs.push({ name, certResolver: placed.tlsConfig.certResolver, domains: placed.tlsConfig.domains, hosts: placed.hosts, where: tlsWhere(snapshot, placed, 'certResolver') });
  }
  return needs;
}

/**
 * Where a placed TLS router's `tls.<field>` comes from: the router's own `tls` (its label or file line when the
 * provider recorded one), or the entrypoint's `http.tls` it inherited (Traefik's entrypoint model).
 */
export function tlsWhere(snapshot: Snapshot, placed: PlacedRoute, field: 'certResolver' | 'options'): string {
  const name = placed.route.name;
  const own = (snapshot.config.http?.routers?.[name] as HttpRouterConfig | undefined)?.tls !== undefined;
  if (!own) return `entryPoints.${placed.entryPoint}.http.tls.${field} (inherited by router ${name})`;
  const origin = snapshot.origins[`http.routers/${name}`];
  return origin?.['tls'] ?? (origin?.[''] === undefined ? `http.routers.${name}.tls.${field}` : `${origin['']} (tls.${field})`);
}

const RATE_LIMITED = 'urn:ietf:params:acme:error:rateLimited';

/**
 * Warnings per router about its certificate resolver, computed when asked (order states change between
 * snapshots): a resolver that does not exist or cannot be used (Traefik logs "Router uses a nonexistent
 * certificate resolver"), and each of the router's name sets whose last order failed, with the challenge, the
 * CA's problem and the next attempt. A router with a warning keeps serving, with the default certificate for
 * names no certificate covers, as in Traefik.
 */
export function routerCertificateIssues(needs: readonly TlsRouterNeed[], resolvers: ReadonlyMap<string, ResolverState>): Map<string, ConfigIssue[]> {
  const result = new Map<string, ConfigIssue[]>();
  const add = (router: string, issue: Omit<ConfigIssue, 'element'>): void => {
    const list = result.get(router) ?? [];
    list.push({ ...issue, element: { section: 'http.routers', name: router } });
    result.set(router, list);
  };
  const failures = new Map<string, Map<string, OrderStatus>>();
  for (const [name, resolver] of resolvers) {
    if (resolver.usable()) failures.set(name, new Map(resolver.status().filter((s) => s.state === 'failed').map((s) => [s.names.join(','), s])));
  }
  for (const need of needs) {
    const resolverName = need.certResolver;
    if (resolverName === undefined || resolverName === '') continue;
    const resolver = resolvers.get(resolverName);
    if (resolver === undefined) {
      const known = [...resolvers.keys()];
      add(need.name, {
        code: ErrorCodes.ACME_RESOLVER_NOT_FOUND, severity: 'warning', where: need.where,
        message: `nonexistent certificate resolver "${resolverName}"${didYouMean(resolverName, known)}; ${known.length === 0 ? 'no certificate resolver is configured' : `certificate resolvers: ${known.join(', ')}`}; the router is served with the certificates Berth already has, or the default one`,
      });
      continue;
    }
    if (!resolver.usable()) {
      add(need.name, {
        code: ErrorCodes.ACME_RESOLVER_NOT_FOUND, severity: 'warning', where: need.where,
        message: `certificate resolver "${resolverName}" is disabled because its storage cannot be used (see the issue on certificatesResolvers.${resolverName}.acme.storage); as with a nonexistent certificate resolver, no certificate is ordered for this router`,
      });
      continue;
    }
    const failed = failures.get(resolverName);
    for (const names of domainsToCertify([need], () => false).get(resolverName) ?? []) {
      const status = failed?.get(names.join(','));
      if (status === undefined) continue;
      const problem = status.error === undefined ? 'unknown error' : `${status.error.type === undefined ? '' : `${status.error.type}: `}${status.error.detail}`;
      add(need.name, {
        code: status.error?.type === RATE_LIMITED ? ErrorCodes.ACME_RATE_LIMITED : ErrorCodes.ACME_ORDER,
        severity: 'warning',
        where: need.where,
        message: `certificate resolver "${resolverName}" could not obtain a certificate for ${names.join(', ')}${status.challenge === undefined ? '' : ` (${status.challenge} challenge)`}: ${problem}; ${status.failures} failed attempt${status.failures === 1 ? '' : 's'}, next attempt ${status.nextAttempt === undefined ? 'on the next configuration change' : `at ${status.nextAttempt}`}; until then the default certificate is served for names no other certificate covers`,
      });
    }
  }
  return result;
}

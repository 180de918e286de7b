import type { Snapshot } from '../config/dynamic/snapshot.js';
import { ErrorCodes } from '../errors/codes.js';
import { formatIssue, type ConfigIssue } from '../errors/config-issue.js';
import type { Logger } from '../observability/logger.js';
import type { PlacedRoute } from '../runtime/compile/http-routers.js';
import { elementKey, type ElementInfo, type RuntimeStatus } from '../runtime/status.js';
import { tlsOptionsByHost } from '../tls/router-options.js';
import type { TlsManager } from '../tls/tls-manager.js';
import { defaultGeneratedCertNeed } from './domains.js';
import type { AcmeProvider } from './provider.js';
import { routerCertificateIssues, tlsRouterNeeds, tlsWhere, type ResolverState, type TlsRouterNeed } from './router-certificates.js';

export interface TlsCoordinatorOptions {
  readonly manager: TlsManager;
  /** One per `certificatesResolvers.<name>.acme`, by resolver name. */
  readonly acme: readonly AcmeProvider[];
  readonly logger: Logger;
}

/**
 * Keeps certificates, TLS options and ACME orders in step with the configuration (ARCHITECTURE.md data flow:
 * "tls store <- snapshot.tls, acme <- domains of routers with a certResolver").
 */
export interface TlsCoordinator {
  /**
   * Applies one snapshot and the routes compiled from it: the TLS manager gets the snapshot's certificates and
   * options and the host-to-options map of the TLS routers; then every resolver is told what the routers need
   * that the updated store does not cover yet. Runs in the background, one snapshot after the other, in order.
   */
  apply(snapshot: Snapshot, routes: readonly PlacedRoute[]): void;
  /** `status` with the TLS problems added: per-router certificate and options warnings, certificate load errors. */
  status(status: RuntimeStatus): RuntimeStatus;
  /** Resolves once every snapshot applied so far has reached the TLS manager and the resolvers. */
  settled(): Promise<void>;
}

interface Applied {
  readonly needs: readonly TlsRouterNeed[];
  /** Warnings about routers that disagree on a host's TLS options. */
  readonly conflicts: ReadonlyMap<string, ConfigIssue[]>;
  readonly conflictHosts: ReadonlySet<string>;
  /** What the TLS manager reported (unreadable certificates, broken options). */
  readonly issues: readonly ConfigIssue[];
}

export function createTlsCoordinator(options: TlsCoordinatorOptions): TlsCoordinator {
  const { manager, logger } = options;
  const resolvers = new Map<string, ResolverState>(options.acme.map((provider) => [provider.resolver.name, {
    usable: () => provider.usable(),
    status: () => provider.resolver.status(),
  }]));
  let applied: Applied = { needs: [], conflicts: new Map(), conflictHosts: new Set(), issues: [] };
  let queue: Promise<void> = Promise.resolve();

  const apply = async (snapshot: Snapshot, routes: readonly PlacedRoute[]): Promise<void> => {
    const tlsRoutes = routes.filter((placed) => placed.tls);
    const { hosts, conflicts } = tlsOptionsByHost(tlsRoutes.map((placed) => ({ name: placed.route.name, options: placed.tlsConfig?.options, hosts: placed.hosts })));
    const conflictIssues = new Map<string, ConfigIssue[]>();
    for (const conflict of conflicts) {
      if (!applied.conflictHosts.has(conflict.host)) logger.warn({ host: conflict.host, code: ErrorCodes.TLS_OPTIONS_CONFLICT }, `found different TLS options for routers on the same host ${conflict.host}, so using the default TLS options instead`);
      const asked = conflict.routers.map((r) => `${r.name} wants "${r.options}"`).join(', ');
      for (const router of conflict.routers) {
        const placed = tlsRoutes.find((p) => p.route.name === router.name) as PlacedRoute;
        const list = conflictIssues.get(router.name) ?? [];
        list.push({
          code: ErrorCodes.TLS_OPTIONS_CONFLICT, severity: 'warning', where: tlsWhere(snapshot, placed, 'options'),
          message: `routers give host "${conflict.host}" different TLS options (${asked}); the "default" TLS options are used for it: give every router of a host the same tls.options`,
          element: { section: 'http.routers', name: router.name },
        });
        conflictIssues.set(router.name, list);
      }
    }
    const issues = await manager.update(snapshot.config.tls, hosts);
    const known = new Set(applied.issues.map(formatIssue));
    for (const issue of issues) if (!known.has(formatIssue(issue))) logger.warn({ code: issue.code }, formatIssue(issue));
    const needs = tlsRouterNeeds(routes, snapshot);
    // Traefik logs "Router uses a nonexistent certificate resolver" on each change; once per new problem here.
    const before = new Set([...routerCertificateIssues(applied.needs, resolvers).values()].flat().map(formatIssue));
    for (const issue of [...routerCertificateIssues(needs, resolvers).values()].flat()) {
      if (issue.code === ErrorCodes.ACME_RESOLVER_NOT_FOUND && !before.has(formatIssue(issue))) logger.warn({ code: issue.code, routerName: issue.element?.name }, formatIssue(issue));
    }
    applied = { needs, conflicts: conflictIssues, conflictHosts: new Set(conflicts.map((c) => c.host)), issues };
    const generated = defaultGeneratedCertNeed(snapshot.config.tls);
    const all = generated === undefined ? needs : [...needs, generated];
    for (const provider of options.acme) provider.onSnapshot(all, (name) => manager.store.covers(name));
  };

  return {
    apply(snapshot, routes) {
      queue = queue.then(() => apply(snapshot, routes)).catch((err: unknown) => {
        logger.error({ err, generation: snapshot.generation }, 'applying TLS configuration failed');
      });
    },
    status(status) {
      const extra = routerCertificateIssues(applied.needs, resolvers);
      for (const [router, issues] of applied.conflicts) extra.set(router, [...(extra.get(router) ?? []), ...issues]);
      if (extra.size === 0 && applied.issues.length === 0) return status;
      const elements = new Map(status.elements);
      for (const [router, issues] of extra) {
        const key = elementKey('http.routers', router);
        const info = elements.get(key);
        if (info === undefined) continue;
        const copy: ElementInfo = { ...info, issues: [...info.issues, ...issues], status: info.status === 'enabled' ? 'warning' : info.status };
        elements.set(key, copy);
      }
      return { generation: status.generation, elements, issues: [...status.issues, ...applied.issues] };
    },
    settled: () => queue,
  };
}

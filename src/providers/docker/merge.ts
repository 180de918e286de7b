import type { DynamicConfig } from '../../config/dynamic/model.js';
import { ErrorCodes } from '../../errors/codes.js';
import type { ConfigIssue, ElementSection } from '../../errors/config-issue.js';
import { deepEqual } from '../../util/deep-equal.js';
import type { ContainerConfig } from './container-config.js';

export interface NamedContainerConfig {
  /** The container name, for conflict messages. */
  readonly container: string;
  readonly config: ContainerConfig;
}

/** Merges `from` into `into` (a private copy); false when the two cannot be merged. */
type Merger<T> = (into: T, from: T) => boolean;

const same: Merger<unknown> = (into, from) => deepEqual(into, from);

/**
 * Load-balancer services with identical settings are one service whose servers are the union of both, deduped
 * by `key` (URL or address): that is how replicas of a compose service become one service (Traefik's
 * ServersLoadBalancer.Merge). Anything else must be identical.
 */
function unionServers<S>(key: (server: S) => string): Merger<unknown> {
  return (into, from) => {
    const a = (into as { loadBalancer?: { servers: S[] } }).loadBalancer;
    const b = (from as { loadBalancer?: { servers: S[] } }).loadBalancer;
    if (a === undefined || b === undefined) return deepEqual(into, from);
    const settings = (service: unknown, lb: object) => ({ ...(service as object), loadBalancer: { ...lb, servers: undefined } });
    if (!deepEqual(settings(into, a), settings(from, b))) return false;
    const seen = new Set(a.servers.map(key));
    for (const server of b.servers) {
      if (!seen.has(key(server))) {
        seen.add(key(server));
        a.servers.push(structuredClone(server));
      }
    }
    return true;
  };
}

interface SectionSpec {
  readonly title: string;
  readonly element?: ElementSection;
  readonly pick: (config: ContainerConfig) => Record<string, unknown>;
  readonly merge: Merger<unknown>;
}

const byUrl = unionServers<{ url: string }>((server) => server.url);
const byAddress = unionServers<{ address: string }>((server) => server.address);

const SECTIONS: Record<string, SectionSpec> = {
  'http.routers': { title: 'HTTP router', element: 'http.routers', pick: (c) => c.http.routers, merge: same },
  'http.services': { title: 'HTTP service', element: 'http.services', pick: (c) => c.http.services, merge: byUrl },
  'http.middlewares': { title: 'HTTP middleware', element: 'http.middlewares', pick: (c) => c.http.middlewares, merge: same },
  'tcp.routers': { title: 'TCP router', element: 'tcp.routers', pick: (c) => c.tcp.routers, merge: same },
  'tcp.services': { title: 'TCP service', element: 'tcp.services', pick: (c) => c.tcp.services, merge: byAddress },
  'tcp.middlewares': { title: 'TCP middleware', element: 'tcp.middlewares', pick: (c) => c.tcp.middlewares, merge: same },
  'udp.routers': { title: 'UDP router', element: 'udp.routers', pick: (c) => c.udp.routers, merge: same },
  'udp.services': { title: 'UDP service', element: 'udp.services', pick: (c) => c.udp.services, merge: byAddress },
  'tls.stores': { title: 'TLS store', pick: (c) => c.tlsStores, merge: same },
};

/**
 * Merges the containers' configurations in the given order (reference §2.4). Router and middleware names are
 * global across containers: the same name with the same definition is kept once. A name defined differently
 * by two containers is dropped everywhere (even if a third container agrees with one of them, as in Traefik),
 * with a BERTH_ERR_DOCKER_CONFLICT naming the containers.
 */
export function mergeContainerConfigs(configs: readonly NamedContainerConfig[]): { config: DynamicConfig; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const merged: Record<string, Record<string, unknown>> = {};
  for (const [path, spec] of Object.entries(SECTIONS)) {
    const out: Record<string, unknown> = {};
    const origins = new Map<string, string[]>();
    const conflicts = new Set<string>();
    for (const { container, config } of configs) {
      for (const [name, element] of Object.entries(spec.pick(config))) {
        origins.set(name, [...(origins.get(name) ?? []), container]);
        if (!(name in out)) out[name] = structuredClone(element);
        else if (!spec.merge(out[name], element)) conflicts.add(name);
      }
    }
    for (const name of conflicts) {
      delete out[name];
      const containers = origins.get(name) ?? [];
      const message = `${spec.title} "${name}" is defined differently by containers ${containers.join(', ')}; identical definitions are merged but differing ones are all dropped, so make their labels identical or give them different names`;
      const where = `containers ${containers.join(', ')}`;
      issues.push(spec.element === undefined
        ? { code: ErrorCodes.DOCKER_CONFLICT, severity: 'error', where, message }
        : { code: ErrorCodes.DOCKER_CONFLICT, severity: 'error', where, message, element: { section: spec.element, name } });
    }
    merged[path] = out;
  }
  return { config: assemble(merged), issues };
}

/** The merged sections as a DynamicConfig, leaving out empty ones. */
function assemble(sections: Record<string, Record<string, unknown>>): DynamicConfig {
  const config: Record<string, Record<string, unknown>> = {};
  for (const [path, elements] of Object.entries(sections)) {
    if (Object.keys(elements).length === 0) continue;
    const [group, kind] = path.split('.') as [string, string];
    config[group] = { ...config[group], [kind]: elements };
  }
  return config as DynamicConfig;
}

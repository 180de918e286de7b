import { providerOf, resolveReference } from '../config/dynamic/qualify.js';
import { normalizeName } from './names.js';

/** A TLS router placed on an entrypoint, as far as TLS options are concerned. */
export interface TlsRouterHosts {
  /** Qualified router name (`web@docker`). */
  readonly name: string;
  /** Its `tls.options` (own, qualified; or the entrypoint's, unqualified); undefined means `default`. */
  readonly options: string | undefined;
  /** Its Host() values. */
  readonly hosts: readonly string[];
}

export interface HostOptionsConflict {
  readonly host: string;
  /** Each router involved and the options it asked for. */
  readonly routers: ReadonlyArray<{ readonly name: string; readonly options: string }>;
}

/**
 * Which `tls.options` each server name gets (Traefik's tlsOptionsForHost): the options of the routers whose
 * Host() names it. Options named without `@` belong to the router's provider, as in Traefik (an entrypoint's
 * `http.tls.options` copied onto a Docker router means `<name>@docker`; write `name@file` there). Routers that
 * disagree about a host make it fall back to `default`, and the conflict is returned so it can be shown (Traefik
 * only logs "found different TLS options for routers on the same host").
 *
 * Traefik keeps this map per entrypoint; Berth has one certificate store and one map for every entrypoint, so
 * two entrypoints giving one host different options count as a conflict here.
 */
export function tlsOptionsByHost(routers: readonly TlsRouterHosts[]): { hosts: Map<string, string>; conflicts: HostOptionsConflict[] } {
  const wanted = new Map<string, Map<string, string>>();
  for (const router of routers) {
    const options = router.options === undefined || router.options === 'default' ? 'default' : resolveReference(router.options, providerOf(router.name));
    for (const raw of router.hosts) {
      const host = normalizeName(raw);
      if (host === '') continue;
      let byRouter = wanted.get(host);
      if (byRouter === undefined) {
        byRouter = new Map();
        wanted.set(host, byRouter);
      }
      byRouter.set(router.name, options);
    }
  }
  const hosts = new Map<string, string>();
  const conflicts: HostOptionsConflict[] = [];
  for (const [host, byRouter] of wanted) {
    const distinct = new Set(byRouter.values());
    if (distinct.size === 1) {
      hosts.set(host, [...distinct][0] as string);
    } else {
      hosts.set(host, 'default');
      conflicts.push({ host, routers: [...byRouter].map(([name, options]) => ({ name, options })) });
    }
  }
  return { hosts, conflicts };
}

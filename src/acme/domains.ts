import type { Domain } from '../config/dynamic/model.js';
import type { DeepReadonly } from '../util/deep-freeze.js';
import { nameMatches, normalizeName } from '../tls/names.js';

/** What the ACME layer needs from a router (HTTP or TCP): the lead computes `hosts` from Host()/HostSNI(). */
export interface RouterCertificateNeed {
  readonly name: string;
  readonly certResolver: string | undefined;
  readonly domains?: readonly DeepReadonly<Domain>[] | undefined;
  /** Every Host() (HTTP) or HostSNI() (TCP) value of the rule, whatever the operators around them. */
  readonly hosts: readonly string[];
}

const coveredByWildcard = (name: string, names: readonly string[]): boolean =>
  !name.startsWith('*.') && names.some((other) => other.startsWith('*.') && nameMatches(other, name));

/**
 * The name sets to certify, per resolver (reference §7.2): a router's `tls.domains` give one set per entry
 * (main first, SANs after, duplicates removed, names a wildcard of the same router already covers removed);
 * without them, all its Host() values form one set, first = main. Sets whose names are all `covered` (by a
 * certificate in the store, file-provided wildcards included) are skipped; identical sets are asked once.
 */
export function domainsToCertify(routers: readonly RouterCertificateNeed[], covered: (name: string) => boolean): Map<string, string[][]> {
  const result = new Map<string, string[][]>();
  const seen = new Set<string>();
  for (const router of routers) {
    if (router.certResolver === undefined || router.certResolver === '') continue;
    const sets: string[][] = [];
    if (router.domains !== undefined && router.domains.length > 0) {
      const wildcards = router.domains.flatMap((d) => [d.main, ...(d.sans ?? [])]).map(normalizeName).filter((n) => n.startsWith('*.'));
      for (const domain of router.domains) {
        const names = unique([domain.main, ...(domain.sans ?? [])].map(normalizeName).filter((n) => n !== ''));
        const kept = names.filter((name) => !coveredByWildcard(name, wildcards));
        if (kept.length > 0) sets.push(kept);
      }
    } else {
      const hosts = unique(router.hosts.map(normalizeName).filter((n) => n !== ''));
      if (hosts.length > 0) sets.push(hosts);
    }
    for (const names of sets) {
      const key = `${router.certResolver}\n${names.join(',')}`;
      if (seen.has(key) || names.every(covered)) continue;
      seen.add(key);
      const list = result.get(router.certResolver) ?? [];
      list.push(names);
      result.set(router.certResolver, list);
    }
  }
  return result;
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}

/**
 * `tls.stores.default.defaultGeneratedCert` asks a resolver for the default certificate (Traefik orders it
 * unless a certificate already covers it). Returned as a router-like need so the lead can add it to the list
 * given to `onSnapshot`.
 */
export function defaultGeneratedCertNeed(tls: { readonly stores?: Readonly<Record<string, { readonly defaultGeneratedCert?: { readonly resolver: string; readonly domain: DeepReadonly<Domain> } | undefined }>> | undefined } | undefined): RouterCertificateNeed | undefined {
  const generated = tls?.stores?.['default']?.defaultGeneratedCert;
  if (generated === undefined) return undefined;
  return { name: 'tls.stores.default.defaultGeneratedCert', certResolver: generated.resolver, domains: [generated.domain], hosts: [] };
}

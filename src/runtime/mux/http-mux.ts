import type { RuleNode } from '../rules/ast.js';
import type { HttpMatchInput, HttpMatcher } from '../rules/http-matchers.js';
import { requiredHosts } from './host-index.js';

export { defaultPriority, MAX_USER_PRIORITY } from '../rules/priority.js';

/** One router as the muxer of an entrypoint sees it. */
export interface MuxRoute<T> {
  /** Qualified router name (`web@docker`), the last tie-break. */
  readonly name: string;
  /** The effective priority (the rule length unless set; see `defaultPriority`). */
  readonly priority: number;
  readonly ast: RuleNode;
  readonly match: HttpMatcher;
  readonly payload: T;
  /** Position of the router's provider in `providers.precedence` (lower goes first); unset goes after every rank. */
  readonly providerRank?: number;
}

export interface HttpMux<T> {
  /** The payload of the first route, in route order, whose rule matches; undefined when none does (404). */
  match(input: HttpMatchInput): T | undefined;
  readonly size: number;
}

/**
 * Route order, the same for every request:
 * 1. priority, descending (Traefik);
 * 2. providerRank, ascending (Traefik 3.7 `providers.precedence`: a listed provider wins a priority tie, an
 *    unlisted one comes after every listed one);
 * 3. name, ascending by UTF-16 code units. Traefik leaves this last tie to a non-stable sort over map iteration,
 *    so the same configuration can route differently from one reload to the next; Berth makes it deterministic.
 */
export function compareRoutes(a: MuxRoute<unknown>, b: MuxRoute<unknown>): number {
  if (a.priority !== b.priority) return a.priority > b.priority ? -1 : 1;
  const rankA = a.providerRank ?? Number.POSITIVE_INFINITY;
  const rankB = b.providerRank ?? Number.POSITIVE_INFINITY;
  if (rankA !== rankB) return rankA < rankB ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

const NONE: readonly number[] = [];

/**
 * Builds the router muxer of one entrypoint. Semantically it tries routes one by one in `compareRoutes` order and
 * returns the first match, as Traefik does; but host rules are looked up by hash (convention 9). Each route is put
 * in the bucket of every exact host it requires, in the bucket of the parent domain of every `*.x.y` wildcard it
 * requires, or, when it can match any host (no Host, `Host(*)`, a negated Host, HostRegexp...), in a generic list.
 * A request walks its exact bucket, its parent-domain bucket and the generic list merged by global order, so with
 * 10,000 Host() routers it tries only the routes of its own host plus the generic ones, and a generic route of
 * higher priority still wins over a host route.
 */
export function createHttpMux<T>(routes: readonly MuxRoute<T>[]): HttpMux<T> {
  const ordered = [...routes].sort(compareRoutes);
  const matchers = ordered.map((route) => route.match);
  const payloads = ordered.map((route) => route.payload);
  const exact = new Map<string, number[]>();
  const wildcard = new Map<string, number[]>();
  const generic: number[] = [];
  ordered.forEach((route, index) => {
    const hosts = requiredHosts(route.ast);
    if (hosts === undefined) {
      generic.push(index);
      return;
    }
    // Indices arrive in ascending order, so every bucket stays sorted; a Set drops `Host(a) || Host(a)` twins.
    for (const host of new Set(hosts.exact)) addTo(exact, host, index);
    for (const parent of new Set(hosts.wildcardParents)) addTo(wildcard, parent, index);
  });
  const hasWildcards = wildcard.size > 0;

  return {
    size: ordered.length,
    match(input) {
      const host = input.host;
      const byHost = exact.get(host) ?? NONE;
      let byParent = NONE;
      if (hasWildcards) {
        const dot = host.indexOf('.');
        if (dot !== -1) byParent = wildcard.get(host.slice(dot + 1)) ?? NONE;
      }
      // Three-way merge of sorted index lists; a route present in two lists is tried once.
      let i = 0;
      let j = 0;
      let k = 0;
      for (;;) {
        const a = byHost[i] ?? Number.POSITIVE_INFINITY;
        const b = byParent[j] ?? Number.POSITIVE_INFINITY;
        const c = generic[k] ?? Number.POSITIVE_INFINITY;
        const next = Math.min(a, b, c);
        if (next === Number.POSITIVE_INFINITY) return undefined;
        if (a === next) i++;
        if (b === next) j++;
        if (c === next) k++;
        if ((matchers[next] as HttpMatcher)(input)) return payloads[next];
      }
    },
  };
}

function addTo(buckets: Map<string, number[]>, key: string, index: number): void {
  const bucket = buckets.get(key);
  if (bucket === undefined) buckets.set(key, [index]);
  else bucket.push(index);
}

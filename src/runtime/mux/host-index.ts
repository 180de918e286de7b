import type { RuleNode } from '../rules/ast.js';
import { hostKey } from '../rules/host-match.js';

/**
 * The hosts a route can only match on: a request whose canonical host is none of `exact` and whose parent domain
 * (host minus its first label) is none of `wildcardParents` cannot match the route, so the muxer need not try it.
 * Both lists empty means the route matches no request at all (e.g. ``Host(`*x.com`)``, which Traefik never matches).
 */
export interface RequiredHosts {
  readonly exact: readonly string[];
  readonly wildcardParents: readonly string[];
}

/**
 * Derives the required hosts of a rule, or undefined when the rule can match requests for any host:
 * - a non-negated ``Host(`a.example`)`` requires `a.example`; ``Host(`*.example`)`` requires the parent `example`;
 *   ``Host(`*`)``, a negated Host, HostRegexp and every other matcher require nothing;
 * - `a && b` requires what either side requires (the smaller set when both do);
 * - `a || b` requires the union, but only when both sides require hosts.
 * Keys use the same normalisation as the Host matcher (`hostKey`), so indexing can never hide a matching route.
 */
export function requiredHosts(node: RuleNode): RequiredHosts | undefined {
  switch (node.type) {
    case 'matcher': {
      if (node.name !== 'Host' || node.negated) return undefined;
      const key = hostKey(node.args[0] ?? '');
      if (key.kind === 'any') return undefined;
      if (key.kind === 'exact') return { exact: [key.host], wildcardParents: [] };
      if (key.kind === 'wildcard') return { exact: [], wildcardParents: [key.parent] };
      return { exact: [], wildcardParents: [] };
    }
    case 'and': {
      const left = requiredHosts(node.left);
      const right = requiredHosts(node.right);
      if (left === undefined || right === undefined) return left ?? right;
      return size(left) <= size(right) ? left : right;
    }
    case 'or': {
      const left = requiredHosts(node.left);
      if (left === undefined) return undefined;
      const right = requiredHosts(node.right);
      if (right === undefined) return undefined;
      return { exact: [...left.exact, ...right.exact], wildcardParents: [...left.wildcardParents, ...right.wildcardParents] };
    }
  }
}

function size(hosts: RequiredHosts): number {
  return hosts.exact.length + hosts.wildcardParents.length;
}

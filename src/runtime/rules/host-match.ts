/**
 * What a Host (or HostSNI) value requires of the canonical request host, in a form both the matcher and the
 * router muxer's hash index use, so the two can never disagree:
 * - `any`: ``Host(`*`)``, every host including none (3.7);
 * - `exact`: the host equals `host`;
 * - `wildcard`: ``*.example.com``, the host minus its first label equals `parent` (exactly one extra label, not
 *   the apex, not deeper: Traefik's `DomainMatchHostExpression` replaces the first label with `*`);
 * - `never`: a value starting with `*` that is not `*.`, which Traefik accepts but can never match.
 */
export type HostKey =
  | { readonly kind: 'any' }
  | { readonly kind: 'exact'; readonly host: string }
  | { readonly kind: 'wildcard'; readonly parent: string }
  | { readonly kind: 'never' };

/**
 * The key of a Host/HostSNI value: lower-cased and one trailing dot dropped, because the request host is
 * compared in its canonical form (lower-case, no trailing dot), which makes `example.com.` and `example.com`
 * match each other either way round, as in Traefik.
 */
export function hostKey(value: string): HostKey {
  if (value === '*') return { kind: 'any' };
  let host = value.toLowerCase();
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host.startsWith('*.')) return { kind: 'wildcard', parent: host.slice(2) };
  if (host.startsWith('*')) return { kind: 'never' };
  return { kind: 'exact', host };
}

/** The part of a canonical host a wildcard is compared with (everything after the first dot), or undefined. */
export function parentDomain(host: string): string | undefined {
  const dot = host.indexOf('.');
  return dot === -1 ? undefined : host.slice(dot + 1);
}

/** The predicate over a canonical host for a key. Allocation-free: it runs per request. */
export function hostPredicate(key: HostKey): (host: string) => boolean {
  switch (key.kind) {
    case 'any':
      return () => true;
    case 'never':
      return () => false;
    case 'exact': {
      const expected = key.host;
      return (host) => host === expected;
    }
    case 'wildcard': {
      const parent = key.parent;
      return (host) => {
        const dot = host.indexOf('.');
        return dot !== -1 && host.length - dot - 1 === parent.length && host.endsWith(parent);
      };
    }
  }
}

/** True when the string is pure ASCII; Traefik refuses other host values (write IDNs in punycode). */
export function isAscii(value: string): boolean {
  return /^[\x00-\x7f]*$/.test(value);
}

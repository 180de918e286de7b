/**
 * Server names as TLS compares them. Traefik lower-cases the SNI and ignores a trailing dot; a wildcard
 * `*.example.com` covers exactly one more label (`a.example.com`, not `example.com` nor `a.b.example.com`),
 * as RFC 6125 §6.4.3 and every browser do.
 */

/** Lower-cases and trims a name and drops one trailing dot (`A.Example.COM.` → `a.example.com`). */
export function normalizeName(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** For `*.example.com` returns `example.com`; for anything else (including `*.*.x` and `a*.x`) undefined. */
export function wildcardParent(pattern: string): string | undefined {
  if (!pattern.startsWith('*.')) return undefined;
  const parent = pattern.slice(2);
  if (parent === '' || parent.includes('*')) return undefined;
  return parent;
}

/** The parent a wildcard would need to cover `name`: `a.example.com` → `example.com`; none for one label. */
export function parentOf(name: string): string | undefined {
  const dot = name.indexOf('.');
  return dot <= 0 || dot === name.length - 1 ? undefined : name.slice(dot + 1);
}

/** Whether certificate name `pattern` (exact or one-label wildcard) covers server name `name` (both normalized). */
export function nameMatches(pattern: string, name: string): boolean {
  if (pattern === name) return true;
  const parent = wildcardParent(pattern);
  return parent !== undefined && parentOf(name) === parent;
}

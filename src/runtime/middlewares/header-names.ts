/**
 * Go's http.CanonicalHeaderKey (`x-auth-user` -> `X-Auth-User`), for options that Traefik matches against
 * canonical names (regexes over header names). Names with characters outside a token are left as they are.
 */
export function canonicalHeaderKey(name: string): string {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) return name;
  let upper = true;
  let out = '';
  for (const ch of name) {
    out += upper ? ch.toUpperCase() : ch.toLowerCase();
    upper = ch === '-';
  }
  return out;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) that a proxy must not pass on, plus those a Connection header names. */
export const HOP_HEADERS = ['connection', 'keep-alive', 'te', 'trailers', 'transfer-encoding', 'upgrade'] as const;

/** The names listed in a Connection header, lower-cased. */
export function connectionTokens(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value.join(',') : value).split(',').map((token) => token.trim().toLowerCase()).filter((token) => token !== '');
}

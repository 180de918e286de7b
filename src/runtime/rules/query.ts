import { queryUnescape } from './go-escape.js';

/**
 * Parses a raw query string the way Traefik's Query and QueryRegexp matchers see it: Go's `url.ParseQuery` after
 * `http.AllowQuerySemicolons`, Traefik's default (with `encodeQuerySemicolons` the entrypoint turns `;` into `%3B`
 * before routing, so no `;` is left here). Pairs split on `&` and `;`, `key` alone means an empty value, `+` is a
 * space, and a pair with a malformed escape is skipped (URLSearchParams would keep it).
 */
export function parseQuery(rawQuery: string): URLSearchParams {
  const params = new URLSearchParams();
  if (rawQuery === '') return params;
  for (const pair of rawQuery.split(/[&;]/)) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = queryUnescape(eq === -1 ? pair : pair.slice(0, eq));
    const value = queryUnescape(eq === -1 ? '' : pair.slice(eq + 1));
    if (key !== undefined && value !== undefined) params.append(key, value);
  }
  return params;
}
